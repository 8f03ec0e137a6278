/**
 * Push-time validation (the hook's `pre-receive` mode): parse the zone files a push adds
 * or changes, straight from git's objects, and reject the push with
 * `zones/<file>:<line>: <message>` lines when one is invalid.
 *
 * Objects of a push that is being received sit in a quarantine directory that git names
 * in the hook's environment (GIT_OBJECT_DIRECTORY, GIT_ALTERNATE_OBJECT_DIRECTORIES);
 * every git command here gets that environment and only reads objects (`diff-tree`,
 * `ls-tree`, `cat-file`), never a working tree.
 *
 * The validator never blocks a push by its own failure: a git error, the time limit or a
 * bug makes it say that it could not validate and exit 0, so post-receive queues the
 * push as usual and the worker reports the problems in the job log.
 *
 * @module
 */

import { DEFAULT_ZONE_LIMITS, type ZoneLimits } from "../zones/parse.ts";
import { zoneLimitsFromEnv } from "../zones/types.ts";
import { checkZoneFile, nestedNotice, skippedNotice, zonePathKind } from "../zones/files.ts";
import { parseDenyDomains } from "../dns/ownership.ts";
import { type GitContext, readBlobs, treeEntries, type TreeEntry } from "../git/object_store.ts";
import { messageOf } from "../util/message.ts";
import { isZeroSha, parseRefUpdates, type RefUpdate } from "./ref_updates.ts";

/** Bounds of one validation run. */
export interface PreReceiveLimits {
  /** Whole run, in ms; past it the push is let through. */
  timeMs: number;
  /** Zone files validated per push; more are left to the worker. */
  maxFiles: number;
  /** Largest zone file accepted, in bytes (the worker's own limit). */
  maxFileBytes: number;
  /** Bytes read from git per push; files beyond it are left to the worker. */
  maxTotalBytes: number;
  /** Problem lines shown; the rest are counted. */
  maxMessages: number;
}

/** 10 s, 500 files, the parser's file-size limit, 64 MiB in total, 50 lines. */
export const DEFAULT_PRE_RECEIVE_LIMITS: PreReceiveLimits = {
  timeMs: 10_000,
  maxFiles: 500,
  maxFileBytes: DEFAULT_ZONE_LIMITS.maxBytes,
  maxTotalBytes: 64 * 1024 * 1024,
  maxMessages: 50,
};

/** Input of {@linkcode validatePush}. */
export interface PushInput {
  /** The repository receiving the push (the hook's GIT_DIR, absolute). */
  gitDir: string;
  /** git's stdin lines: `<old-sha> <new-sha> <ref>`. */
  lines: string[];
  /** The hook's environment: the GIT_* quarantine variables are passed on to git. */
  env?: Record<string, string>;
  /** Directory holding the zone files (default `zones`). */
  zonesDir?: string;
  /** Overrides of {@linkcode DEFAULT_PRE_RECEIVE_LIMITS}. */
  limits?: Partial<PreReceiveLimits>;
  /** Names the operator reserved (DNSAPI_DENY_DOMAINS), refused like public suffixes. */
  denyDomains?: readonly string[];
  /** The operator's zone limits (DNSAPI_MAX_*), as the worker applies them. */
  zoneLimits?: Partial<ZoneLimits>;
}

/** Outcome of {@linkcode validatePush}. */
export interface PushVerdict {
  /** False rejects the push. */
  ok: boolean;
  /** Lines for the pusher: problems (`zones/f:12: …`), warnings, notes. */
  messages: string[];
  /** Set when some or all files could not be validated, saying why. */
  skipped?: string;
}

/** Formats one problem as git shows it: `zones/f:12: message`, or `zones/f: message`. */
export function problemLine(path: string, line: number, message: string): string {
  return line > 0 ? `${path}:${line}: ${message}` : `${path}: ${message}`;
}

/**
 * Checks one zone file's name and text; returns error and warning lines (pure).
 *
 * @example
 * ```ts
 * checkZoneText("zones/shop.test", "www A 999.1.1.1\n");
 * // { errors: ["zones/shop.test:1: …"], warnings: [] }
 * ```
 */
export function checkZoneText(
  path: string,
  text: string,
  denyDomains: readonly string[] = [],
  zoneLimits?: Partial<ZoneLimits>,
): { errors: string[]; warnings: string[] } {
  const result = checkZoneFile(path, text, zoneLimits, denyDomains);
  return {
    errors: result.errors.map((p) => problemLine(path, p.line, p.message)),
    warnings: result.warnings.map((p) => problemLine(path, p.line, `warning: ${p.message}`)),
  };
}

/**
 * Finds the zone files a push adds or changes: for an updated branch, the difference
 * between the old and new tips (so a force push is covered); for a new branch, every
 * zone file of its tip; deleted refs and tags add nothing. Same path and blob once.
 * Also the files it adds or changes that are skipped as not zones (README…, dot-files).
 */
async function changedZoneFiles(
  git: GitContext,
  updates: RefUpdate[],
  zonesDir: string,
): Promise<{ files: TreeEntry[]; skipped: string[]; nested: string[] }> {
  const seen = new Map<string, TreeEntry>();
  const skipped = new Set<string>();
  const nested = new Set<string>();
  for (const u of updates) {
    if (isZeroSha(u.new) || !u.ref.startsWith("refs/heads/")) continue;
    const entries = await treeEntries(git, isZeroSha(u.old) ? undefined : u.old, u.new, zonesDir);
    for (const e of entries) {
      if (e.type !== "blob") continue;
      const kind = zonePathKind(e.path, zonesDir);
      if (kind === "zone") seen.set(`${e.path}\0${e.oid}`, e);
      else if (kind === "hidden" || kind === "not-zone") skipped.add(e.path);
      else if (kind === "nested") nested.add(e.path);
    }
  }
  const files = [...seen.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, skipped: [...skipped].sort(), nested: [...nested].sort() };
}

/**
 * Validates the zone files of a push. Never throws: a failure of its own comes back as
 * `{ ok: true, skipped }`, so the push goes through.
 */
export async function validatePush(input: PushInput): Promise<PushVerdict> {
  const limits = {
    ...DEFAULT_PRE_RECEIVE_LIMITS,
    ...(input.zoneLimits?.maxBytes ? { maxFileBytes: input.zoneLimits.maxBytes } : {}),
    ...input.limits,
  };
  const zonesDir = (input.zonesDir ?? "zones").replace(/\/+$/, "");
  const git: GitContext = {
    gitDir: input.gitDir,
    env: input.env ?? {},
    deadline: Date.now() + limits.timeMs,
  };
  const errors: string[] = [];
  const warnings: string[] = [];
  const notes: string[] = [];
  let skipped: string | undefined;
  try {
    const changed = await changedZoneFiles(git, parseRefUpdates(input.lines.join("\n")), zonesDir);
    for (const notice of [nestedNotice(changed.nested, zonesDir), skippedNotice(changed.skipped)]) {
      if (notice) notes.push(notice);
    }
    let files = changed.files;
    if (files.length > limits.maxFiles) {
      notes.push(
        `${files.length} zone files changed; checked the first ${limits.maxFiles}, ` +
          `the worker checks the rest`,
      );
      files = files.slice(0, limits.maxFiles);
    }
    const readable: TreeEntry[] = [];
    let total = 0;
    for (const f of files) {
      if (f.size > limits.maxFileBytes) {
        errors.push(
          problemLine(f.path, 0, `file is ${f.size} bytes; the limit is ${limits.maxFileBytes}`),
        );
      } else if (total + f.size > limits.maxTotalBytes) {
        skipped ??= `the push changes more than ${limits.maxTotalBytes} bytes of zone files`;
      } else {
        total += f.size;
        readable.push(f);
      }
    }
    const blobs = await readBlobs(git, readable.map((f) => f.oid));
    const decoder = new TextDecoder("utf-8", { fatal: true });
    for (const f of readable) {
      if (Date.now() > git.deadline) {
        skipped ??= `the time limit of ${limits.timeMs} ms was reached`;
        break;
      }
      const bytes = blobs.get(f.oid);
      if (!bytes) throw new Error(`git did not return the blob of ${f.path}`);
      let text: string;
      try {
        text = decoder.decode(bytes);
      } catch {
        errors.push(problemLine(f.path, 0, "the file is not UTF-8 text; save it as UTF-8"));
        continue;
      }
      const checked = checkZoneText(f.path, text, input.denyDomains, input.zoneLimits);
      errors.push(...checked.errors);
      warnings.push(...checked.warnings);
    }
  } catch (error) {
    skipped = messageOf(error);
  }
  const shown = [...errors, ...warnings];
  const messages = shown.slice(0, limits.maxMessages);
  if (shown.length > messages.length) {
    messages.push(`… and ${shown.length - messages.length} more`);
  }
  messages.push(...notes);
  // Problems already found are real even when the rest could not be checked.
  return skipped === undefined
    ? { ok: errors.length === 0, messages }
    : { ok: errors.length === 0, messages, skipped };
}

/** What {@linkcode runPreReceive} needs from the hook (a subset of post_receive.ts's HookIo). */
export interface PreReceiveIo {
  /** Reads an environment variable of the hook. */
  env(name: string): string | undefined;
  /** The hook's working directory (git runs it in the repository). */
  cwd: string;
  /** Prints one line to the pusher (git prefixes it with `remote: `). */
  print(line: string): void;
}

/**
 * The hook environment passed on to git: where the pushed objects are, and PATH as git
 * gave it to the hook (its exec-path first), because `--allow-run=git` allows the git
 * found on the hook's own PATH. Nothing else reaches git (HOME is lib/git/run.ts's).
 */
const GIT_ENV_NAMES = [
  "GIT_OBJECT_DIRECTORY",
  "GIT_ALTERNATE_OBJECT_DIRECTORIES",
  "GIT_QUARANTINE_PATH",
  "PATH",
];

/**
 * Runs the pre-receive hook: validates the push described by `stdinText` and returns the
 * exit code for git (1 rejects the push, 0 lets it through).
 *
 * @example
 * ```ts
 * const code = await runPreReceive(stdin, { env: Deno.env.get, cwd: Deno.cwd(), print: console.log });
 * ```
 */
export async function runPreReceive(stdinText: string, io: PreReceiveIo): Promise<number> {
  try {
    const gitDirEnv = io.env("GIT_DIR") ?? ".";
    const gitDir = gitDirEnv.startsWith("/") ? gitDirEnv : `${io.cwd}/${gitDirEnv}`;
    const env: Record<string, string> = {};
    for (const name of GIT_ENV_NAMES) {
      const value = io.env(name);
      if (value !== undefined) env[name] = value;
    }
    const deny = parseDenyDomains(io.env("DNSAPI_DENY_DOMAINS"));
    // The worker names the bad entries when it starts; customers are not shown the list.
    if (deny.problems.length > 0) throw new TypeError("DNSAPI_DENY_DOMAINS is not a list of names");
    const zoneLimits = zoneLimitsFromEnv(io.env);
    if (zoneLimits.problems.length > 0) throw new TypeError(zoneLimits.problems.join("; "));
    const verdict = await validatePush({
      gitDir,
      lines: stdinText.split("\n"),
      env,
      zonesDir: io.env("ZONES_DIR") || "zones",
      denyDomains: deny.names,
      zoneLimits: zoneLimits.limits,
    });
    if (!verdict.ok) {
      io.print("dns-api: push rejected, the zone files have errors:");
      for (const line of verdict.messages) io.print(line);
      io.print("dns-api: fix the lines above and push again; nothing was changed.");
      return 1;
    }
    for (const line of verdict.messages) io.print(line);
    if (verdict.skipped !== undefined) {
      io.print(
        `dns-api: could not validate the zone files (${verdict.skipped}); ` +
          "the push goes through and the worker reports any problem in the job log.",
      );
    }
    return 0;
  } catch (error) {
    io.print(
      `dns-api: could not validate the zone files (${messageOf(error)}); ` +
        "the push goes through and the worker reports any problem in the job log.",
    );
    return 0;
  }
}
