/**
 * System git on customer repositories: working copies (created on first use, then the
 * deployed branch fetched and checked out). Also re-exports the rest of the git API:
 * running git (lib/git/run.ts), one `cat-file --batch-command` per sync
 * (lib/git/batch.ts), and trees, changed files and files at a commit read through it
 * (lib/git/tree.ts).
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
import { type ObjectBatch, withObjectBatch } from "./batch.ts";
import {
  dirnamePath as dirname,
  GitError,
  type GitOptions,
  joinPath as join,
  redact,
  runGit,
} from "./run.ts";

export { GitError, type GitOptions, type GitOutput, runGit } from "./run.ts";
export { type ObjectAnswer, type ObjectBatch, openObjectBatch, withObjectBatch } from "./batch.ts";
export {
  type ChangedFiles,
  changedFiles,
  changedFilesOf,
  type FileRead,
  listTree,
  listTreeOf,
  readFileAt,
  readFileOf,
  type ResolvedPath,
  resolvePaths,
  resolvePathsOf,
  type TreeEntry,
} from "./tree.ts";

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

/** The deployed branch as {@linkcode fetchDeployed} left it in the working copy. */
export interface FetchedBranch {
  /** The source's branch (`refs/heads/main`). */
  branch: string;
  /** Where its tip now is in the working copy (`refs/remotes/origin/main`). */
  tracking: string;
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
 * The steps are exported for a caller that asks git's objects while the fetch and the
 * checkout run ({@linkcode prepareWorkingCopy}, {@linkcode fetchDeployed},
 * {@linkcode resolveTarget}, {@linkcode checkoutCommit}).
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
  if (commit !== undefined && !SHA.test(commit)) {
    throw new TypeError(`Cannot sync to ${commit}: not a full commit id`);
  }
  sourceProtocol(source);
  const cloned = await prepareWorkingCopy(workDir, opts);
  const fetched = await fetchDeployed(source, workDir, opts);
  const target = await withObjectBatch(
    workDir,
    opts,
    (batch) => resolveTarget(batch, fetched, commit),
  );
  await checkoutCommit(workDir, target.commit, opts);
  return { ...target, cloned };
}

/**
 * Makes `workDir` a working copy git may fetch into: created empty on first use (true
 * is returned then), else freed of lock files a killed git left; either way with the
 * attributes that keep checkouts byte for byte.
 */
export async function prepareWorkingCopy(workDir: string, opts: GitOptions = {}): Promise<boolean> {
  const gitDir = join(workDir, ".git");
  let created = false;
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
    created = true;
  } else {
    await removeStaleLocks(gitDir);
  }
  await Deno.mkdir(join(gitDir, "info"), { recursive: true });
  await Deno.writeTextFile(join(gitDir, "info", "attributes"), NEUTRAL_ATTRIBUTES);
  return created;
}

/**
 * Fetches the deployed branch of `source` into the working copy `workDir` (made ready
 * by {@linkcode prepareWorkingCopy}): one `git fetch`, only that branch, forced, so
 * rewritten history is taken as is; then applies `maxRepoBytes`. A branch with no
 * commit throws {@linkcode NoCommitsError}.
 */
export async function fetchDeployed(
  source: string,
  workDir: string,
  opts: GitOptions & WorkingCopyOptions = {},
): Promise<FetchedBranch> {
  const protocol = sourceProtocol(source);
  if (opts.ref !== undefined) checkBranch(opts.ref);
  const branch = opts.ref ?? await defaultBranch(workDir, source, protocol, opts);
  checkBranch(branch);
  const tracking = `refs/remotes/origin/${branch.slice("refs/heads/".length)}`;
  // Only the deployed branch is fetched: what a customer pushes to other branches never
  // lands in WORK_ROOT. Fetched from the URL itself rather than a configured remote: one
  // git process less per sync, and a changed source (local path vs REPOS_REMOTE) needs
  // no bookkeeping. No forced-update report: it walks history to say what a forced
  // fetch (all of ours are) replaced, and nobody reads it.
  try {
    await runGit(
      [
        "-C",
        workDir,
        "fetch",
        "--quiet",
        "--force",
        "--no-tags",
        "--no-recurse-submodules",
        "--no-write-fetch-head",
        "--no-show-forced-updates",
        source,
        `+${branch}:${tracking}`,
      ],
      { ...opts, allowProtocols: [protocol] },
    );
  } catch (error) {
    // Asked only once the fetch failed, so a sync that works costs no second process.
    if (!(await branchHasCommit(workDir, source, protocol, branch, opts))) {
      throw new NoCommitsError(branch);
    }
    throw error;
  }
  if (opts.maxRepoBytes !== undefined) await refuseOversize(workDir, opts.maxRepoBytes, opts);
  return { branch, tracking };
}

/**
 * The commit to check out: `commit` when the fetched objects hold it, else the fetched
 * branch tip (a later force push replaced `commit`: reported as `missingCommit`).
 */
export async function resolveTarget(
  batch: ObjectBatch,
  fetched: FetchedBranch,
  commit?: string,
): Promise<{ commit: string; missingCommit?: string }> {
  if (commit !== undefined && !SHA.test(commit)) {
    throw new TypeError(`Cannot sync to ${commit}: not a full commit id`);
  }
  const names = commit ? [`${commit}^{commit}`, `${fetched.tracking}^{commit}`] : [
    `${fetched.tracking}^{commit}`,
  ];
  const answers = await batch.info(names);
  const [asked, tip] = commit ? answers : [undefined, answers[0]];
  if (asked?.kind === "object") return { commit: asked.oid };
  if (tip?.kind !== "object") throw new NoCommitsError(fetched.branch);
  return commit ? { commit: tip.oid, missingCommit: commit } : { commit: tip.oid };
}

/**
 * Checks `commit` out in `workDir` (detached, forced) and removes every untracked and
 * ignored file, so the working tree is exactly the commit's.
 */
export async function checkoutCommit(
  workDir: string,
  commit: string,
  opts: GitOptions = {},
): Promise<void> {
  const git = (args: string[]) => runGit(["-C", workDir, ...args], opts);
  await git(["checkout", "--quiet", "--force", "--no-recurse-submodules", "--detach", commit]);
  await git(["clean", "-q", "-ffdx"]);
}

function checkBranch(ref: string): void {
  if (!/^refs\/heads\/[A-Za-z0-9._\/-]+$/.test(ref) || ref.includes("..")) {
    throw new TypeError(`Cannot sync to ref ${ref}: only branches (refs/heads/*) are synced`);
  }
}

/**
 * The branch the source's HEAD names (`main` when HEAD names none). For a repository
 * on this machine it is read from its HEAD file, a process saved on every sync; a
 * remote source, or a HEAD that is not a plain branch reference, is asked with one
 * `ls-remote`.
 */
async function defaultBranch(
  workDir: string,
  source: string,
  protocol: string,
  opts: GitOptions,
): Promise<string> {
  if (protocol === "file" && source.startsWith("/")) {
    const head = await Deno.readTextFile(join(source, "HEAD")).catch(() => "");
    const named = /^ref: (refs\/heads\/[A-Za-z0-9._\/-]+)\n?$/.exec(head)?.[1];
    if (named !== undefined && !named.includes("..")) return named;
  }
  const { text } = await runGit(["-C", workDir, "ls-remote", "--symref", source, "HEAD"], {
    ...opts,
    allowProtocols: [protocol],
  });
  return /^ref: (refs\/heads\/\S+)\tHEAD$/m.exec(text)?.[1] ?? "refs/heads/main";
}

/** Whether `branch` has a commit in `source`, from one `ls-remote`. */
async function branchHasCommit(
  workDir: string,
  source: string,
  protocol: string,
  branch: string,
  opts: GitOptions,
): Promise<boolean> {
  const { text } = await runGit(["-C", workDir, "ls-remote", source, branch], {
    ...opts,
    allowProtocols: [protocol],
  });
  return text.split("\n").some((l) =>
    /^[0-9a-f]{40}([0-9a-f]{24})?\t/.test(l) && l.endsWith(`\t${branch}`)
  );
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
