/**
 * The collector both format readers (lib/zones/_bind.ts, lib/zones/legacy.ts) add
 * records to: a hand-made hash table over typed arrays, tuned for million-record zones,
 * that checks TTL agreement, single CNAME/SOA sets and the set limit as records arrive.
 * lib/zones/_finish.ts turns it into record sets.
 *
 * @module
 */

import type { RRType } from "../dns/record_set.ts";
import { type AliasTarget, SELF_ZONE } from "../dns/alias.ts";
import type { ZoneLimits, ZoneProblem } from "./types.ts";

/**
 * Collected records and problems shared by both format readers.
 *
 * Sets are stored column-wise (index i in every array is set i, in order of first
 * appearance) and become `RecordSet` objects only at the end; a set's values
 * are a bare string until it has a second one. Sets are found by name through one table
 * entry per owner name, the sets of one name chained through `next`. At a million
 * records this keeps the garbage collector's work (objects alive while parsing) small.
 * The number columns are typed arrays sized from the file's length (doubled if ever
 * short): no boxed numbers, and no discarded backing stores from growing arrays, which
 * at a million records were tens of MiB of garbage raising the peak memory.
 */
export interface ZoneCollector {
  /** Canonical zone name with trailing dot. */
  apex: string;
  /** `"." + apex`, the suffix of every name below the apex (made once, not per record). */
  dotApex: string;
  names: string[];
  types: RRType[];
  /** `ttls[i]`, `lines[i]`, `next[i]` are valid for `i < names.length`. */
  ttls: Int32Array;
  /** One value (the common case) or several, unsorted until the end. */
  vals: (string | string[])[];
  /** `lines[i]`: line of the first record of set i. */
  lines: Int32Array;
  /**
   * Owner name → its first set, as an open-addressing hash table: `slots[h]` is the
   * first set's index + 1 (0 = empty). Hand-made because V8's first hash of each new
   * string in a Map costs about three times more (measured with 100k owner names).
   */
  slots: Int32Array;
  /**
   * `slotHashes[h]`: the hash of the name in `slots[h]`, compared before the name so a
   * probe past another name does not have to read that name's string.
   */
  slotHashes: Int32Array;
  /** First set of each owner name, in order of appearance, and that name's hash. */
  heads: Int32Array;
  headHashes: Int32Array;
  /** Number of owner names: the valid length of `heads` and `headHashes`. */
  headCount: number;
  /** `next[i]`: index of the next set at the same name, or -1. */
  next: Int32Array;
  errors: ZoneProblem[];
  warnings: ZoneProblem[];
  limits: ZoneLimits;
  /** Set once the set limit is passed, so the error is reported once. */
  tooManySets: boolean;
  /** Last owner name looked up, and the index of its first set. */
  lastName: string;
  lastFirst: number;
  /** Set index → its alias target, for the sets made by `AWS ALIAS` lines. */
  aliases: Map<number, AliasTarget>;
}

/**
 * A collector for the zone `apex` (canonical, trailing dot), with room for `capacity`
 * sets before its number columns grow.
 */
export function createCollector(
  apex: string,
  limits: ZoneLimits,
  capacity = 1024,
): ZoneCollector {
  const cap = Math.max(16, capacity | 0);
  return {
    apex,
    dotApex: apex === "." ? "." : "." + apex,
    names: [],
    types: [],
    ttls: new Int32Array(cap),
    vals: [],
    lines: new Int32Array(cap),
    slots: new Int32Array(1024),
    slotHashes: new Int32Array(1024),
    // names are fewer than sets (several types per name): start smaller, double if short
    heads: new Int32Array(cap >> 1),
    headHashes: new Int32Array(cap >> 1),
    headCount: 0,
    next: new Int32Array(cap),
    errors: [],
    warnings: [],
    limits,
    tooManySets: false,
    lastName: "",
    lastFirst: -1,
    aliases: new Map(),
  };
}

/** FNV-1a over the UTF-16 code units of a name (canonical names are ASCII). */
function nameHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The first set at `name` (hash `h`), or -1. */
function findHead(c: ZoneCollector, name: string, h: number): number {
  const slots = c.slots, hashes = c.slotHashes, mask = slots.length - 1;
  const h32 = h | 0;
  for (let p = h & mask;; p = (p + 1) & mask) {
    const v = slots[p] as number;
    if (v === 0) return -1;
    if (hashes[p] === h32 && c.names[v - 1] === name) return v - 1;
  }
}

function insertSlot(slots: Int32Array, hashes: Int32Array, h: number, idx: number): void {
  const mask = slots.length - 1;
  let p = h & mask;
  while (slots[p] !== 0) p = (p + 1) & mask;
  slots[p] = idx + 1;
  hashes[p] = h | 0;
}

/** A copy of `a` with twice its length. */
function doubled(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

function addHead(c: ZoneCollector, h: number, idx: number): void {
  if (c.headCount === c.heads.length) {
    c.heads = doubled(c.heads);
    c.headHashes = doubled(c.headHashes);
  }
  c.heads[c.headCount] = idx;
  c.headHashes[c.headCount] = h | 0;
  c.headCount++;
  if (c.headCount * 2 > c.slots.length) {
    const slots = new Int32Array(c.slots.length * 2);
    const hashes = new Int32Array(slots.length);
    for (let k = 0; k < c.headCount; k++) {
      insertSlot(slots, hashes, c.headHashes[k] as number, c.heads[k] as number);
    }
    c.slots = slots;
    c.slotHashes = hashes;
  } else insertSlot(c.slots, c.slotHashes, h, idx);
}

/** The first set at `name`, or -1. */
export function headOf(c: ZoneCollector, name: string): number {
  return findHead(c, name, nameHash(name));
}

/** Adds one record (canonical name and value) to its set, checking TTLs and limits. */
export function addRecord(
  c: ZoneCollector,
  name: string,
  type: RRType,
  ttl: number,
  value: string,
  line: number,
): void {
  // Consecutive records mostly share the owner (blank-owner lines reuse the very string):
  // remember the last name's first set and skip the Map lookup.
  let i: number;
  let h = 0;
  if (name === c.lastName) i = c.lastFirst;
  else {
    h = nameHash(name);
    i = findHead(c, name, h);
    if (i >= 0) {
      c.lastName = name;
      c.lastFirst = i;
    }
  }
  let last = -1;
  while (i >= 0) {
    if (c.types[i] === type) {
      if (c.aliases.size !== 0 && c.aliases.has(i)) {
        c.errors.push({
          line,
          message: `${type} record at ${name} beside the ${type} alias on line ${
            c.lines[i]
          }: a name and type is either an alias or plain records; remove one`,
        });
        return;
      }
      const v = c.vals[i] as string | string[];
      if (
        (type === "CNAME" || type === "SOA") &&
        (typeof v === "string" ? v !== value : !v.includes(value))
      ) {
        // reported here, on the second record, as BIND does
        c.errors.push({
          line,
          message: `a second ${type} record at ${name} (the first is on line ${
            c.lines[i]
          }): only one is allowed`,
        });
        return;
      }
      const setTtl = c.ttls[i];
      if (setTtl !== ttl) {
        c.warnings.push({
          line,
          message: `TTL ${ttl} differs from TTL ${setTtl} of the ${type} set "${name}" (line ${
            c.lines[i]
          }); using ${setTtl}`,
        });
      }
      if (typeof v === "string") c.vals[i] = [v, value];
      else v.push(value);
      return;
    }
    last = i;
    i = c.next[i] as number;
  }
  // + 2: the apex SOA and NS sets, dropped at the end, do not count
  if (c.names.length >= c.limits.maxRecordSets + 2) {
    if (!c.tooManySets) {
      c.tooManySets = true;
      c.errors.push({
        line,
        message:
          `more than ${c.limits.maxRecordSets} record sets: Route 53's quota for one zone is exceeded`,
      });
    }
    return;
  }
  const idx = c.names.length;
  if (idx === c.ttls.length) {
    c.ttls = doubled(c.ttls);
    c.lines = doubled(c.lines);
    c.next = doubled(c.next);
  }
  c.names.push(name);
  c.types.push(type);
  c.ttls[idx] = ttl;
  c.vals.push(value);
  c.lines[idx] = line;
  c.next[idx] = -1;
  if (last < 0) {
    addHead(c, h, idx);
    c.lastName = name;
    c.lastFirst = idx;
  } else c.next[last] = idx;
}

/**
 * Adds the set of one `AWS ALIAS` line (canonical owner, type and target). A TTL on the
 * line is ignored with a warning: Route 53 gives alias sets none.
 */
export function addAlias(
  c: ZoneCollector,
  name: string,
  type: RRType,
  alias: AliasTarget,
  hasTtl: boolean,
  line: number,
): void {
  if (name !== c.apex && !name.endsWith(c.dotApex)) {
    c.errors.push({
      line,
      message: `${name} is outside the zone ${c.apex}: Route 53 cannot hold it in this zone`,
    });
    return;
  }
  if (alias.zoneId === SELF_ZONE && alias.target !== c.apex && !alias.target.endsWith(c.dotApex)) {
    c.errors.push({
      line,
      message:
        `the $self alias target ${alias.target} is outside the zone ${c.apex}: write a name in this zone, or the target's hosted zone id instead of $self`,
    });
    return;
  }
  for (let j = headOf(c, name); j >= 0; j = c.next[j] ?? -1) {
    if (c.types[j] !== type) continue;
    c.errors.push({
      line,
      message: c.aliases.has(j)
        ? `${type} alias at ${name} repeats the ${type} alias on line ${
          c.lines[j]
        }: a name and type takes one alias; remove one`
        : `${type} alias at ${name} beside the ${type} records on line ${
          c.lines[j]
        }: a name and type is either an alias or plain records; remove one`,
    });
    return;
  }
  if (hasTtl) {
    c.warnings.push({
      line,
      message: "the TTL of an alias line is ignored: Route 53 aliases carry none",
    });
  }
  const before = c.names.length;
  addRecord(c, name, type, 0, "", line);
  if (c.names.length > before) c.aliases.set(before, alias);
}
