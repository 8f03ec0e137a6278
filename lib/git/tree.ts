/**
 * Reading git objects: trees with sizes, the files changed between two commits, and a
 * file as it was at a commit. Works on working copies and on bare repositories.
 *
 * @module
 */

import {
  dirnamePath as dirname,
  GitError,
  type GitOptions,
  normalizeRelativePath as normalizeRelative,
  runGit,
} from "./run.ts";

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
