/**
 * System git, run safely on customer repositories: working copies (clone, fetch, reset),
 * changed files between commits, and reading trees and blobs.
 *
 * Safe by construction: argument arrays only (never a shell); a cleared environment
 * (no system or global config, no prompts, literal pathspecs); every call disables
 * hooks, fsmonitor and submodule recursion, and only the transport of the source is
 * allowed. Attributes from a customer's `.gitattributes` cannot start filters or change
 * bytes: the working copy's `info/attributes` (which outranks every in-tree file)
 * unsets filter, text, eol, ident and working-tree-encoding for all paths. Every call
 * has a timeout after which git is killed.
 *
 * @module
 */

// Plain string path helpers instead of node:path: a pre-receive hook may import this
// module, and loading Node compatibility modules costs the hook start-up time.
function join(...parts: string[]): string {
  return parts.join("/").replace(/\/{2,}/g, "/");
}

function dirname(path: string): string {
  const i = path.replace(/\/+$/, "").lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

/** Resolves `.` and `..` in a relative path; a result above the root keeps its `..`. */
function normalizeRelative(path: string): string {
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

/**
 * Overrides for every path, written to `info/attributes`, which outranks in-tree
 * `.gitattributes` files: no filter driver (smudge/clean/process), no line-ending or
 * encoding conversion, no `$Id$` expansion. Files are checked out byte for byte.
 */
export const NEUTRAL_ATTRIBUTES =
  "* -filter -text -ident !eol !working-tree-encoding -diff -merge\n";

const decoder = new TextDecoder();

/** Result of {@linkcode runGit}. */
export interface GitOutput {
  stdout: Uint8Array;
  /** stdout decoded as UTF-8. */
  text: string;
  stderr: string;
}

function redact(s: string): string {
  return s.replace(/(\/\/[^/@\s:]+):[^@\s/]+@/g, "$1:***@");
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
  opts: GitOptions & { allowProtocols?: string[]; stdin?: string } = {},
): Promise<GitOutput> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const maxBytes = opts.maxOutputBytes ?? 64 * 1024 * 1024;
  const config = [
    ...SAFE_CONFIG,
    ...(opts.allowProtocols ?? []).map((p) => `protocol.${p}.allow=always`),
  ];
  const full = [...config.flatMap((c) => ["-c", c]), ...args];
  const child = new Deno.Command("git", {
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
      ...opts.env,
    },
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
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
  const stdout = concat(outChunks);
  const stderr = redact(decoder.decode(concat(errChunks)).trim());
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

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** The transport git needs for a source: `file` for a local path, else the URL scheme. */
export function sourceProtocol(source: string): string {
  if (source.startsWith("-")) {
    throw new TypeError(`Cannot use git source ${source}: it must not start with "-"`);
  }
  if (source.startsWith("/")) return "file";
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//.exec(source)?.[1];
  if (scheme) {
    if (["ssh", "git+ssh", "ssh+git", "https", "http", "git", "file"].includes(scheme)) {
      return scheme.startsWith("git+") || scheme.endsWith("+git") ? "ssh" : scheme;
    }
    throw new TypeError(`Cannot use git source ${redact(source)}: scheme ${scheme} is not allowed`);
  }
  if (/^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:/.test(source)) return "ssh";
  throw new TypeError(
    `Cannot use git source ${redact(source)}: expected an absolute path or a URL`,
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * Removes lock files left by a git killed mid-operation. Safe only because the caller
 * holds the per-user lock: no other git runs in this working copy.
 */
async function removeStaleLocks(gitDir: string): Promise<void> {
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(dir));
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isFile && e.name.endsWith(".lock")) await Deno.remove(p).catch(() => {});
      else if (e.isDirectory && depth > 0) await walk(p, depth - 1);
    }
  };
  await walk(gitDir, 0);
  await walk(join(gitDir, "refs"), 8);
}

/** What {@linkcode syncWorkingCopy} did. */
export interface SyncResult {
  /** The commit now checked out. */
  commit: string;
  /** True when the working copy was created by this call. */
  cloned: boolean;
  /** Set when the requested commit was gone (overwritten by a later force push). */
  missingCommit?: string;
}

/**
 * Makes `workDir` an exact checkout of `commit` (or of `ref`, or of the source's default
 * branch) from `source` (a local bare repository path, or `REPOS_REMOTE/<user>`): created
 * on first use, then fetched with force and reset, so force pushes and rewritten
 * history work; untracked and ignored files are removed. Never merges.
 *
 * A requested commit that no longer exists in the source (a later force push replaced
 * it) falls back to `ref` or the default branch, reported as `missingCommit`.
 *
 * @example
 * ```ts
 * const { commit } = await syncWorkingCopy("/repos/steve", "/git/steve", job.after);
 * ```
 */
export async function syncWorkingCopy(
  source: string,
  workDir: string,
  commit?: string,
  opts: GitOptions & { ref?: string } = {},
): Promise<SyncResult> {
  const protocol = sourceProtocol(source);
  if (commit !== undefined && !SHA.test(commit)) {
    throw new TypeError(`Cannot sync to ${commit}: not a full commit id`);
  }
  const gitDir = join(workDir, ".git");
  let cloned = false;
  if (!(await exists(gitDir))) {
    if (await exists(workDir)) {
      const any = await Array.fromAsync(Deno.readDir(workDir));
      if (any.length > 0) {
        throw new Error(`Cannot create working copy ${workDir}: the directory is not empty`);
      }
    }
    await Deno.mkdir(dirname(workDir), { recursive: true });
    // An empty template: no sample hooks, no description, nothing from the host.
    await runGit(["init", "-q", "--template=", workDir], opts);
    cloned = true;
  } else {
    await removeStaleLocks(gitDir);
  }
  await Deno.mkdir(join(gitDir, "info"), { recursive: true });
  await Deno.writeTextFile(join(gitDir, "info", "attributes"), NEUTRAL_ATTRIBUTES);
  const git = (args: string[], extra: { allowProtocols?: string[] } = {}) =>
    runGit(["-C", workDir, ...args], { ...opts, ...extra });
  await git(["config", "remote.origin.url", source]);
  await git(
    [
      "fetch",
      "--quiet",
      "--force",
      "--prune",
      "--no-tags",
      "--no-recurse-submodules",
      "--no-write-fetch-head",
      "origin",
      "+refs/heads/*:refs/remotes/origin/*",
    ],
    { allowProtocols: [protocol] },
  );
  const resolve = async (rev: string): Promise<string | null> => {
    try {
      return (await git(["rev-parse", "--verify", "--quiet", `${rev}^{commit}`])).text.trim();
    } catch {
      return null;
    }
  };
  let target = commit ? await resolve(commit) : null;
  const missingCommit = commit && !target ? commit : undefined;
  if (!target) {
    const branch = opts.ref ?? await defaultBranch(workDir, protocol, opts);
    if (!branch.startsWith("refs/heads/")) {
      throw new TypeError(`Cannot sync to ref ${branch}: only branches (refs/heads/*) are synced`);
    }
    target = await resolve(`refs/remotes/origin/${branch.slice("refs/heads/".length)}`);
    if (!target) {
      throw new Error(`Cannot sync: the repository has no commits on ${branch}`);
    }
  }
  await git(["checkout", "--quiet", "--force", "--no-recurse-submodules", "--detach", target]);
  await git(["clean", "-q", "-ffdx"]);
  return missingCommit ? { commit: target, cloned, missingCommit } : { commit: target, cloned };
}

async function defaultBranch(
  workDir: string,
  protocol: string,
  opts: GitOptions,
): Promise<string> {
  const { text } = await runGit(["-C", workDir, "ls-remote", "--symref", "origin", "HEAD"], {
    ...opts,
    allowProtocols: [protocol],
  });
  const m = /^ref: (refs\/heads\/\S+)\tHEAD$/m.exec(text);
  return m?.[1] ?? "refs/heads/main";
}

/** The commit checked out in a working copy, or null before the first sync. */
export async function headCommit(workDir: string, opts: GitOptions = {}): Promise<string | null> {
  try {
    const { text } = await runGit(
      ["-C", workDir, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"],
      opts,
    );
    return text.trim() || null;
  } catch (e) {
    if (e instanceof GitError && e.code !== null) return null;
    throw e;
  }
}

/** One entry of {@linkcode listTree}. */
export interface TreeEntry {
  path: string;
  /** Octal mode: `100644`, `100755`, `120000` (symlink), `160000` (submodule). */
  mode: string;
  type: "blob" | "tree" | "commit";
  oid: string;
  /** Blob size in bytes; null for submodules. */
  size: number | null;
}

/**
 * Lists the files under `dir` at `commit`, recursively, with sizes, read from git
 * objects (works in a bare repository, e.g. for pre-receive validation).
 */
export async function listTree(
  gitDir: string,
  commit: string,
  dir: string,
  opts: GitOptions = {},
): Promise<TreeEntry[]> {
  const { text } = await runGit(
    ["-C", gitDir, "ls-tree", "-r", "-l", "-z", "--full-tree", commit, "--", dir],
    opts,
  );
  const entries: TreeEntry[] = [];
  for (const record of text.split("\0")) {
    if (!record) continue;
    const m = /^(\d{6}) (blob|tree|commit) ([0-9a-f]+) +(-|\d+)\t(.*)$/s.exec(record);
    if (!m) throw new GitError(`Cannot read git ls-tree output: ${record}`, [], 0, "");
    const [, mode = "", type = "blob", oid = "", size = "-", path = ""] = m;
    if (type !== "blob" && type !== "tree" && type !== "commit") continue;
    entries.push({ path, mode, type, oid, size: size === "-" ? null : Number(size) });
  }
  return entries;
}

/** Zone files changed and deleted between two commits (paths relative to the repository). */
export interface ChangedFiles {
  changed: string[];
  deleted: string[];
}

/**
 * Lists the files under `dir` that changed from `fromCommit` to `toCommit`. With no base
 * (first sync) or a base that no longer exists (dropped by a force push), every file at
 * `toCommit` counts as changed. A symlink whose target changed counts as changed too,
 * since its zone's content did.
 */
export async function changedFiles(
  workDir: string,
  fromCommit: string | null,
  toCommit: string,
  dir = "zones",
  opts: GitOptions = {},
): Promise<ChangedFiles> {
  const git = (args: string[]) => runGit(["-C", workDir, ...args], opts);
  const tree = await listTree(workDir, toCommit, dir, opts);
  const files = tree.filter((e) => e.type === "blob");
  let base: string | null = null;
  if (fromCommit && SHA.test(fromCommit)) {
    try {
      await git(["cat-file", "-e", `${fromCommit}^{commit}`]);
      base = fromCommit;
    } catch {
      base = null;
    }
  }
  if (!base) return { changed: files.map((f) => f.path).sort(), deleted: [] };
  const { text } = await git([
    "diff",
    "--name-status",
    "-z",
    "--no-renames",
    "--no-textconv",
    "--no-ext-diff",
    base,
    toCommit,
    "--",
    dir,
  ]);
  const parts = text.split("\0");
  const changed = new Set<string>();
  const deleted = new Set<string>();
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const status = parts[i] ?? "";
    const path = parts[i + 1] ?? "";
    if (status.startsWith("D")) deleted.add(path);
    else changed.add(path);
  }
  await addChangedSymlinks(workDir, files, changed, deleted, opts);
  return { changed: [...changed].sort(), deleted: [...deleted].sort() };
}

async function addChangedSymlinks(
  workDir: string,
  files: TreeEntry[],
  changed: Set<string>,
  deleted: Set<string>,
  opts: GitOptions,
): Promise<void> {
  const links = files.filter((f) => f.mode === "120000");
  if (links.length === 0) return;
  const { text } = await runGit(
    ["-C", workDir, "cat-file", "--batch"],
    { ...opts, stdin: links.map((l) => l.oid).join("\n") + "\n" },
  );
  const targets = new Map<string, string>();
  let rest = text;
  for (const link of links) {
    const header = /^([0-9a-f]+) blob (\d+)\n/.exec(rest);
    if (!header) break;
    const size = Number(header[2]);
    const body = rest.slice(header[0].length, header[0].length + size);
    rest = rest.slice(header[0].length + size + 1);
    if (!body.startsWith("/")) {
      targets.set(link.path, normalizeRelative(`${dirname(link.path)}/${body}`));
    }
  }
  // Chains of links: repeat until nothing new is marked.
  for (let grew = true; grew;) {
    grew = false;
    for (const [link, target] of targets) {
      if (!changed.has(link) && (changed.has(target) || deleted.has(target))) {
        changed.add(link);
        grew = true;
      }
    }
  }
}

/** A file read, or why it was not. */
export type FileRead =
  | { ok: true; text: string; bytes: number }
  | { ok: false; reason: string; missing?: boolean };

const utf8 = new TextDecoder("utf-8", { fatal: true });

function decodeText(bytes: Uint8Array, path: string): FileRead {
  try {
    return { ok: true, text: utf8.decode(bytes), bytes: bytes.length };
  } catch {
    return { ok: false, reason: `${path} is not valid UTF-8 text` };
  }
}

/**
 * Reads `path` as it was at `commit` from git objects (e.g. the previous version of a
 * zone file), refusing anything larger than `maxBytes` before reading it.
 */
export async function readFileAt(
  workDir: string,
  commit: string,
  path: string,
  maxBytes: number,
  opts: GitOptions = {},
): Promise<FileRead> {
  const entries = await runGit(["-C", workDir, "ls-tree", "-l", "-z", commit, "--", path], opts);
  const m = /^(\d{6}) blob ([0-9a-f]+) +(\d+)\t/.exec(entries.text);
  if (!m) return { ok: false, reason: `${path} does not exist at ${commit}`, missing: true };
  const size = Number(m[3]);
  if (size > maxBytes) {
    return { ok: false, reason: `${path} is ${size} bytes, over the limit of ${maxBytes}` };
  }
  const { stdout } = await runGit(["-C", workDir, "cat-file", "blob", m[2] ?? ""], opts);
  return decodeText(stdout, path);
}

/** A zone file read from the working tree, with where it really lives. */
export type ZoneFileRead =
  | { ok: true; text: string; bytes: number; realPath: string; viaSymlink: boolean }
  | { ok: false; reason: string; missing?: boolean };

/**
 * Reads `relPath` from the working tree. Symlinks (also in parent directories) are
 * followed only while they stay inside the tree and outside `.git`; anything else is
 * refused with a reason that does not reveal where the link pointed. The size limit is
 * checked before reading.
 */
export async function resolveZoneFile(
  workDir: string,
  relPath: string,
  maxBytes: number,
): Promise<ZoneFileRead> {
  if (relPath.startsWith("/") || relPath.includes("\0") || relPath.split("/").includes("..")) {
    return { ok: false, reason: `${relPath} is not a plain path inside the repository` };
  }
  const root = await Deno.realPath(workDir);
  const full = join(root, relPath);
  let link: Deno.FileInfo;
  try {
    link = await Deno.lstat(full);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      return { ok: false, reason: `${relPath} does not exist`, missing: true };
    }
    throw e;
  }
  let real: string;
  try {
    real = await Deno.realPath(full);
  } catch {
    return { ok: false, reason: `${relPath} is a symlink to a file that does not exist` };
  }
  const inside = real.startsWith(root + "/") && real !== join(root, ".git") &&
    !real.startsWith(join(root, ".git") + "/");
  if (!inside) {
    return {
      ok: false,
      reason: `${relPath} is a symlink that leads outside the repository; only links to ` +
        `files inside it are followed`,
    };
  }
  // stat before open: opening a FIFO or device would block or never end.
  const info = await Deno.stat(real);
  if (!info.isFile) return { ok: false, reason: `${relPath} is not a regular file` };
  if (info.size > maxBytes) {
    return { ok: false, reason: `${relPath} is ${info.size} bytes, over the limit of ${maxBytes}` };
  }
  const file = await Deno.open(real, { read: true });
  try {
    // Read at most one byte past the limit, in case the file grew after stat.
    const buf = new Uint8Array(Math.min(info.size, maxBytes) + 1);
    let n = 0;
    while (n < buf.length) {
      const got = await file.read(buf.subarray(n));
      if (got === null) break;
      n += got;
    }
    if (n > maxBytes || n === buf.length) {
      return { ok: false, reason: `${relPath} changed while it was read; try again` };
    }
    const read = decodeText(buf.subarray(0, n), relPath);
    if (!read.ok) return read;
    return {
      ok: true,
      text: read.text,
      bytes: n,
      realPath: real.slice(root.length + 1),
      viaSymlink: link.isSymlink || real !== full,
    };
  } finally {
    file.close();
  }
}
