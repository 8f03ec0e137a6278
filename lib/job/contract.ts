/**
 * The job contract shared by the hook and the worker, without any npm import.
 *
 * The hook loads this module on every push, so it stays free of zod (loading zod
 * costs about 50 ms, measured; the hook's whole budget is about 20 ms over an empty
 * Deno script). The zod schemas that validate jobs read back from Redis live in
 * `lib/queue/job_schema.ts`, used by the worker only.
 *
 * @module
 */

import type { Job } from "../queue/job_schema.ts";
import { messageOf } from "../util/message.ts";

export type { Job } from "../queue/job_schema.ts";

/**
 * Allowed user names: lower-case letters, digits, `_` and `-`, starting with a letter
 * or digit, at most 64 characters. A user name becomes a directory name
 * (`REPOS_ROOT/<user>`) and part of Redis keys, so `.`, `/` and whitespace are out.
 */
export const USER_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Tells whether `user` matches {@linkcode USER_PATTERN}. */
export function isValidUser(user: string): boolean {
  return USER_PATTERN.test(user);
}

/** Key prefix of every Redis key the queue owns (configurable). */
export const DEFAULT_PREFIX = "dnsapi:";

/**
 * Key the original Perl hook (SADD, a set) and webhook receiver (RPUSH, a list) wrote
 * jobs to. It has no prefix; configurable for tests.
 */
export const LEGACY_JOBS_KEY = "HOOK:JOBS";

/** Names of the Redis keys used by the queue protocol (see lib/queue.ts). */
export interface QueueKeys {
  /** The prefix itself; Lua scripts build per-user keys from it. */
  prefix: string;
  /** ZSET user → time (ms) from which the user may be reserved. */
  ready: string;
  /** ZSET user → lease deadline (ms) of the reservation holding the user. */
  leases: string;
  /** HASH user → reservations made for the user's current batch (attempt count). */
  attempts: string;
  /** HASH user → `workerId since-ms` of the reservation holding the user. */
  holders: string;
  /** LIST of JSON entries of jobs that failed for good (newest first). */
  dead: string;
  /** LIST of JSON entries of payloads set aside as invalid (newest first). */
  invalid: string;
  /** STRING counter: times a due user waited for another worker's lock (once per lock). */
  lockWaits: string;
  /** HASH `json`, `state` (`queued` | `running`) of one job. */
  job(uuid: string): string;
  /** LIST of uuids pushed by a user and not yet reserved. */
  pending(user: string): string;
  /** LIST of uuids of a user's reservation (kept until acknowledged). */
  inflight(user: string): string;
  /** STRING lock token of the worker syncing a user (with a PX expiry). */
  lock(user: string): string;
  /** STRING JSON result of a finished job (with an expiry). */
  result(uuid: string): string;
  /** LIST the hook blocks on (BLPOP) to be told a job's result (with an expiry). */
  done(uuid: string): string;
}

/**
 * Key names under `prefix`.
 *
 * @example
 * ```ts
 * queueKeys("dnsapi:").pending("steve"); // "dnsapi:pending:steve"
 * ```
 */
export function queueKeys(prefix: string = DEFAULT_PREFIX): QueueKeys {
  return {
    prefix,
    ready: `${prefix}ready`,
    leases: `${prefix}leases`,
    attempts: `${prefix}attempts`,
    holders: `${prefix}holders`,
    dead: `${prefix}dead`,
    invalid: `${prefix}invalid`,
    lockWaits: `${prefix}lockwaits`,
    job: (uuid) => `${prefix}job:${uuid}`,
    pending: (user) => `${prefix}pending:${user}`,
    inflight: (user) => `${prefix}inflight:${user}`,
    lock: (user) => `${prefix}lock:${user}`,
    result: (uuid) => `${prefix}result:${uuid}`,
    done: (uuid) => `${prefix}done:${uuid}`,
  };
}

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

/**
 * Lua run by the hook (over lib/job/resp.ts) and by the worker (legacy intake, tests) to
 * enqueue one job atomically: store the job, append its uuid to the user's pending
 * list, mark the user ready (keeping an earlier ready time), using Redis' clock so
 * hosts with skewed clocks still queue fairly.
 *
 * KEYS[1]: the legacy key to remove the raw payload from (only with ARGV[5]).
 * ARGV: prefix, uuid, user, job JSON, [legacy key type `set`|`list`, raw payload].
 * Returns 1 when queued, 0 when the raw legacy payload was already taken by another
 * worker or the uuid is already queued.
 */
export const ENQUEUE_SCRIPT = `
local p, uuid, user = ARGV[1], ARGV[2], ARGV[3]
if ARGV[5] then
  local removed
  if ARGV[5] == 'set' then removed = redis.call('SREM', KEYS[1], ARGV[6])
  else removed = redis.call('LREM', KEYS[1], 1, ARGV[6]) end
  if removed == 0 then return 0 end
end
local jobKey = p .. 'job:' .. uuid
if redis.call('EXISTS', jobKey) == 1 then return 0 end
redis.call('HSET', jobKey, 'json', ARGV[4], 'state', 'queued')
redis.call('RPUSH', p .. 'pending:' .. user, uuid)
local t = redis.call('TIME')
redis.call('ZADD', p .. 'ready', 'NX', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), user)
return 1
`;

/**
 * The `EVAL` arguments (after the script) that enqueue `job`: numkeys, keys, args.
 *
 * @example
 * ```ts
 * const args = enqueueArgs("dnsapi:", job); // ["0", "dnsapi:", job.uuid, job.user, json]
 * ```
 */
export function enqueueArgs(prefix: string, job: Job): string[] {
  return ["0", prefix, job.uuid, job.user, JSON.stringify(job)];
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
