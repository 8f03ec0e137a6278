/**
 * The webhook receiver: signed push events from GitHub, GitLab, Gitea/Forgejo and
 * Bitbucket Cloud (and, with `DNSAPI_WEBHOOK_LEGACY`, the original receiver's unsigned
 * ones) turned into queued jobs for users with a registered remote. The code lives in
 * `lib/webhooks/`: pure header, signature and payload reading, the receiver's decisions
 * (receive.ts), the delivery ids in Redis, and the HTTP server as a thin adapter.
 *
 * @module
 */

export * from "./webhooks/types.ts";
export * from "./webhooks/signature.ts";
export * from "./webhooks/providers.ts";
export * from "./webhooks/payloads.ts";
export * from "./webhooks/body.ts";
export * from "./webhooks/receive.ts";
export * from "./webhooks/deliveries.ts";
export * from "./webhooks/server.ts";
