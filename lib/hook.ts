/**
 * The hook binary's two modes, for code outside `hook.ts`: post-receive (queue the push,
 * report to the pusher), pre-receive (validate the pushed zone files) and the parser of
 * git's `old new ref` lines both read. `hook.ts` itself imports `lib/hook/` directly,
 * loading pre-receive only when it runs, to keep post-receive's start-up small.
 *
 * @module
 */

export * from "./hook/post_receive.ts";
export * from "./hook/pre_receive.ts";
export * from "./hook/ref_updates.ts";
export { isZoneCandidate, zoneNameProblem } from "./zones/files.ts";
