/**
 * System git, run safely (arrays of arguments, no shell, no hooks, filters or prompts
 * from a customer's repository): working copies (clone, fetch, reset), trees and
 * changed files between commits, zone files read from a working tree or from git's
 * object store (pre-receive), and the customers' bare repositories with their hooks.
 * The code lives in `lib/git/`. Registered remotes elsewhere — which URLs are allowed,
 * the credential environment of a fetch, deploy keys — live in `lib/remote/`.
 *
 * @module
 */

export * from "./git/working_copy.ts";
export * from "./git/tree.ts";
export * from "./git/repos.ts";
export {
  type GitContext,
  parseDiffTree,
  parseLsTree,
  readBlobs,
  treeEntries,
} from "./git/object_store.ts";
export * from "./remote/url.ts";
export * from "./remote/access.ts";
export * from "./remote/keys.ts";
