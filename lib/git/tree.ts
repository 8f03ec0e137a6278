/**
 * Reading git objects: trees with sizes, the files changed between two commits, and a
 * file as it was at a commit. Works on working copies and on bare repositories.
 *
 * @module
 */

import { GitError, type GitOptions, runGit } from "./run.ts";

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
  await addChangedSymlinks(workDir, base, toCommit, files, changed, opts);
  return { changed: [...changed].sort(), deleted: [...deleted].sort() };
}

async function addChangedSymlinks(
  workDir: string,
  base: string,
  toCommit: string,
  files: TreeEntry[],
  changed: Set<string>,
  opts: GitOptions,
): Promise<void> {
  // A link's own blob changes only with its text: compare what it leads to instead, at
  // both commits, so a change of its target (anywhere in the tree, through any chain of
  // links) makes it changed too.
  const links = files.filter((f) => f.mode === "120000" && !changed.has(f.path));
  if (links.length === 0) return;
  const before = await resolvePaths(workDir, base, links.map((l) => l.path), opts);
  const after = await resolvePaths(workDir, toCommit, links.map((l) => l.path), opts);
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
 * Resolves `paths` at `commit` following in-tree symlinks (one `git cat-file
 * --batch-check --follow-symlinks`), in the order given. A path git cannot take on one
 * line (it holds a line feed) comes back `unreadable`.
 *
 * @example
 * ```ts
 * const [shop] = await resolvePaths(workDir, head, ["zones/shop.test"]);
 * if (shop?.kind === "blob") console.log(shop.oid, shop.size);
 * ```
 */
export async function resolvePaths(
  gitDir: string,
  commit: string,
  paths: readonly string[],
  opts: GitOptions = {},
): Promise<ResolvedPath[]> {
  const asked = paths.filter((p) => !p.includes("\n"));
  const answers: ResolvedPath[] = [];
  if (asked.length > 0) {
    const { stdout } = await runGit(
      ["-C", gitDir, "cat-file", "--batch-check", "--follow-symlinks"],
      { ...opts, stdin: asked.map((p) => `${commit}:${p}\n`).join("") },
    );
    answers.push(...parseResolved(stdout));
  }
  let next = 0;
  return paths.map((p) =>
    p.includes("\n")
      ? { kind: "unreadable", why: "not-a-file" }
      : answers[next++] ?? { kind: "missing" }
  );
}

const latin1 = new TextDecoder("latin1");

/**
 * Reads `cat-file --batch-check --follow-symlinks` output. Some answers are a header
 * with a size and then that many bytes of a name (which may be any bytes, a line feed
 * included): offsets are counted in bytes, on the raw output, never in a decoded string.
 */
export function parseResolved(out: Uint8Array): ResolvedPath[] {
  const answers: ResolvedPath[] = [];
  let pos = 0;
  while (pos < out.length) {
    const eol = out.indexOf(0x0a, pos);
    if (eol < 0) break;
    const header = latin1.decode(out.subarray(pos, eol));
    pos = eol + 1;
    const object = /^([0-9a-f]{40,64}) (\S+) (\d+)$/.exec(header);
    if (object) {
      answers.push(
        object[2] === "blob"
          ? { kind: "blob", oid: object[1] ?? "", size: Number(object[3]) }
          : { kind: "unreadable", why: "not-a-file" },
      );
      continue;
    }
    const named = /^(symlink|dangling|loop|notdir) (\d+)$/.exec(header);
    if (named) {
      pos += Number(named[2]) + 1; // the name, then a line feed
      const why = named[1];
      answers.push(
        why === "symlink"
          ? { kind: "outside" }
          : { kind: "unreadable", why: why === "loop" || why === "notdir" ? why : "dangling" },
      );
      continue;
    }
    // "<name> missing" or "<name> ambiguous"
    answers.push({ kind: "missing" });
  }
  return answers;
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

/**
 * Reads `path` as it was at `commit` from git objects (e.g. the previous version of a
 * zone file), refusing anything larger than `maxBytes` before reading it. A symlink is
 * followed as the working tree follows it (inside the tree only), so a linked zone
 * file's previous version is its target's content then, never the link's text.
 */
export async function readFileAt(
  workDir: string,
  commit: string,
  path: string,
  maxBytes: number,
  opts: GitOptions = {},
): Promise<FileRead> {
  const [found] = await resolvePaths(workDir, commit, [path], opts);
  if (found === undefined || found.kind === "missing") {
    return { ok: false, reason: `${path} does not exist at ${commit}`, missing: true };
  }
  if (found.kind === "outside") {
    return { ok: false, reason: `${path} is a symlink that leads outside the repository` };
  }
  if (found.kind !== "blob") return { ok: false, reason: `${path} is not a file at ${commit}` };
  if (found.size > maxBytes) {
    return { ok: false, reason: `${path} is ${found.size} bytes, over the limit of ${maxBytes}` };
  }
  const { stdout } = await runGit(["-C", workDir, "cat-file", "blob", found.oid], opts);
  return decodeText(stdout, path);
}
