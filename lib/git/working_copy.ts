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
  // Fetch from the URL itself rather than a configured remote: one git process less
  // per sync, and a changed source (local path vs REPOS_REMOTE) needs no bookkeeping.
  await git(
    [
      "fetch",
      "--quiet",
      "--force",
      "--prune",
      "--no-tags",
      "--no-recurse-submodules",
      "--no-write-fetch-head",
      source,
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
    const branch = opts.ref ?? await defaultBranch(workDir, source, protocol, opts);
    if (!/^refs\/heads\/[A-Za-z0-9._\/-]+$/.test(branch) || branch.includes("..")) {
      throw new TypeError(`Cannot sync to ref ${branch}: only branches (refs/heads/*) are synced`);
    }
    target = await resolve(`refs/remotes/origin/${branch.slice("refs/heads/".length)}`);
    if (!target) throw new NoCommitsError(branch);
  }
  await git(["checkout", "--quiet", "--force", "--no-recurse-submodules", "--detach", target]);
  await git(["clean", "-q", "-ffdx"]);
  return missingCommit ? { commit: target, cloned, missingCommit } : { commit: target, cloned };
}

async function defaultBranch(
  workDir: string,
  source: string,
  protocol: string,
  opts: GitOptions,
): Promise<string> {
  const { text } = await runGit(["-C", workDir, "ls-remote", "--symref", source, "HEAD"], {
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
