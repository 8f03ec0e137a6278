/**
 * System git, run safely (arrays of arguments, no shell, no hooks, filters or prompts
 * from a customer's repository): working copies (clone, fetch, check out), trees,
 * changed files between commits and zone files read from git's objects (through one
 * `cat-file --batch-command` per sync, or, for pre-receive, from the quarantine), and
 * the customers' bare repositories with their hooks.
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
