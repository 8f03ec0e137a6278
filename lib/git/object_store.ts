/**
 * Read-only git access for the pre-receive hook: which zone files a ref update touches,
 * and their blobs, read from the object store (quarantine included) without a working
 * tree. git runs through lib/git/run.ts, under the same safety policy as the worker's
 * (cleared environment and config, no hooks, prompts or replace refs, literal
 * pathspecs), and is killed at the run's deadline.
 *
 * @module
 */

import { GitError, runGit } from "./run.ts";

/** What every git call needs: the repository, the hook's environment, the deadline. */
export interface GitContext {
  /** The repository (bare), absolute. */
  gitDir: string;
  /** Variables passed on to git: the quarantine directories above all. */
  env: Record<string, string>;
  /** Epoch ms after which git is killed. */
  deadline: number;
}

/** One regular file of a tree that a push adds or changes. */
export interface TreeEntry {
  /** Path from the repository root, e.g. `zones/shop.test`. */
  path: string;
  /** Blob object name. */
  oid: string;
  /** Size in bytes. */
  size: number;
  /** Only `blob` entries that are regular files are returned as such. */
  type: "blob" | "other";
}

const decoder = new TextDecoder();

/**
 * A bound on memory only: callers bound what they read (pre-receive reads at most
 * 64 MiB of zone files), and `cat-file --batch` adds a header per blob on top.
 */
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

/**
 * Runs git in the repository and returns its stdout; throws with git's message on
 * failure or at the deadline (the wording the pusher sees when validation is skipped).
 */
async function readGit(git: GitContext, args: string[], stdin?: string): Promise<Uint8Array> {
  const remaining = git.deadline - Date.now();
  if (remaining <= 0) throw new Error("the time limit was reached");
  try {
    const { stdout } = await runGit(["-C", git.gitDir, ...args], {
      // GIT_DIR names the repository explicitly (no discovery); the optional locks are
      // left to receive-pack, which runs beside this hook.
      env: { ...git.env, GIT_DIR: git.gitDir, GIT_OPTIONAL_LOCKS: "0" },
      timeoutMs: remaining,
      maxOutputBytes: MAX_OUTPUT_BYTES,
      ...(stdin === undefined ? {} : { stdin }),
    });
    return stdout;
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    // A kill at the deadline: runGit's timer started after `remaining` was taken.
    if (error.code === null && Date.now() >= git.deadline) {
      throw new Error(`git ${args[0]} was stopped at the time limit`, { cause: error });
    }
    if (error.code === null) throw error;
    const detail = error.stderr.split("\n")[0] ?? "";
    throw new Error(`git ${args[0]} failed (exit ${error.code}): ${detail}`, { cause: error });
  }
}

/** Parses NUL-terminated `ls-tree -r -z` output into (mode, type, oid, path). */
export function parseLsTree(text: string): { mode: string; oid: string; path: string }[] {
  const out: { mode: string; oid: string; path: string }[] = [];
  for (const record of text.split("\0")) {
    const m = /^(\d{6}) \S+ ([0-9a-f]+)\t(.*)$/s.exec(record);
    if (m) out.push({ mode: m[1]!, oid: m[2]!, path: m[3]! });
  }
  return out;
}

/** Parses `diff-tree -r -z` raw output, keeping the new side of each change. */
export function parseDiffTree(text: string): { mode: string; oid: string; path: string }[] {
  const out: { mode: string; oid: string; path: string }[] = [];
  const fields = text.split("\0");
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const m = /^:\d{6} (\d{6}) [0-9a-f]+ ([0-9a-f]+) [A-Z]\d*$/.exec(fields[i]!);
    if (m) out.push({ mode: m[1]!, oid: m[2]!, path: fields[i + 1]! });
  }
  return out;
}

/** Regular files only: a symlink (120000) or submodule (160000) is the worker's business. */
function isRegularFile(mode: string): boolean {
  return mode === "100644" || mode === "100755";
}

/**
 * Lists the regular files under `dir/` that `newTip` adds or changes compared with
 * `oldTip`, or all of them when there is no old tip, with their sizes.
 */
export async function treeEntries(
  git: GitContext,
  oldTip: string | undefined,
  newTip: string,
  dir: string,
): Promise<TreeEntry[]> {
  const raw = oldTip === undefined
    ? parseLsTree(
      decoder.decode(await readGit(git, ["ls-tree", "-r", "-z", newTip, "--", `${dir}/`])),
    )
    : parseDiffTree(
      decoder.decode(
        await readGit(git, [
          "diff-tree",
          "-r",
          "-z",
          "--no-renames",
          "--diff-filter=ACMT",
          oldTip,
          newTip,
          "--",
          `${dir}/`,
        ]),
      ),
    );
  const files = raw.filter((e) => isRegularFile(e.mode));
  if (files.length === 0) return [];
  const sizes = await blobSizes(git, files.map((f) => f.oid));
  return files.map((f) => ({
    path: f.path,
    oid: f.oid,
    size: sizes.get(f.oid) ?? 0,
    type: sizes.has(f.oid) ? "blob" : "other",
  }));
}

async function blobSizes(git: GitContext, oids: string[]): Promise<Map<string, number>> {
  const input = oids.map((o) => o + "\n").join("");
  const text = decoder.decode(await readGit(git, ["cat-file", "--batch-check"], input));
  const sizes = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^([0-9a-f]+) blob (\d+)$/.exec(line);
    if (m) sizes.set(m[1]!, Number(m[2]));
  }
  return sizes;
}

/** Reads blobs with one `cat-file --batch`; a missing object is left out of the map. */
export async function readBlobs(git: GitContext, oids: string[]): Promise<Map<string, Uint8Array>> {
  const blobs = new Map<string, Uint8Array>();
  const unique = [...new Set(oids)];
  if (unique.length === 0) return blobs;
  const input = unique.map((o) => o + "\n").join("");
  const out = await readGit(git, ["cat-file", "--batch"], input);
  let pos = 0;
  while (pos < out.length) {
    const eol = out.indexOf(0x0a, pos);
    if (eol < 0) break;
    const header = decoder.decode(out.subarray(pos, eol));
    pos = eol + 1;
    const m = /^([0-9a-f]+) (\S+) (\d+)$/.exec(header);
    if (!m) continue; // "<oid> missing"
    const size = Number(m[3]);
    if (m[2] === "blob") blobs.set(m[1]!, out.slice(pos, pos + size));
    pos += size + 1; // content, then a line feed
  }
  return blobs;
}
