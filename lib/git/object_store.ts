/**
 * Read-only git access for the pre-receive hook: which zone files a ref update touches,
 * and their blobs, read from the object store (quarantine included) without a working
 * tree. git runs with argument arrays, no shell, no prompts, no hooks, literal
 * pathspecs, no replace refs, and is killed at the run's deadline.
 *
 * @module
 */

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

/** Runs git and returns its stdout; throws with git's message on failure or timeout. */
export async function runGit(
  git: GitContext,
  args: string[],
  stdin?: Uint8Array,
): Promise<Uint8Array> {
  const remaining = git.deadline - Date.now();
  if (remaining <= 0) throw new Error("the time limit was reached");
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), remaining);
  try {
    const child = new Deno.Command("git", {
      args: [
        "-c",
        "core.hooksPath=/dev/null",
        "--literal-pathspecs",
        `--git-dir=${git.gitDir}`,
        ...args,
      ],
      cwd: git.gitDir,
      env: {
        ...git.env,
        GIT_TERMINAL_PROMPT: "0",
        GIT_NO_REPLACE_OBJECTS: "1",
        GIT_OPTIONAL_LOCKS: "0",
      },
      stdin: stdin ? "piped" : "null",
      stdout: "piped",
      stderr: "piped",
      signal: controller.signal,
    }).spawn();
    const output = child.output();
    if (stdin) {
      const writer = child.stdin.getWriter();
      await writer.write(stdin);
      await writer.close();
    }
    const { code, stdout, stderr } = await output;
    if (controller.signal.aborted) throw new Error(`git ${args[0]} was stopped at the time limit`);
    if (code !== 0) {
      const detail = decoder.decode(stderr).trim().split("\n")[0] ?? "";
      throw new Error(`git ${args[0]} failed (exit ${code}): ${detail}`);
    }
    return stdout;
  } finally {
    clearTimeout(timer);
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
      decoder.decode(await runGit(git, ["ls-tree", "-r", "-z", newTip, "--", `${dir}/`])),
    )
    : parseDiffTree(
      decoder.decode(
        await runGit(git, [
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
  const input = new TextEncoder().encode(oids.map((o) => o + "\n").join(""));
  const text = decoder.decode(await runGit(git, ["cat-file", "--batch-check"], input));
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
  const input = new TextEncoder().encode(unique.map((o) => o + "\n").join(""));
  const out = await runGit(git, ["cat-file", "--batch"], input);
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
