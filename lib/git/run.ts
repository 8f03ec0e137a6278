/**
 * Running system git safely: argument arrays only (never a shell), a cleared
 * environment (no system or global config, no prompts, literal pathspecs; an ssh fetch
 * the caller gives no ssh settings for keeps the operator's GIT_SSH_COMMAND, GIT_SSH and
 * SSH_AUTH_SOCK), flags that disable hooks, fsmonitor, credential helpers, automatic gc and submodule recursion,
 * only the transports a call allows, and a timeout after which git is killed.
 *
 * No npm or node: imports, so a pre-receive hook can use it cheaply.
 *
 * @module
 */

import { concatBytes } from "../util/bytes.ts";

// Plain string path helpers instead of node:path: a pre-receive hook may import these
// modules, and loading Node compatibility modules costs the hook start-up time.

/** Joins path parts with `/`, collapsing repeated slashes. */
export function joinPath(...parts: string[]): string {
  return parts.join("/").replace(/\/{2,}/g, "/");
}

/** The directory part of a path (`.` for a bare name). */
export function dirnamePath(path: string): string {
  const i = path.replace(/\/+$/, "").lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

/** Resolves `.` and `..` in a relative path; a result above the root keeps its `..`. */
export function normalizeRelativePath(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && out.length > 0 && out.at(-1) !== "..") out.pop();
    else out.push(part);
  }
  return out.join("/");
}

/** Options shared by every git call. */
export interface GitOptions {
  /** Kill git after this many ms (default 60 000). */
  timeoutMs?: number;
  /** HOME for git (default `/nonexistent`); global config is ignored either way. */
  home?: string;
  /** PATH for finding git and ssh (default `/usr/local/bin:/usr/bin:/bin`). */
  path?: string;
  /**
   * A trusted global config file (default `/dev/null`), e.g. for `safe.directory` when
   * the repositories belong to another Unix user.
   */
  globalConfig?: string;
  /**
   * Extra environment, passed as is: `GIT_SSH_COMMAND`/`SSH_AUTH_SOCK` for a remote
   * source; in a pre-receive hook, `GIT_OBJECT_DIRECTORY`,
   * `GIT_ALTERNATE_OBJECT_DIRECTORIES` and `GIT_QUARANTINE_PATH` so pushed objects are
   * visible.
   */
  env?: Record<string, string>;
  /** Refuse output beyond this many bytes (default 64 MiB). */
  maxOutputBytes?: number;
}

/** A git command that failed, timed out, or printed too much. */
export class GitError extends Error {
  /** The git arguments after the safety flags. */
  args: string[];
  /** Exit code, or null when git was killed. */
  code: number | null;
  /** The tail of git's stderr. */
  stderr: string;
  constructor(message: string, args: string[], code: number | null, stderr: string) {
    super(message);
    this.name = "GitError";
    this.args = args;
    this.code = code;
    this.stderr = stderr;
  }
}

/** Flags that make git ignore everything a repository could use to run code. */
const SAFE_CONFIG = [
  "core.hooksPath=/dev/null",
  "core.fsmonitor=false",
  "core.symlinks=true",
  "core.attributesFile=/dev/null",
  "core.askPass=/bin/true",
  "credential.helper=",
  "submodule.recurse=false",
  "fetch.recurseSubmodules=false",
  "gc.auto=0",
  "maintenance.auto=false",
  "advice.detachedHead=false",
  "init.defaultBranch=main",
  "protocol.allow=never",
];

const decoder = new TextDecoder();

/** Result of {@linkcode runGit}. */
export interface GitOutput {
  stdout: Uint8Array;
  /** stdout decoded as UTF-8. */
  text: string;
  stderr: string;
}

/** The variables of this process's environment an ssh fetch takes over. */
const SSH_PASSTHROUGH = ["GIT_SSH_COMMAND", "GIT_SSH", "SSH_AUTH_SOCK"];

/** GIT_SSH_COMMAND, GIT_SSH and SSH_AUTH_SOCK as this process has them. */
function inheritedSsh(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of SSH_PASSTHROUGH) {
    const value = Deno.env.get(name);
    if (value !== undefined && value !== "") env[name] = value;
  }
  return env;
}

/** Hides the password of a `scheme://user:pass@host` URL in a text. */
export function redact(s: string): string {
  return s.replace(/(\/\/[^/@\s:]+):[^@\s/]+@/g, "$1:***@");
}

/** What {@linkcode gitCommand} needs beside git's own options. */
export interface GitCallOptions extends GitOptions {
  /** The transports permitted for this call (`file`, `ssh`, `https`...). */
  allowProtocols?: string[];
  /** Text written to git's standard input; absent = none. */
  stdin?: string;
}

/**
 * The `git` command with the safety flags and the cleared environment of
 * {@linkcode runGit}, for a caller that talks to git over its pipes (a long-lived
 * `cat-file --batch-command`). Standard input is piped when `stdin` is given or `interactive`.
 */
export function gitCommand(
  args: string[],
  opts: GitCallOptions = {},
  interactive = false,
): Deno.Command {
  const config = [
    ...SAFE_CONFIG,
    ...(opts.allowProtocols ?? []).map((p) => `protocol.${p}.allow=always`),
  ];
  const full = [...config.flatMap((c) => ["-c", c]), ...args];
  // The operator's own ssh settings, as git users expect, for ssh sources (REPOS_REMOTE)
  // whose caller gives none of its own (a registered remote brings its own key).
  const ssh = opts.allowProtocols?.includes("ssh") && opts.env?.GIT_SSH_COMMAND === undefined
    ? inheritedSsh()
    : {};
  return new Deno.Command("git", {
    args: full,
    clearEnv: true,
    env: {
      PATH: opts.path ?? "/usr/local/bin:/usr/bin:/bin",
      HOME: opts.home ?? "/nonexistent",
      LC_ALL: "C",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: opts.globalConfig ?? "/dev/null",
      GIT_ATTR_NOSYSTEM: "1",
      GIT_TERMINAL_PROMPT: "0",
      GIT_ASKPASS: "/bin/true",
      GIT_LITERAL_PATHSPECS: "1",
      GIT_NO_REPLACE_OBJECTS: "1",
      GIT_PROTOCOL_FROM_USER: "0",
      ...ssh,
      ...opts.env,
    },
    stdin: opts.stdin === undefined && !interactive ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
}

/**
 * Runs `git <safe -c flags> <args>` with a cleared environment and a timeout, and
 * returns its output; throws a {@linkcode GitError} on a non-zero exit, a timeout or
 * too much output. `allowProtocols` lists the transports permitted for this call.
 *
 * @example
 * ```ts
 * const { text } = await runGit(["-C", workDir, "rev-parse", "HEAD"]);
 * ```
 */
export async function runGit(
  args: string[],
  opts: GitCallOptions = {},
): Promise<GitOutput> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const maxBytes = opts.maxOutputBytes ?? 64 * 1024 * 1024;
  const child = gitCommand(args, opts).spawn();
  let failure: string | null = null;
  const kill = (why: string) => {
    if (failure) return;
    failure = why;
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
  };
  const timer = setTimeout(() => kill(`timed out after ${timeoutMs} ms`), timeoutMs);
  const outReader = child.stdout.getReader();
  const errReader = child.stderr.getReader();
  const collect = async (
    reader: ReadableStreamDefaultReader<Uint8Array>,
    limit: number,
    keepTail: boolean,
  ): Promise<Uint8Array[]> => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        size += value.length;
        if (size > limit) {
          if (!keepTail) {
            kill(`printed more than ${limit} bytes`);
            break;
          }
          while (size > limit && chunks.length > 1) size -= chunks.shift()?.length ?? 0;
        }
      }
    } catch {
      // Cancelled after a kill: a grandchild (ssh) may still hold the pipe open.
    }
    return chunks;
  };
  const outP = collect(outReader, maxBytes, false);
  const errP = collect(errReader, 16 * 1024, true);
  if (opts.stdin !== undefined && child.stdin) {
    const writer = child.stdin.getWriter();
    try {
      await writer.write(new TextEncoder().encode(opts.stdin));
      await writer.close();
    } catch {
      // git exited before reading everything; its exit status tells the story.
    }
  }
  const status = await child.status;
  clearTimeout(timer);
  if (failure) {
    // Do not wait for EOF: orphaned grandchildren may keep the pipes open.
    await Promise.all([outReader.cancel().catch(() => {}), errReader.cancel().catch(() => {})]);
  }
  const [outChunks, errChunks] = await Promise.all([outP, errP]);
  const stdout = concatBytes(outChunks);
  const stderr = redact(decoder.decode(concatBytes(errChunks)).trim());
  const shown = (args[0] === "-C" ? args[2] : args[0]) ?? "";
  if (failure) {
    throw new GitError(`Cannot run git ${shown}: ${failure}`, args.map(redact), null, stderr);
  }
  if (!status.success) {
    const last = stderr.split("\n").filter((l) => l.trim()).slice(-3).join("; ");
    throw new GitError(
      `Cannot run git ${shown}: exit ${status.code}${last ? `: ${last}` : ""}`,
      args.map(redact),
      status.code,
      stderr,
    );
  }
  return { stdout, text: decoder.decode(stdout), stderr };
}
