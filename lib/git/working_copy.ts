/**
 * System git on customer repositories: working copies (clone on first use, then fetch
 * and reset). Also re-exports the rest of the git API: running git (lib/git/run.ts),
 * reading trees and changed files (lib/git/tree.ts) and reading zone files from a
 * working tree (lib/git/worktree.ts).
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

import { UnrecoverableError } from "../errors.ts";
import {
  dirnamePath as dirname,
  GitError,
  type GitOptions,
  joinPath as join,
  redact,
  runGit,
} from "./run.ts";

export { GitError, type GitOptions, type GitOutput, runGit } from "./run.ts";
export {
  type ChangedFiles,
  changedFiles,
  type FileRead,
  listTree,
  readFileAt,
  type ResolvedPath,
  resolvePaths,
  type TreeEntry,
} from "./tree.ts";
export { resolveZoneFile, type ZoneFileRead } from "./worktree.ts";

/**
 * Overrides for every path, written to `info/attributes`, which outranks in-tree
 * `.gitattributes` files: no filter driver (smudge/clean/process), no line-ending or
 * encoding conversion, no `$Id$` expansion. Files are checked out byte for byte.
 */
export const NEUTRAL_ATTRIBUTES =
  "* -filter -text -ident !eol !working-tree-encoding -diff -merge\n";

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

/**
 * The branch to sync has no commit: a repository nobody pushed to yet. Thrown by
 * {@linkcode syncWorkingCopy} so a caller can tell "nothing to sync yet" from a failure
 * by type, never by reading the message.
 */
export class NoCommitsError extends Error {
  /** The branch that has no commit (`refs/heads/main`). */
  readonly branch: string;
  constructor(branch: string) {
    super(`Cannot sync: the repository has no commits on ${branch}`);
    this.name = "NoCommitsError";
    this.branch = branch;
  }
}

/**
 * The deployed branch's history is larger than the operator's limit
 * (`DNSAPI_MAX_REPO_BYTES`). Retrying cannot help until the customer shrinks it, so it
 * is an {@linkcode UnrecoverableError}: the job fails at once with this message.
 */
export class RepositoryTooLargeError extends UnrecoverableError {
  /** What the fetched objects take, in bytes. */
  readonly bytes: number;
  /** The limit, in bytes. */
  readonly maxBytes: number;
  constructor(bytes: number, maxBytes: number) {
    const mib = (n: number) =>
      n >= 1048576 ? `${(n / 1048576).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`;
    super(
      `Cannot sync: the deployed branch's history takes ${mib(bytes)}, over the limit of ` +
        `${mib(maxBytes)}; remove large files from its history (git filter-repo) and force-push`,
    );
    this.name = "RepositoryTooLargeError";
    this.bytes = bytes;
    this.maxBytes = maxBytes;
  }
}

/** Options of {@linkcode syncWorkingCopy} beside git's own. */
export interface WorkingCopyOptions {
  /** The branch to sync (`refs/heads/main`); default: the one the source's HEAD names. */
  ref?: string;
  /** Refuse (and remove) a working copy whose objects take more bytes than this. */
  maxRepoBytes?: number;
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
 * it) falls back to `ref` or the default branch, reported as `missingCommit`. A branch
 * with no commit (nothing pushed yet) throws {@linkcode NoCommitsError}.
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
  opts: GitOptions & WorkingCopyOptions = {},
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
  if (opts.ref !== undefined) checkBranch(opts.ref);
  const { branch, hasCommit } = await deployedBranch(workDir, source, protocol, opts);
  checkBranch(branch);
  if (!hasCommit) throw new NoCommitsError(branch);
  const tracking = `refs/remotes/origin/${branch.slice("refs/heads/".length)}`;
  // Only the deployed branch is fetched: what a customer pushes to other branches never
  // lands in WORK_ROOT. Fetched from the URL itself rather than a configured remote: one
  // git process less per sync, and a changed source (local path vs REPOS_REMOTE) needs
  // no bookkeeping.
  await git(
    [
      "fetch",
      "--quiet",
      "--force",
      "--no-tags",
      "--no-recurse-submodules",
      "--no-write-fetch-head",
      source,
      `+${branch}:${tracking}`,
    ],
    { allowProtocols: [protocol] },
  );
  if (opts.maxRepoBytes !== undefined) await refuseOversize(workDir, opts.maxRepoBytes, opts);
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
    target = await resolve(tracking);
    if (!target) throw new NoCommitsError(branch);
  }
  await git(["checkout", "--quiet", "--force", "--no-recurse-submodules", "--detach", target]);
  await git(["clean", "-q", "-ffdx"]);
  return missingCommit ? { commit: target, cloned, missingCommit } : { commit: target, cloned };
}

function checkBranch(ref: string): void {
  if (!/^refs\/heads\/[A-Za-z0-9._\/-]+$/.test(ref) || ref.includes("..")) {
    throw new TypeError(`Cannot sync to ref ${ref}: only branches (refs/heads/*) are synced`);
  }
}

/**
 * The branch to deploy — `opts.ref`, else the one the source's HEAD names (`main` when
 * HEAD is unborn) — and whether it has a commit yet, from one `ls-remote`.
 */
async function deployedBranch(
  workDir: string,
  source: string,
  protocol: string,
  opts: GitOptions & WorkingCopyOptions,
): Promise<{ branch: string; hasCommit: boolean }> {
  const asked = opts.ref ?? "HEAD";
  const { text } = await runGit(["-C", workDir, "ls-remote", "--symref", source, asked], {
    ...opts,
    allowProtocols: [protocol],
  });
  const lines = text.split("\n");
  const hasCommit = lines.some((l) =>
    /^[0-9a-f]{40}([0-9a-f]{24})?\t/.test(l) && l.endsWith(`\t${asked}`)
  );
  if (opts.ref !== undefined) return { branch: opts.ref, hasCommit };
  const symref = /^ref: (refs\/heads\/\S+)\tHEAD$/m.exec(text)?.[1];
  return { branch: symref ?? "refs/heads/main", hasCommit };
}

/**
 * The bytes a working copy's objects take (loose and packed, as `git count-objects`
 * counts them). A fetch that made it larger than `maxBytes` is undone by removing the
 * whole working copy, so nothing over the limit stays in WORK_ROOT.
 */
async function refuseOversize(workDir: string, maxBytes: number, opts: GitOptions): Promise<void> {
  const { text } = await runGit(["-C", workDir, "count-objects", "-v"], opts);
  const kib = (field: string) => Number(new RegExp(`^${field}: (\\d+)$`, "m").exec(text)?.[1] ?? 0);
  const bytes = (kib("size") + kib("size-pack")) * 1024;
  if (bytes <= maxBytes) return;
  await Deno.remove(workDir, { recursive: true });
  throw new RepositoryTooLargeError(bytes, maxBytes);
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
