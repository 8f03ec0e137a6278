/**
 * Customers' SSH keys: reading and checking a public key line, the `NEW:SSHKEY` events
 * from the website, and the `authorized_keys` file the worker keeps for the git
 * account. The code lives in `lib/keys/`.
 *
 * @module
 */

export * from "./keys/ssh_key.ts";
export * from "./keys/authorized_keys.ts";
export * from "./keys/events.ts";
export * from "./keys/keeper.ts";
