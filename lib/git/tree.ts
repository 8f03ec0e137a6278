/**
 * Reading git objects: trees with sizes, the files changed between two commits, and a
 * file as it was at a commit. Works on working copies and on bare repositories.
 *
 * @module
 */

import { UnrecoverableError } from "../errors.ts";
import { type ObjectBatch, withObjectBatch } from "./batch.ts";
import type { GitOptions } from "./run.ts";

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

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

const names = new TextDecoder();
const TYPE_OF_MODE: Record<string, TreeEntry["type"]> = {
  "040000": "tree",
  "100644": "blob",
  "100755": "blob",
  "120000": "blob",
  "160000": "commit",
};

/** The entries of a tree object's bytes: mode, name and object id of each, in tree order. */
export function parseTreeObject(
  bytes: Uint8Array,
  oidBytes: number,
): { mode: string; name: string; oid: string }[] {
  const entries: { mode: string; name: string; oid: string }[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const space = bytes.indexOf(0x20, pos);
    const nul = bytes.indexOf(0, space + 1);
    if (space < 0 || nul < 0 || nul + 1 + oidBytes > bytes.length) {
      throw new RangeError("Cannot read a git tree object: it ends inside an entry");
    }
    const mode = names.decode(bytes.subarray(pos, space)).padStart(6, "0");
    const name = names.decode(bytes.subarray(space + 1, nul));
    const raw = bytes.subarray(nul + 1, nul + 1 + oidBytes);
    const oid = Array.from(raw, (b) => b.toString(16).padStart(2, "0")).join("");
    entries.push({ mode, name, oid });
    pos = nul + 1 + oidBytes;
  }
  return entries;
}

/**
 * The most bytes of tree objects one listing reads (as `ls-tree` output was capped
 * before): a tree of millions of entries compresses to little in a pack, so the
 * repository size limit alone does not bound it.
 */
export const MAX_TREE_BYTES = 64 * 1024 * 1024;

/**
 * Lists the files under `dir` at `commit` from the objects `batch` reads, as
 * `git ls-tree -r -l --full-tree <commit> -- <dir>` would: every blob and submodule
 * below `dir` (recursively, in tree order) with blob sizes; `dir` itself when it is a
 * file, a symlink or a submodule; nothing when it is absent.
 */
export async function listTreeOf(
  batch: ObjectBatch,
  commit: string,
  dir: string,
  maxTreeBytes = MAX_TREE_BYTES,
): Promise<TreeEntry[]> {
  let budget = maxTreeBytes;
  const readTree = async (name: string) => {
    const tree = await batch.contents(name, budget).catch((error) => {
      if (!(error instanceof RangeError)) throw error;
      throw new UnrecoverableError(
        `Cannot list ${dir}: its trees take more than ${maxTreeBytes} bytes; keep fewer files`,
        { cause: error },
      );
    });
    budget -= tree?.bytes.length ?? 0;
    return tree;
  };
  const root = await readTree(`${commit}^{tree}`);
  if (root === null) throw new TypeError(`Cannot list ${dir} at ${commit}: no such commit`);
  const oidBytes = root.oid.length / 2;
  const found: Omit<TreeEntry, "size">[] = [];
  const walk = async (bytes: Uint8Array, prefix: string, rest: string[]): Promise<void> => {
    for (const e of parseTreeObject(bytes, oidBytes)) {
      const type = TYPE_OF_MODE[e.mode];
      if (type === undefined) continue;
      const path = prefix ? `${prefix}/${e.name}` : e.name;
      const [next, ...after] = rest;
      if (next !== undefined && e.name !== next) continue;
      if (type === "tree") {
        const sub = await readTree(e.oid);
        if (sub?.type === "tree") await walk(sub.bytes, path, after);
      } else if (after.length === 0) {
        found.push({ path, mode: e.mode, type, oid: e.oid });
      }
    }
  };
  await walk(root.bytes, "", dir.split("/").filter((part) => part !== ""));
  const blobs = found.filter((e) => e.type === "blob");
  const sizes = await batch.info(blobs.map((e) => e.oid));
  const sizeOf = new Map(blobs.map((e, i) => {
    const a = sizes[i];
    return [e.oid, a?.kind === "object" ? a.size : 0];
  }));
  return found.map((e) => ({ ...e, size: e.type === "blob" ? sizeOf.get(e.oid) ?? 0 : null }));
}

/**
 * Lists the files under `dir` at `commit`, recursively, with sizes, read from git
 * objects (works in a bare repository). One git process; a sync that asks more of git
 * keeps one {@linkcode ObjectBatch} open and calls {@linkcode listTreeOf}.
 */
export function listTree(
  gitDir: string,
  commit: string,
  dir: string,
  opts: GitOptions = {},
): Promise<TreeEntry[]> {
  return withObjectBatch(gitDir, opts, (batch) => listTreeOf(batch, commit, dir));
}

/** Zone files changed and deleted between two commits (paths relative to the repository). */
export interface ChangedFiles {
  changed: string[];
  deleted: string[];
}

/**
 * Lists the files under `dir` that changed from `fromCommit` to `toCommit` (as
 * `git diff --name-status --no-renames` would: added, modified or changed in type
 * count as changed). With no base (first sync) or a base that no longer exists
 * (dropped by a force push), every file at `toCommit` counts as changed. A symlink
 * whose target changed counts as changed too, since its zone's content did.
 * `toTree` is `toCommit`'s listing of `dir` when the caller has it already.
 */
export async function changedFilesOf(
  batch: ObjectBatch,
  fromCommit: string | null,
  toCommit: string,
  dir = "zones",
  toTree?: readonly TreeEntry[],
): Promise<ChangedFiles> {
  const after = toTree ?? await listTreeOf(batch, toCommit, dir);
  const files = after.filter((e) => e.type === "blob");
  let base: string | null = null;
  if (fromCommit && SHA.test(fromCommit)) {
    const [found] = await batch.info([`${fromCommit}^{commit}`]);
    if (found?.kind === "object") base = fromCommit;
  }
  if (!base) return { changed: files.map((f) => f.path).sort(), deleted: [] };
  const before = new Map((await listTreeOf(batch, base, dir)).map((e) => [e.path, e]));
  const now = new Set(after.map((e) => e.path));
  const changed = new Set<string>();
  for (const e of after) {
    const old = before.get(e.path);
    if (old === undefined || old.oid !== e.oid || old.mode !== e.mode) changed.add(e.path);
  }
  const deleted = [...before.keys()].filter((path) => !now.has(path));
  await addChangedSymlinks(batch, base, toCommit, files, changed);
  return { changed: [...changed].sort(), deleted: deleted.sort() };
}

/** {@linkcode changedFilesOf} with a git process of its own. */
export function changedFiles(
  workDir: string,
  fromCommit: string | null,
  toCommit: string,
  dir = "zones",
  opts: GitOptions = {},
): Promise<ChangedFiles> {
  return withObjectBatch(
    workDir,
    opts,
    (batch) => changedFilesOf(batch, fromCommit, toCommit, dir),
  );
}

async function addChangedSymlinks(
  batch: ObjectBatch,
  base: string,
  toCommit: string,
  files: TreeEntry[],
  changed: Set<string>,
): Promise<void> {
  // A link's own blob changes only with its text: compare what it leads to instead, at
  // both commits, so a change of its target (anywhere in the tree, through any chain of
  // links) makes it changed too.
  const links = files.filter((f) => f.mode === "120000" && !changed.has(f.path));
  if (links.length === 0) return;
  const before = await resolvePathsOf(batch, base, links.map((l) => l.path));
  const after = await resolvePathsOf(batch, toCommit, links.map((l) => l.path));
  links.forEach((link, i) => {
    if (!sameResolution(before[i], after[i])) changed.add(link.path);
  });
}

/**
 * What a path names at a commit once the symlinks inside the tree are followed (the
 * path's own link, links in its directories, chains): a blob with its id and size in
 * bytes, or why there is none. Links that leave the tree are never followed.
 */
export type ResolvedPath =
  | { kind: "blob"; oid: string; size: number }
  /** No such path at the commit. */
  | { kind: "missing" }
  /** A link leads out of the tree (absolute, or `..` above its top). */
  | { kind: "outside" }
  /** A link to nothing, a loop of links, a directory or a submodule. */
  | { kind: "unreadable"; why: "dangling" | "loop" | "notdir" | "not-a-file" };

/**
 * Resolves `paths` at `commit` following in-tree symlinks, in the order given, with
 * the questions asked of `batch` at once. A path git cannot take on one line (it holds
 * a line feed) comes back `unreadable`.
 */
export async function resolvePathsOf(
  batch: ObjectBatch,
  commit: string,
  paths: readonly string[],
): Promise<ResolvedPath[]> {
  const asked = paths.filter((p) => !p.includes("\n"));
  const answers = await batch.info(asked.map((p) => `${commit}:${p}`));
  let next = 0;
  return paths.map((p): ResolvedPath => {
    if (p.includes("\n")) return { kind: "unreadable", why: "not-a-file" };
    const a = answers[next++];
    switch (a?.kind) {
      case "object":
        return a.type === "blob"
          ? { kind: "blob", oid: a.oid, size: a.size }
          : { kind: "unreadable", why: "not-a-file" };
      case "symlink":
        return { kind: "outside" };
      case "dangling":
      case "loop":
      case "notdir":
        return { kind: "unreadable", why: a.kind };
      default:
        return { kind: "missing" };
    }
  });
}

/**
 * {@linkcode resolvePathsOf} with a git process of its own.
 *
 * @example
 * ```ts
 * const [shop] = await resolvePaths(workDir, head, ["zones/shop.test"]);
 * if (shop?.kind === "blob") console.log(shop.oid, shop.size);
 * ```
 */
export function resolvePaths(
  gitDir: string,
  commit: string,
  paths: readonly string[],
  opts: GitOptions = {},
): Promise<ResolvedPath[]> {
  return withObjectBatch(gitDir, opts, (batch) => resolvePathsOf(batch, commit, paths));
}

function sameResolution(a: ResolvedPath | undefined, b: ResolvedPath | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if (a.kind === "blob" && b.kind === "blob") return a.oid === b.oid;
  return a.kind === b.kind && a.kind !== "blob";
}

/** A file read, or why it was not. */
export type FileRead =
  | { ok: true; text: string; bytes: number }
  | { ok: false; reason: string; missing?: boolean };

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes a file as strict UTF-8, or says it is not UTF-8 text. */
export function decodeText(bytes: Uint8Array, path: string): FileRead {
  try {
    return { ok: true, text: utf8.decode(bytes), bytes: bytes.length };
  } catch {
    return { ok: false, reason: `${path} is not valid UTF-8 text` };
  }
}

/** Why a resolved path cannot be read as a file, in words a customer can act on. */
function unreadableReason(path: string, found: ResolvedPath): FileRead {
  switch (found.kind) {
    case "missing":
      return { ok: false, reason: `${path} does not exist`, missing: true };
    case "outside":
      return {
        ok: false,
        reason: `${path} is a symlink that leads outside the repository; only links to ` +
          `files inside it are followed`,
      };
    case "unreadable":
      if (found.why === "dangling") {
        return { ok: false, reason: `${path} is a symlink to a file that does not exist` };
      }
      if (found.why === "loop") {
        return { ok: false, reason: `${path} is a symlink that leads back to itself (a loop)` };
      }
      return { ok: false, reason: `${path} is not a regular file` };
    default:
      return { ok: false, reason: `${path} is not a regular file` };
  }
}

/**
 * Reads `path` as it is at `commit` from git objects, refusing anything larger than
 * `maxBytes` before reading it. A symlink is followed as a checkout would follow it,
 * inside the tree only, so a linked zone file reads as its target's content then,
 * never as the link's text; a link out of the tree is refused without saying where
 * it led.
 */
export async function readFileOf(
  batch: ObjectBatch,
  commit: string,
  path: string,
  maxBytes: number,
): Promise<FileRead> {
  const [found] = await resolvePathsOf(batch, commit, [path]);
  if (found === undefined || found.kind !== "blob") {
    return unreadableReason(path, found ?? { kind: "missing" });
  }
  if (found.size > maxBytes) {
    return { ok: false, reason: `${path} is ${found.size} bytes, over the limit of ${maxBytes}` };
  }
  // By object id, not by path: the bytes read are the ones whose size was checked.
  const blob = await batch.contents(found.oid);
  if (blob === null) return unreadableReason(path, { kind: "missing" });
  return decodeText(blob.bytes, path);
}

/** {@linkcode readFileOf} with a git process of its own. */
export function readFileAt(
  workDir: string,
  commit: string,
  path: string,
  maxBytes: number,
  opts: GitOptions = {},
): Promise<FileRead> {
  return withObjectBatch(workDir, opts, (batch) => readFileOf(batch, commit, path, maxBytes));
}
