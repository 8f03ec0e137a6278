/**
 * One user's sync end to end, composed from the subsystems: user check, working copy,
 * the zone files due, parse, ownership, plan, safety gate, apply, and what the customer
 * is told. The code lives in `lib/sync/`.
 *
 * @module
 */

export * from "./sync/types.ts";
export { syncUser } from "./sync/user.ts";
export { reconcileSummary } from "./sync/zone_file.ts";
