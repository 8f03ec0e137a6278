/**
 * The Redis key layout of the queue protocol and the enqueue script the hook runs
 * (lib/queue.ts explains the protocol). No npm or node: imports: the hook loads it.
 *
 * @module
 */

import type { Job } from "./contract.ts";

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
  /**
   * LIST of wake-up tokens: each enqueue (and each user made ready again) pushes one,
   * and an idle worker BLPOPs it, so a new job is picked up at once rather than at the
   * next poll. A token only means "look again"; extra ones cost one empty reservation.
   */
  wake: string;
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
    wake: `${prefix}wake`,
    job: (uuid) => `${prefix}job:${uuid}`,
    pending: (user) => `${prefix}pending:${user}`,
    inflight: (user) => `${prefix}inflight:${user}`,
    lock: (user) => `${prefix}lock:${user}`,
    result: (uuid) => `${prefix}result:${uuid}`,
    done: (uuid) => `${prefix}done:${uuid}`,
  };
}

/**
 * Lua run by the hook (over lib/job/resp.ts) and by the worker (legacy intake, tests) to
 * enqueue one job atomically: store the job, append its uuid to the user's pending
 * list, mark the user ready (keeping an earlier ready time), using Redis' clock so
 * hosts with skewed clocks still queue fairly, and push a wake-up token for one idle
 * worker (the list is capped: tokens nobody took are only hints).
 *
 * KEYS[1]: the legacy key to remove the raw payload from (only with ARGV[5]).
 * ARGV: prefix, uuid, user, job JSON, [legacy key type `set`|`list`, raw payload,
 * invalid-list entry for a taken uuid]. Returns 1 when queued, 0 when the raw legacy
 * payload was already taken by another worker or the uuid is already queued, 2 when
 * the legacy payload was set aside because its uuid is already queued, running or
 * finished (a job id names one push).
 */
export const ENQUEUE_SCRIPT = `
local p, uuid, user = ARGV[1], ARGV[2], ARGV[3]
local jobKey = p .. 'job:' .. uuid
if ARGV[5] then
  local removed
  if ARGV[5] == 'set' then removed = redis.call('SREM', KEYS[1], ARGV[6])
  else removed = redis.call('LREM', KEYS[1], 1, ARGV[6]) end
  if removed == 0 then return 0 end
  if redis.call('EXISTS', jobKey, p .. 'result:' .. uuid) > 0 then
    redis.call('LPUSH', p .. 'invalid', ARGV[7])
    redis.call('LTRIM', p .. 'invalid', 0, 9999)
    return 2
  end
end
if redis.call('EXISTS', jobKey) == 1 then return 0 end
redis.call('HSET', jobKey, 'json', ARGV[4], 'state', 'queued')
redis.call('RPUSH', p .. 'pending:' .. user, uuid)
local t = redis.call('TIME')
redis.call('ZADD', p .. 'ready', 'NX', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), user)
redis.call('LPUSH', p .. 'wake', '1')
redis.call('LTRIM', p .. 'wake', 0, 99)
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
