/**
 * Incremental planning: when the previous version of a zone file was applied
 * successfully, the difference between that version and the new one is what Route 53
 * must change, so a push costs only its change calls and no listing (10,000 sets take
 * 34 list calls). Route 53 itself then detects drift: a CREATE of a set that already
 * exists or a DELETE whose values no longer match fails the whole batch atomically, and
 * the engine falls back to a full list-and-diff reconcile.
 *
 * @example
 * ```ts
 * const plan = planIncremental("shop.test.", previousSets, newSets);
 * ```
 *
 * @module
 */
import { diffZone, type Plan } from "./plan.ts";
import type { RecordSet } from "../dns/record_set.ts";

/**
 * The plan from two versions of the desired state: CREATE sets new in `desired`,
 * DELETE sets gone from it (with the old values, which are what this engine wrote),
 * update the changed ones. The safety gate's base is the previous set count.
 */
export function planIncremental(zone: string, previous: RecordSet[], desired: RecordSet[]): Plan {
  return diffZone(zone, desired, { sets: previous, unmanaged: [] });
}

/**
 * Message fragments of the `InvalidChangeBatch` failures that mean "the live zone is
 * not what the previous file said" rather than "this request is wrong".
 */
const DRIFT_PATTERNS = [
  /but it already exists/,
  /but it was not found/,
  /values provided do not match/,
  /conflicts with other records/,
  /conflicting RRSet of type/,
  // a set beside a routing-policy group of the same name and type, which an incremental
  // plan cannot see; the reconcile lists it and skips the set with a warning
  /cannot be created as other RRSets exist with the same name and type/,
];

/**
 * Tells whether a failed change request shows drift, so a full reconcile can repair it.
 * An `InvalidChangeBatch` carrying only `UnknownError` (a reported 2026 response shape)
 * counts as drift too: the reconcile lists the zone and either fixes it or fails with a
 * readable error of its own.
 */
export function isDriftError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const name = Reflect.get(error, "name");
  const message = Reflect.get(error, "message");
  if (name !== "InvalidChangeBatch" || typeof message !== "string") return false;
  return message === "UnknownError" || DRIFT_PATTERNS.some((pattern) => pattern.test(message));
}
