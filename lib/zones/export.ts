/**
 * Route 53 → BIND text for onboarding (pure). The managed sets become records that
 * parse back to the same sets; apex SOA/NS and sets a file cannot express (aliases,
 * routing policies) are listed as comments so the customer knows they stay as they are.
 *
 * @module
 */
import { type ExistingZone, isApexAuthority } from "../plan/plan.ts";
import { formatZone } from "./format.ts";

/**
 * The zone file for `zone` (no trailing dot) from what Route 53 holds.
 *
 * @example
 * ```ts
 * zoneExport("shop.test", "Z1", { sets: [], unmanaged: [] }, new Date());
 * ```
 */
export function zoneExport(zone: string, zoneId: string, existing: ExistingZone, at: Date): string {
  const fqdn = `${zone}.`;
  const sets = existing.sets.filter((s) => !isApexAuthority(fqdn, s));
  const comments = [
    `${zone}: exported from Route 53 hosted zone ${zoneId} at ${at.toISOString()}`,
    `Commit this file as zones/${zone}; the worker then keeps Route 53 equal to it.`,
    "The apex SOA and NS records stay Route 53's and are not listed.",
  ];
  const unmanaged = existing.unmanaged.filter((u) =>
    u.reason !== "apex-ns" && u.reason !== "apex-soa"
  );
  if (unmanaged.length > 0) {
    comments.push("Left untouched by the worker (a zone file cannot express them):");
    for (const u of unmanaged) {
      const id = u.setIdentifier ? ` set-identifier=${u.setIdentifier}` : "";
      comments.push(`  ${u.name} ${u.type} (${u.reason}${id})`);
    }
  }
  return formatZone(zone, sets, { comments });
}
