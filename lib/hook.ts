/**
 * The hook binary's modes beside post-receive (which `hook.ts` runs itself, to keep
 * its start-up small): pre-receive validation of the pushed zone files.
 * The code lives in `lib/hook/`.
 *
 * @module
 */

export * from "./hook/pre_receive.ts";
export { isZoneCandidate, zoneNameProblem } from "./zones/files.ts";
