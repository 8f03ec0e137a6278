/**
 * Paths in jobs: lexical normalising (no node:path, for the hook's start-up) and the
 * check that a job's repository is exactly `REPOS_ROOT/<user>`.
 *
 * @module
 */

import { isValidUser, USER_PATTERN } from "./contract.ts";
import { messageOf } from "../util/message.ts";

/**
 * Normalises a POSIX path lexically: collapses `//` and `.`, resolves `..`, drops a
 * trailing slash. (node:path is not imported to keep the hook's start-up small.)
 */
export function normalizePath(path: string): string {
  const absolute = path.startsWith("/");
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && parts.length > 0 && parts[parts.length - 1] !== "..") parts.pop();
    else if (part !== ".." || !absolute) parts.push(part);
  }
  const joined = parts.join("/");
  return absolute ? `/${joined}` : joined || ".";
}

/**
 * Why `repo` is not exactly `reposRoot/<user>`, or `undefined` when it is.
 *
 * The job is untrusted: the path must be absolute, already normal (no `.`/`..`
 * segments, no doubled slashes) and equal to the expected one, so `..` and look-alike
 * paths are refused rather than resolved. Symlinks are a matter of the file system:
 * the worker uses the path derived from its own config and may check it with
 * {@linkcode realRepoProblem}.
 *
 * @example
 * ```ts
 * repoProblem("/repos/steve", "steve", "/repos"); // undefined
 * repoProblem("/repos/alice/../steve", "steve", "/repos"); // "repo … is not …"
 * ```
 */
export function repoProblem(repo: string, user: string, reposRoot: string): string | undefined {
  if (!isValidUser(user)) return `user ${JSON.stringify(user)} does not match ${USER_PATTERN}`;
  const expected = `${normalizePath(reposRoot).replace(/\/$/, "")}/${user}`;
  const trimmed = repo.length > 1 ? repo.replace(/\/$/, "") : repo;
  if (!repo.startsWith("/") || normalizePath(trimmed) !== trimmed || trimmed !== expected) {
    return `repo ${JSON.stringify(repo)} is not ${expected}`;
  }
  return undefined;
}

/**
 * Checks on the file system that `reposRoot/<user>` really is a directory inside
 * `reposRoot` (not a symlink to another user's repository or elsewhere). Returns the
 * reason it is not, or `undefined`.
 */
export async function realRepoProblem(
  user: string,
  reposRoot: string,
): Promise<string | undefined> {
  const path = `${normalizePath(reposRoot)}/${user}`;
  try {
    const [root, real] = await Promise.all([Deno.realPath(reposRoot), Deno.realPath(path)]);
    if (real !== `${root.replace(/\/$/, "")}/${user}`) {
      return `Cannot use repository ${path}: it resolves to ${real}, outside its own place`;
    }
    return undefined;
  } catch (error) {
    return `Cannot use repository ${path}: ${messageOf(error)}`;
  }
}
