/**
 * Listing order (docs/route53.md): by the reversed-label key of the
 * stored name compared as bytes, then by the type mnemonic as text, then (for
 * routing-policy groups, undocumented) by SetIdentifier.
 *
 * @module
 */

import { orderKey } from "./names.ts";

/** Byte-wise comparison; stored forms are pure ASCII, so UTF-16 code units are bytes. */
export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The position of a record set in a listing. */
export interface SetPosition {
  name: string;
  type: string;
  setIdentifier?: string;
}

/**
 * Compares two positions in ListResourceRecordSets order. A missing identifier sorts
 * before any identifier, so a start position without one begins at the group's first set.
 *
 * @example
 * ```ts
 * compareSets({ name: "a-b.x.com.", type: "A" }, { name: "a.x.com.", type: "A" }); // < 0
 * ```
 */
export function compareSets(a: SetPosition, b: SetPosition): number {
  return compareBytes(orderKey(a.name), orderKey(b.name)) ||
    compareBytes(a.type, b.type) ||
    compareBytes(a.setIdentifier ?? "", b.setIdentifier ?? "");
}

/**
 * One string whose byte order is the listing order: the order key, type and identifier
 * joined by NUL. Stored names and types never contain NUL, and NUL sorts below every
 * other character, so comparing these strings equals comparing the three fields in turn.
 */
export function positionKey(set: SetPosition): string {
  return `${orderKey(set.name)}\0${set.type}\0${set.setIdentifier ?? ""}`;
}

/** Index of the first key not below `key` in ascending `keys` (binary search). */
export function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Compares two zones in ListHostedZonesByName order: reversed name, then zone ID. */
export function compareZones(
  a: { name: string; id: string },
  b: { name: string; id: string },
): number {
  return compareBytes(orderKey(a.name), orderKey(b.name)) || compareBytes(a.id, b.id);
}
