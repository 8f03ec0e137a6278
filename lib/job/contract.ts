/**
 * The job contract shared by the hook and the worker, without any npm import.
 *
 * The hook loads this folder (`lib/job/`) on every push, so it stays free of zod and
 * of `node:` modules (loading zod costs about 50 ms, measured; the hook's whole budget
 * is about 20 ms over an empty Deno script; a test checks the hook's module graph).
 * The zod schema that validates jobs read back from Redis, `lib/queue/job_schema.ts`,
 * is checked against the {@linkcode Job} interface here and used by the worker only.
 *
 * @module
 */

/** A job: what one push asks the worker to do (docs/design.md, "Job"). */
export interface Job {
  /** A uuid naming the job; the customer reads its log under it. */
  uuid: string;
  /** The user whose repository was pushed. */
  user: string;
  /** The bare repository's path: exactly `REPOS_ROOT/<user>`. */
  repo: string;
  /** When the hook queued it (ISO 8601). */
  queuedAt: string;
  /** The ref the push updated, for the log. */
  ref?: string | undefined;
  /** The commit the push left the ref at, for the log. */
  after?: string | undefined;
  /**
   * Why the job was queued when no push did it: `reconcile`, the worker's scheduled
   * full reconcile of one zone (`zone`) against Route 53. Absent for pushes.
   */
  reason?: "reconcile" | undefined;
  /** The zone a `reconcile` job reconciles (bare, lower case: `shop.test`). */
  zone?: string | undefined;
}

/**
 * Allowed user names: lower-case letters, digits, `_` and `-`, starting with a letter
 * or digit, at most 64 characters. A user name becomes a directory name
 * (`REPOS_ROOT/<user>`) and part of Redis keys, so `.`, `/` and whitespace are out.
 */
export const USER_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/**
 * User names of the original service: at most 12 letters (either case), digits, `_` and
 * `-`, compared case-insensitively. Ours are lower case, so a legacy name means the user
 * of its lower-cased form ({@linkcode legacyUserName}).
 */
export const LEGACY_USER_PATTERN = /^[A-Za-z0-9_-]{1,12}$/;

/**
 * The user a name in a legacy payload stands for (lower-cased), or `undefined` when it
 * is neither an original name nor one of ours, or no user of ours can have it (`_x`).
 *
 * @example
 * ```ts
 * legacyUserName("Steve"); // "steve"
 * legacyUserName("st/eve"); // undefined
 * ```
 */
export function legacyUserName(name: string): string | undefined {
  if (!LEGACY_USER_PATTERN.test(name) && !USER_PATTERN.test(name)) return undefined;
  const user = name.toLowerCase();
  return USER_PATTERN.test(user) ? user : undefined;
}

/** Tells whether `user` matches {@linkcode USER_PATTERN}. */
export function isValidUser(user: string): boolean {
  return USER_PATTERN.test(user);
}

/** The result of a finished job, stored for the hook (and `logs`) to read. */
export interface JobResult {
  uuid: string;
  status: "succeeded" | "failed";
  /** Per-zone summary lines (`shop.test: +3 ~1 -2`), refusals and errors. */
  lines: string[];
  /** The uuid of the sync that covered this job, when it was another job's. */
  coveredBy?: string;
}

/**
 * Reads a {@linkcode JobResult} from its stored JSON with plain checks (the hook reads
 * it, and must not load zod). Returns `undefined` for anything else.
 */
export function parseJobResult(text: string): JobResult | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { uuid, status, lines, coveredBy } = value as Record<string, unknown>;
  if (typeof uuid !== "string") return undefined;
  if (status !== "succeeded" && status !== "failed") return undefined;
  if (!Array.isArray(lines) || !lines.every((l) => typeof l === "string")) return undefined;
  const result: JobResult = { uuid, status, lines };
  if (typeof coveredBy === "string") result.coveredBy = coveredBy;
  return result;
}
