/**
 * The hook binary's modes beside post-receive (which `hook.ts` runs itself, to keep
 * its start-up small): pre-receive validation of the pushed zone files, and the parser
 * of git's `old new ref` lines both modes read.
 * The code lives in `lib/hook/`.
 *
 * @module
 */

export * from "./hook/pre_receive.ts";
export * from "./hook/ref_updates.ts";
export { isZoneCandidate, zoneNameProblem } from "./zones/files.ts";
