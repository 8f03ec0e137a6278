/**
 * Entry of the hook binary, run by git inside every customer's push.
 *
 * `hook.ts [--settings FILE] [post-receive|pre-receive|ssh USER|ssh-worker]` (the mode defaults to
 * the binary's name when it is installed as `hooks/post-receive`, else to post-receive).
 * `--settings FILE` names the settings file install-hooks writes (lib/hook/settings.ts):
 * its values override the inherited environment (but for DNSAPI_HOOK_WAIT, the pusher's
 * choice), so a push needs nothing from the pusher.
 *
 * post-receive queues one job for the repository's user and reports it to the pusher
 * (lib/hook/post_receive.ts); pre-receive rejects a push whose zone files are invalid
 * (lib/hook/pre_receive.ts); ssh is the forced command of customer keys, ssh-worker that
 * of worker keys (lib/hook/ssh.ts). This file only wires them to the real process: arguments,
 * environment, stdin, files and stdout, and the exit code git (or sshd) sees.
 *
 * Start-up time is the budget: post-receive loads only lib/hook/post_receive.ts and,
 * through it, lib/job/ (no zod, no ioredis, no node: modules); the other modes' modules
 * are imported when their mode runs ({@linkcode LAZY_MODULES}).
 *
 * Settings (from `--settings FILE`, else the environment): REDIS_URL, DNSAPI_REDIS_CA
 * (the CA of a rediss:// Redis), REPOS_ROOT,
 * DNSAPI_HOOK_WAIT (or the old DNS_API_HOOK_WAIT), DNSAPI_KEY_PREFIX, DNSAPI_CONTACT (whom the customer should
 * contact), ZONES_DIR (pre-receive), DNSAPI_WORKER_COMMAND and DNSAPI_SSH_LOG (ssh);
 * from the environment only: GIT_DIR and the quarantine variables (set by git),
 * SSH_ORIGINAL_COMMAND, SSH_CONNECTION and SSH_USER_AUTH (set by sshd).
 *
 * @module
 */

import denoJson from "./deno.json" with { type: "json" };
import { contactOf, type HookIo, postReceive, say } from "./lib/hook/post_receive.ts";
import { concatBytes } from "./lib/util/bytes.ts";
import { parseSettings, settingOf } from "./lib/hook/settings.ts";
import { escapeControl } from "./lib/util/escape.ts";
import { messageOf } from "./lib/util/message.ts";

/**
 * The modules only some modes need, imported by the mode that needs them. Their names are
 * constants, not string literals in `import()`: `deno run` prepares every literal dynamic
 * import of the graph before the first line runs (measured: about 2 ms of post-receive's
 * start-up for pre-receive's zone reader), a computed one only when it is imported.
 * `deno compile` embeds such modules only when named with `--include`: the build task
 * names each of these (tests/layout.test.ts checks it).
 */
export const LAZY_MODULES = {
  preReceive: "./lib/hook/pre_receive.ts",
  ssh: "./lib/hook/ssh.ts",
} as const;

/** pre-receive: a failure of the validator itself lets the push through. */
async function preReceive(io: HookIo): Promise<number> {
  try {
    const { runPreReceive }: typeof import("./lib/hook/pre_receive.ts") = await import(
      LAZY_MODULES.preReceive
    );
    return await runPreReceive(io.stdin, io);
  } catch (error) {
    say(io, `could not validate the zone files (${String(error)}); the push goes on`);
    return 0;
  }
}

const MODES: Record<string, (io: HookIo) => Promise<number>> = {
  "post-receive": postReceive,
  "pre-receive": preReceive,
};

/** The SSH door, sshd's forced command: it keeps the connection's stdio (see {@linkcode ssh}). */
const SSH_MODE = "ssh";
/** A worker key's forced command: fetches of any customer repository (lib/hook/ssh.ts). */
const SSH_WORKER_MODE = "ssh-worker";

/** The ssh mode over the real process: git and the worker get the connection's stdio. */
async function ssh(
  settings: Record<string, string>,
  args: string[],
  door: "runSsh" | "runSshWorker",
): Promise<number> {
  const doors: typeof import("./lib/hook/ssh.ts") = await import(LAZY_MODULES.ssh);
  const env = (name: string) => settingOf(settings, (n) => Deno.env.get(n), name);
  const childEnv = { ...Deno.env.toObject(), ...settings };
  const encoder = new TextEncoder();
  return doors[door]({
    env,
    childEnv,
    stderr: (line) => console.error(line),
    stdout: (text) => void Deno.stdout.writeSync(encoder.encode(text)),
    run: async ([cmd, ...rest], env) => {
      const child = new Deno.Command(cmd ?? "", {
        args: rest,
        env,
        clearEnv: true,
        stdin: "inherit",
        stdout: "inherit",
        stderr: "inherit",
      }).spawn();
      return (await child.status).code;
    },
    appendLine: (path, line) => Deno.writeTextFile(path, `${line}\n`, { append: true }),
    readTextFile: (path) => Deno.readTextFile(path),
  }, args);
}

/** The mode to run: an explicit argument, else the binary's own name, else post-receive. */
export function chooseMode(args: string[], execPath: string): string | undefined {
  if (args[0] !== undefined) {
    const known = args[0] in MODES || args[0] === SSH_MODE || args[0] === SSH_WORKER_MODE;
    return known ? args[0] : undefined;
  }
  const name = execPath.slice(execPath.lastIndexOf("/") + 1);
  return name in MODES ? name : "post-receive";
}

/** Reads all of stdin (plain reads: a `Response` over the stream costs ~10 ms more). */
async function readStdin(): Promise<string> {
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(16 * 1024);
  for (let n = await Deno.stdin.read(buf); n !== null; n = await Deno.stdin.read(buf)) {
    chunks.push(buf.slice(0, n));
  }
  return new TextDecoder().decode(concatBytes(chunks));
}

async function main(): Promise<number> {
  const usage = `usage: dns-api-hook [${Object.keys(MODES).join("|")}] (git runs it as a hook)\n` +
    `       dns-api-hook ssh USER (sshd's forced command)\n` +
    `       dns-api-hook ssh-worker (a worker key's forced command)\n` +
    `       (--settings FILE first: read the settings install-hooks wrote)`;
  let args = Deno.args;
  let settings: Record<string, string> = {};
  let settingsError: string | undefined;
  if (args[0] === "--settings" && args[1] !== undefined) {
    const file = args[1];
    args = args.slice(2);
    try {
      settings = parseSettings(await Deno.readTextFile(file), file);
    } catch (error) {
      settingsError = `cannot read the hook settings: ${messageOf(error)}`;
    }
  }
  const [first] = args;
  // git never passes these; they are for the operator.
  if (first === "--help" || first === "-h" || first === "--version") {
    console.log(first === "--version" ? `dns-api-hook ${denoJson.version}` : usage);
    return 0;
  }
  const mode = chooseMode(args, Deno.execPath());
  if (settingsError !== undefined) {
    // Without its settings the hook would queue into the wrong Redis: say so. pre-receive
    // still never blocks a push by its own failure. Over ssh, stdout is git's protocol.
    const line = escapeControl(`dns-api: ${settingsError}`);
    if (mode === SSH_MODE || mode === SSH_WORKER_MODE) console.error(line);
    else console.log(line);
    return mode === "pre-receive" ? 0 : 1;
  }
  if (mode === SSH_MODE) return await ssh(settings, args.slice(1), "runSsh");
  if (mode === SSH_WORKER_MODE) return await ssh(settings, args.slice(1), "runSshWorker");
  const run = mode === undefined ? undefined : MODES[mode];
  if (!run) {
    console.error(usage);
    return 2;
  }
  const io: HookIo = {
    env: (name) => settingOf(settings, (n) => Deno.env.get(n), name),
    cwd: Deno.cwd(),
    stdin: Deno.stdin.isTerminal() ? "" : await readStdin(),
    readTextFile: (path) => Deno.readTextFile(path),
    realPath: (path) => Deno.realPath(path),
    // The one place a hook line reaches the pusher's terminal: whatever a customer
    // controls in it (file names, record text, git output) is escaped here.
    print: (line) => console.log(escapeControl(line)),
  };
  try {
    return await run(io);
  } catch (error) {
    // A bug in the hook must neither block a push (pre-receive) nor hide from the
    // pusher that DNS was not updated (post-receive).
    say(io, `internal error in ${mode}: ${messageOf(error)}`);
    if (mode === "pre-receive") {
      say(io, "the push was not checked and goes through; it is queued as usual.");
      return 0;
    }
    say(io, `DNS was NOT updated; please contact ${contactOf(io)}.`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main());
