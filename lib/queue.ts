/**
 * The queue: the job contract the hook and the worker share, and the Redis protocol
 * the worker runs on top of it (reserve with a lease, heartbeat, ack, retry with
 * backoff, dead list, per-user lock, coalescing, legacy `HOOK:JOBS` intake), and the
 * webhook receiver that queues pushes to repositories hosted elsewhere.
 *
 * The code lives in `lib/job/` (what the hook loads: no `npm:`, no `node:`) and
 * `lib/queue/` (the worker's side, over ioredis and zod); the receiver in `lib/webhooks/`
 * (pure header, signature and payload reading, its decisions in receive.ts, the delivery
 * ids in Redis, the HTTP server as a thin adapter).
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
export * from "./webhooks/types.ts";
export * from "./webhooks/signature.ts";
export * from "./webhooks/providers.ts";
export * from "./webhooks/payloads.ts";
export * from "./webhooks/body.ts";
export * from "./webhooks/receive.ts";
export * from "./webhooks/deliveries.ts";
export * from "./webhooks/server.ts";
export { UnrecoverableError } from "./errors.ts";
