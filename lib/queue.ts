/**
 * The queue: the job contract the hook and the worker share, and the Redis protocol
 * the worker runs on top of it (reserve with a lease, heartbeat, ack, retry with
 * backoff, dead list, per-user lock, coalescing, legacy `HOOK:JOBS` intake).
 *
 * The code lives in `lib/job/` (what the hook loads: no `npm:`, no `node:`) and
 * `lib/queue/` (the worker's side, over ioredis and zod).
 *
 * @module
 */

export * from "./job/contract.ts";
export * from "./job/keys.ts";
export * from "./job/paths.ts";
export * from "./job/resp.ts";
export * from "./queue/redis_queue.ts";
export * from "./queue/types.ts";
export * from "./queue/job_schema.ts";
export * from "./queue/legacy.ts";
export { UnrecoverableError } from "./errors.ts";
