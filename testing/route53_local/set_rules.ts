/**
 * Checks of one record set on its own, before it meets the zone: name normalisation and
 * zone membership, values per type, duplicates, value counts, and where a type may
 * stand (docs/route53.md).
 *
 * @module
 */

import type { StoredSet } from "./model.ts";
import { isInZone, isWildcard, normaliseName } from "./names.ts";
import { checkValue, valueKey } from "./values.ts";

/** Values in one record set. */
export const MAX_VALUES_PER_SET = 400;

/** `[name='…', type='…']`, with `, set-identifier='…'` when the set has one. */
export function describe(set: StoredSet): string {
  const id = set.setIdentifier === undefined ? "" : `, set-identifier='${set.setIdentifier}'`;
  return `[name='${set.name}', type='${set.type}'${id}]`;
}

/** JSON with object keys sorted, so equal data always gives equal text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The data DELETE must repeat: everything stored, values compared as a set by data. */
export function matchKey(set: StoredSet): string {
  const values = set.values?.map((v) => valueKey(set.type, v)).sort();
  return canonical({ ...set, values });
}

/** The routing policy a set uses, named for messages; `simple` without one. */
export function policyOf(set: StoredSet): string {
  if (set.weight !== undefined) return "weighted";
  if (set.region !== undefined) return "latency";
  if (set.geoLocation !== undefined) return "geolocation";
  if (set.failover !== undefined) return "failover";
  if (set.multiValueAnswer !== undefined) return "multivalue";
  if (set.cidrRoutingConfig !== undefined) return "IP-based";
  if (set.geoProximityLocation !== undefined) return "geoproximity";
  return "simple";
}

/**
 * Normalises one change's set and checks it on its own (name, values, per-type rules).
 * Returns the stored set or the problems found.
 */
export function prepareSet(
  input: StoredSet,
  zoneName: string,
): { set: StoredSet; problems: [] } | { problems: string[] } {
  const problems: string[] = [];
  const name = normaliseName(input.name);
  if (!name.ok) return { problems: [name.problem] };
  const set: StoredSet = { ...input, name: name.stored };
  const n = set.name;
  const z = zoneName;
  if (!isInZone(n, z)) {
    return { problems: [`RRSet with DNS name ${n} is not permitted in zone ${z}`] };
  }
  const apex = n === z;

  if (input.aliasTarget !== undefined) {
    const target = normaliseName(input.aliasTarget.dnsName);
    if (!target.ok) problems.push(target.problem);
    else set.aliasTarget = { ...input.aliasTarget, dnsName: target.stored };
    if (set.type === "NS" || set.type === "SOA") {
      problems.push(
        `RRSet of type ${set.type} with DNS name ${n} cannot be an alias (route53-local: alias sets may not be NS or SOA)`,
      );
    }
  }
  const values = set.values ?? [];
  const seen = new Set<string>();
  for (const value of values) {
    const problem = checkValue(set.type, value);
    if (problem !== undefined) problems.push(problem);
    const key = valueKey(set.type, value);
    if (seen.has(key)) problems.push(`Duplicate Resource Record: '${value}'`);
    seen.add(key);
  }
  if (values.length > MAX_VALUES_PER_SET) {
    problems.push(`Cannot have more than ${MAX_VALUES_PER_SET} records in a RRSet.`);
  }
  if (set.type === "CNAME" && values.length > 1) {
    problems.push(
      `RRSet of type CNAME with DNS name ${n} has ${values.length} values, but a CNAME may only have one (route53-local wording)`,
    );
  }
  if (set.type === "SOA") {
    if (!apex) {
      problems.push(
        `RRSet of type SOA with DNS name ${n} is not permitted because SOA is only allowed at the apex of zone ${z} (route53-local wording)`,
      );
    } else if (values.length > 1) {
      problems.push("A HostedZone must contain exactly one SOA record.");
    }
  }
  if (set.type === "NS" && isWildcard(n)) {
    problems.push(
      `RRSet of type NS with DNS name ${n} is not permitted because NS sets may not be wildcards (route53-local wording)`,
    );
  }
  if (set.type === "DS" && apex) {
    problems.push(
      `RRSet of type DS with DNS name ${n} is not permitted at apex in zone ${z} (route53-local wording)`,
    );
  }
  if (set.setIdentifier !== undefined) {
    if (set.type === "NS" || set.type === "SOA" || set.type === "DS") {
      problems.push(
        `RRSet of type ${set.type} with DNS name ${n} cannot have a routing policy (SetIdentifier) (route53-local wording)`,
      );
    }
    if (values.length > 1) {
      problems.push(
        `RRSet ${
          describe(set)
        } has a routing policy and ${values.length} values, but routing-policy sets hold one value each (route53-local wording)`,
      );
    }
  }
  return problems.length === 0 ? { set, problems: [] } : { problems };
}
