/**
 * The git account's `authorized_keys`, as the worker keeps it: one line per key of an
 * active customer, each forcing the hook's `ssh` mode for that customer and nothing
 * else (`restrict`: no pty, no forwarding), then one line per worker key (the operator's
 * DNSAPI_WORKER_KEYS file) forcing the hook's `ssh-worker` mode (fetches of any customer
 * repository, nothing else); written whole and replaced atomically.
 *
 * sshd runs a forced command through the account's shell, so the command is sh words,
 * each single-quoted as the installed hooks quote theirs; inside the option's double
 * quotes sshd reads `\"` as `"` and every other character as itself, so `"` is the one
 * character to escape there.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { shellQuote } from "../git/repos.ts";
import { escapeControl } from "../util/escape.ts";
import { messageOf } from "../util/message.ts";
import { type KeyType, readPublicKey } from "./ssh_key.ts";

/** What a line needs of a registered key. */
export interface UserKey {
  user: string;
  type: KeyType;
  base64: string;
  comment: string;
}

/** The first line of the file: sshd skips it, an operator reading the file learns why. */
export const HEADER =
  "# Written by dns-api-worker (user key add / NEW:SSHKEY / install-keys); edits are overwritten.";

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The `command="…"` option forcing `hook ssh <user>` (pure).
 *
 * @example
 * ```ts
 * forcedCommand(["/usr/local/bin/dns-api-hook"], "ann");
 * // 'command="\'/usr/local/bin/dns-api-hook\' \'ssh\' \'ann\'"'
 * ```
 */
export function forcedCommand(hook: readonly string[], user: string): string {
  return commandOption(hook, ["ssh", user]);
}

/** The `command="…"` option of hook command `hook` followed by the words `mode`. */
function commandOption(hook: readonly string[], mode: readonly string[]): string {
  if (hook.length === 0 || hook[0] === "") {
    throw new TypeError("Cannot write authorized_keys: the hook command is empty");
  }
  const words = [...hook, ...mode];
  if (words.some((w) => /[\r\n]/.test(w))) {
    throw new TypeError("Cannot write authorized_keys: the hook command holds a line break");
  }
  return `command="${words.map(shellQuote).join(" ").replaceAll('"', '\\"')}"`;
}

/** One `authorized_keys` line for a key (pure). */
export function authorizedKeysLine(hook: readonly string[], key: UserKey): string {
  if (!BASE64.test(key.base64)) {
    throw new TypeError(`Cannot write the key of ${key.user}: its data is not base64`);
  }
  // The comment is the customer's text; sshd ignores it, a line break in it must not
  // become a line of its own.
  const comment = key.comment ? ` ${escapeControl(key.comment)}` : "";
  return `${forcedCommand(hook, key.user)},restrict ${key.type} ${key.base64}${comment}`;
}

/** What a line needs of a worker key (DNSAPI_WORKER_KEYS). */
export type WorkerKey = Omit<UserKey, "user">;

/** One worker key's line: `command="<hook> ssh-worker",restrict <key>` (pure). */
export function workerKeyLine(hook: readonly string[], key: WorkerKey): string {
  if (!BASE64.test(key.base64)) {
    throw new TypeError("Cannot write a worker key: its data is not base64");
  }
  const comment = key.comment ? ` ${escapeControl(key.comment)}` : "";
  return `${commandOption(hook, ["ssh-worker"])},restrict ${key.type} ${key.base64}${comment}`;
}

/** The whole file for these keys, in their order, the worker keys last (pure). */
export function authorizedKeysText(
  hook: readonly string[],
  keys: readonly UserKey[],
  workerKeys: readonly WorkerKey[] = [],
): string {
  return [
    HEADER,
    ...keys.map((k) => authorizedKeysLine(hook, k)),
    ...workerKeys.map((k) => workerKeyLine(hook, k)),
  ].join("\n") + "\n";
}

/**
 * Reads the operator's file of worker public keys (DNSAPI_WORKER_KEYS): one key a line
 * as in a `.pub` file, blank lines and `#` comments skipped. A line that is not an
 * accepted key throws, naming the file and line, so no half-read file is written out.
 */
export async function readWorkerKeys(path: string): Promise<WorkerKey[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new Error(
      `Cannot read the worker keys ${path} (DNSAPI_WORKER_KEYS): ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
  const keys: WorkerKey[] = [];
  for (const [i, line] of text.split("\n").entries()) {
    if (line.trim() === "" || line.trim().startsWith("#")) continue;
    const read = await readPublicKey(line);
    if ("reason" in read) {
      throw new Error(
        `${path}:${i + 1}: ${read.reason}; fix or remove the line (DNSAPI_WORKER_KEYS)`,
      );
    }
    keys.push({ type: read.key.type, base64: read.key.base64, comment: read.key.comment });
  }
  return keys;
}

/**
 * Replaces the file at `path` with `text`: a temporary file in the same directory
 * (mode 600, the old file's owner and group when it had others), synced, renamed over
 * the old one, the directory synced. sshd reading the file meanwhile sees the old or
 * the new keys, whole. The directory is created (mode 700) when missing.
 *
 * @example
 * ```ts
 * await writeAuthorizedKeys("/home/git/.ssh/authorized_keys", authorizedKeysText(hook, keys));
 * ```
 */
export async function writeAuthorizedKeys(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const old = await Deno.stat(path).catch(() => null);
  const tmp = join(dir, `.authorized_keys.${crypto.randomUUID()}.tmp`);
  try {
    const file = await Deno.open(tmp, { write: true, createNew: true, mode: 0o600 });
    try {
      const bytes = new TextEncoder().encode(text);
      for (let at = 0; at < bytes.length;) at += await file.write(bytes.subarray(at));
      await file.sync();
    } finally {
      file.close();
    }
    // The umask may have narrowed the mode; 600 is what sshd's StrictModes wants.
    await Deno.chmod(tmp, 0o600);
    if (old?.uid != null && old.gid != null && (old.uid !== Deno.uid() || old.gid !== Deno.gid())) {
      await Deno.chown(tmp, old.uid, old.gid);
    }
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw new Error(`Cannot write ${path}: ${messageOf(error)}`, { cause: error });
  }
  const handle = await Deno.open(dir, { read: true });
  try {
    await handle.sync();
  } finally {
    handle.close();
  }
}
