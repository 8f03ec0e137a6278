/**
 * Paging of the three list operations (docs/route53.md): where a
 * page starts, how large it is, and what names the next page. Pure functions over
 * already sorted data.
 *
 * @module
 */

import { invalidRequest, Route53Error } from "./errors.ts";
import type { StoredSet, Zone } from "./model.ts";
import { normaliseName } from "./names.ts";
import { compareZones, lowerBound, positionKey } from "./order.ts";
import { isRRType } from "./values.ts";

/** Largest and default page of ListResourceRecordSets. */
export const RRSET_PAGE = 300;
/** Largest and default page of the hosted-zone lists. */
export const ZONE_PAGE = 100;

/** Parses `maxitems`; a larger number is capped to `cap`, as Route 53 does. */
export function pageSize(text: string | null, cap: number): number {
  if (text === null) return cap;
  if (!/^[0-9]{1,10}$/.test(text) || Number(text) < 1) {
    throw invalidRequest(`maxitems must be a positive integer, got '${text}'`);
  }
  return Math.min(Number(text), cap);
}

/** One page of record sets and where the next one starts. */
export interface RecordSetPage {
  sets: StoredSet[];
  maxItems: number;
  next?: StoredSet;
}

/** A zone's sets in listing order, with their position keys for binary search. */
export interface SortedSets {
  sets: StoredSet[];
  keys: string[];
}

/** Sorts record sets into listing order (each key computed once, not per comparison). */
export function sortSets(sets: Iterable<readonly StoredSet[]>): SortedSets {
  const decorated = [...sets].flat().map((set) => ({ key: positionKey(set), set }));
  decorated.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { sets: decorated.map((d) => d.set), keys: decorated.map((d) => d.key) };
}

/**
 * Selects a ListResourceRecordSets page from `sorted` for the query parameters `name`,
 * `type`, `identifier` and `maxitems`.
 */
export function recordSetPage(sorted: SortedSets, query: URLSearchParams): RecordSetPage {
  const rawName = query.get("name");
  const rawType = query.get("type");
  const identifier = query.get("identifier");
  const maxItems = pageSize(query.get("maxitems"), RRSET_PAGE);
  if (rawType !== null && rawName === null) {
    throw invalidRequest(
      "The input for the type parameter requires a value for the name parameter.",
    );
  }
  if (identifier !== null && rawType === null) {
    throw invalidRequest(
      "The identifier parameter requires values for the name and type parameters.",
    );
  }
  if (rawType !== null && !isRRType(rawType)) {
    throw invalidRequest(`type '${rawType}' is not one of the Route 53 record types`);
  }
  let start = 0;
  if (rawName !== null) {
    const name = normaliseName(rawName);
    if (!name.ok) throw new Route53Error("InvalidInput", name.problem);
    // An absent type or identifier is the empty string, which sorts first: the page
    // starts at the first set of that name (or name and type).
    start = lowerBound(
      sorted.keys,
      positionKey({ name: name.stored, type: rawType ?? "", setIdentifier: identifier ?? "" }),
    );
  }
  const sets = sorted.sets.slice(start, start + maxItems);
  const next = sorted.sets[start + maxItems];
  return { sets, maxItems, ...(next === undefined ? {} : { next }) };
}

/** One page of a hosted-zone list. */
export interface ZonePage {
  zones: Zone[];
  maxItems: number;
  next?: Zone;
}

/**
 * ListHostedZones: zones ordered by ID (Route 53 does not document an order), `marker`
 * starting at the first ID not below it.
 */
export function zonePage(zones: Iterable<Zone>, query: URLSearchParams): ZonePage {
  if (query.get("delegationsetid") !== null) {
    throw new Route53Error(
      "InvalidInput",
      "route53-local does not implement reusable delegation sets (delegationsetid)",
    );
  }
  const zoneType = query.get("hostedzonetype");
  if (zoneType !== null && zoneType !== "PrivateHostedZone") {
    throw invalidRequest(`hostedzonetype must be PrivateHostedZone, got '${zoneType}'`);
  }
  const maxItems = pageSize(query.get("maxitems"), ZONE_PAGE);
  // Every local zone is public, so the private-zone filter leaves nothing.
  const all = zoneType === null ? [...zones].sort((a, b) => (a.id < b.id ? -1 : 1)) : [];
  const marker = query.get("marker");
  let start = marker === null ? 0 : all.findIndex((z) => z.id >= marker);
  if (start < 0) start = all.length;
  const next = all[start + maxItems];
  return {
    zones: all.slice(start, start + maxItems),
    maxItems,
    ...(next === undefined ? {} : { next }),
  };
}

/**
 * ListHostedZonesByName: zones by reversed name then ID; `dnsname` (and `hostedzoneid`)
 * give the starting position, not a filter.
 */
export function zoneByNamePage(zones: Iterable<Zone>, query: URLSearchParams): ZonePage {
  const dnsName = query.get("dnsname");
  const zoneId = query.get("hostedzoneid");
  const maxItems = pageSize(query.get("maxitems"), ZONE_PAGE);
  if (zoneId !== null && dnsName === null) {
    throw invalidRequest("hostedzoneid requires dnsname");
  }
  const all = [...zones].sort(compareZones);
  let start = 0;
  if (dnsName !== null) {
    const name = normaliseName(dnsName);
    if (!name.ok) throw new Route53Error("InvalidDomainName", name.problem);
    const from = { name: name.stored, id: zoneId ?? "" };
    start = all.findIndex((z) => compareZones(z, from) >= 0);
    if (start < 0) start = all.length;
  }
  const next = all[start + maxItems];
  return {
    zones: all.slice(start, start + maxItems),
    maxItems,
    ...(next === undefined ? {} : { next }),
  };
}
