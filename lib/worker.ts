/**
 * The worker daemon's parts: the loop (fetch, handle one reservation, repeat until
 * told to stop), `NEW:USER` events, waiting out Redis or MySQL outages at start-up, and the Prometheus metrics with their HTTP server;
 * the code lives in `lib/worker/`. Also the customers' SSH keys the daemon keeps: key
 * lines read and checked, `NEW:SSHKEY` events and the `authorized_keys` file, in
 * `lib/keys/` (no façade of its own: lib/ holds ten already).
 *
 * @module
 */

export * from "./worker/worker.ts";
export * from "./worker/new_user.ts";
export * from "./worker/reconcile.ts";
export * from "./worker/metrics.ts";
export * from "./worker/metrics_server.ts";
export * from "./worker/outage.ts";
export * from "./keys/ssh_key.ts";
export * from "./keys/authorized_keys.ts";
export * from "./keys/events.ts";
export * from "./keys/keeper.ts";
