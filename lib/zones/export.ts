/**
 * Route 53 → BIND text for onboarding (pure). The managed sets become records that
 * parse back to the same sets, alias sets become `AWS ALIAS` lines (the zone's own
 * hosted zone written `$self`); apex SOA/NS and routing-policy sets, which a file cannot
 * express, are listed as comments so the customer knows they stay as they are.
 *
 * @module
 */
import { type ExistingZone, isApexAuthority } from "../plan/plan.ts";
import { formatZone } from "./format.ts";
import { aliasSet, isRoute53Type, type RecordSet } from "../dns/record_set.ts";
import { route53SortKey } from "../dns/names.ts";

function byListingOrder(a: RecordSet, b: RecordSet): number {
  const ka = route53SortKey(a.name), kb = route53SortKey(b.name);
  return ka < kb ? -1 : ka > kb ? 1 : a.type < b.type ? -1 : a.type > b.type ? 1 : 0;
}

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
  // Alias sets are written as alias lines: committing the file then manages them.
  const aliases = existing.unmanaged.flatMap((u) =>
    u.alias !== undefined && isRoute53Type(u.type) ? [aliasSet(u.name, u.type, u.alias)] : []
  );
  const sets = [...existing.sets.filter((s) => !isApexAuthority(fqdn, s)), ...aliases]
    .sort(byListingOrder);
  const comments = [
    `${zone}: exported from Route 53 hosted zone ${zoneId} at ${at.toISOString()}`,
    `Commit this file as zones/${zone}; the worker then keeps Route 53 equal to it.`,
    "The apex SOA and NS records stay Route 53's and are not listed.",
  ];
  const unmanaged = existing.unmanaged.filter((u) =>
    u.reason !== "apex-ns" && u.reason !== "apex-soa" && u.alias === undefined
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
