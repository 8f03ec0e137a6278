/**
 * The hook binary's modes, for code outside `hook.ts`: post-receive (queue the push,
 * report to the pusher), pre-receive (validate the pushed zone files), the parser of
 * git's `old new ref` lines both read, ssh (the SSH door, sshd's forced command) and the
 * reader of the hook settings file. `hook.ts` itself imports `lib/hook/` directly,
 * loading pre-receive only when it runs, to keep post-receive's start-up small.
 *
 * @module
 */

export * from "./hook/notes.ts";
export * from "./hook/post_receive.ts";
export * from "./hook/pre_receive.ts";
export * from "./hook/ref_updates.ts";
export * from "./hook/settings.ts";
export * from "./hook/ssh.ts";
export { isZoneCandidate, zoneNameProblem } from "./zones/files.ts";
