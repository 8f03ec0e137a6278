/**
 * Reading zone files from a working tree without leaving it: symlinks are followed only
 * while they stay inside the tree (and outside `.git`), sizes are checked before reading.
 *
 * @module
 */

import { joinPath as join } from "./run.ts";
import { decodeText } from "./tree.ts";

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
