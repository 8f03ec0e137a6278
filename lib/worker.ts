/**
 * The worker daemon's parts: the loop (fetch, handle one reservation, repeat until
 * told to stop), `NEW:USER` events, and the Prometheus metrics with their HTTP server.
 * The code lives in `lib/worker/`.
 *
 * @module
 */

export * from "./worker/worker.ts";
export * from "./worker/new_user.ts";
export * from "./worker/metrics.ts";
export * from "./worker/metrics_server.ts";
