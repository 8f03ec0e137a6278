/**
 * The record-set value shared by every module: what a zone file yields, what is read
 * back from Route 53, and what a plan compares.
 *
 * Normalised once at the edges (zone parser, Route 53 reader), so two sets describing
 * the same data are equal by {@linkcode sameRecordSet}.
 *
 * @module
 */

import { type AliasTarget, sameAlias } from "./alias.ts";

/** Record types Route 53 can host (the service model's `RRType` enumeration). */
export const ROUTE53_TYPES = [
  "A",
  "AAAA",
  "CAA",
  "CNAME",
  "DS",
  "HTTPS",
  "MX",
  "NAPTR",
  "NS",
  "PTR",
  "SOA",
  "SPF",
  "SRV",
  "SSHFP",
  "SVCB",
  "TLSA",
  "TXT",
] as const;

/** One of the record types Route 53 hosts. */
export type RRType = typeof ROUTE53_TYPES[number];

/** Tells whether a type mnemonic (upper-case) is one Route 53 hosts. */
export function isRoute53Type(type: string): type is RRType {
  return (ROUTE53_TYPES as readonly string[]).includes(type);
}

/**
 * A normalised record set.
 *
 * - `name`: lower-case, fully qualified, trailing dot, Route 53's escaped form
 *   (`\052` for a leading wildcard label is written as `*`; see lib/dns/names.ts).
 * - `values`: Route 53 presentation form, canonical per type, sorted, no duplicates.
 * - `alias`: only on an alias set (lib/dns/alias.ts), which has `ttl` 0 and no `values`:
 *   Route 53 gives alias sets neither. {@linkcode recordSetJson} shows such a set as
 *   `{ name, type, alias }`.
 *
 * @example
 * ```ts
 * const www: RecordSet = { name: "www.shop.test.", type: "A", ttl: 300, values: ["192.0.2.1"] };
 * ```
 */
export interface RecordSet {
  name: string;
  type: RRType;
  ttl: number;
  values: string[];
  alias?: AliasTarget;
}

/** The key that identifies a set inside a zone: `name type`. */
export function rrsetKey(set: Pick<RecordSet, "name" | "type">): string {
  return `${set.name} ${set.type}`;
}

/** Plain equality of two normalised sets (values are already sorted). */
export function sameRecordSet(a: RecordSet, b: RecordSet): boolean {
  if (a.alias !== undefined || b.alias !== undefined) {
    return a.name === b.name && a.type === b.type && a.alias !== undefined &&
      b.alias !== undefined && sameAlias(a.alias, b.alias);
  }
  return a.name === b.name && a.type === b.type && a.ttl === b.ttl &&
    a.values.length === b.values.length && a.values.every((v, i) => v === b.values[i]);
}

/** A new alias set (no TTL, no values of its own). */
export function aliasSet(name: string, type: RRType, alias: AliasTarget): RecordSet {
  return { name, type, ttl: 0, values: [], alias };
}

/**
 * The public JSON shape of a set (`check --json`): `{ name, type, ttl, values }`, or
 * `{ name, type, alias: { target, zoneId, evaluateTargetHealth } }` for an alias.
 */
export function recordSetJson(
  set: RecordSet,
): Pick<RecordSet, "name" | "type"> & (Pick<RecordSet, "ttl" | "values"> | { alias: AliasTarget }) {
  if (set.alias !== undefined) return { name: set.name, type: set.type, alias: set.alias };
  return { name: set.name, type: set.type, ttl: set.ttl, values: set.values };
}
