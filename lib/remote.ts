/**
 * Registered remotes: which remote URLs are allowed (lib/remote/url.ts), how a fetch
 * from one authenticates (lib/remote/access.ts) and deploy keys (lib/remote/keys.ts).
 *
 * @module
 */

export * from "./remote/url.ts";
export * from "./remote/access.ts";
export * from "./remote/keys.ts";
