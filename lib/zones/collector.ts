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
  /** Problems dropped by {@linkcode boundProblems}, and the first line among them. */
  droppedErrors: number;
  droppedErrorLine: number;
  droppedWarnings: number;
  droppedWarningLine: number;
  /** `performance.now()` past which reading stops ({@linkcode overTime}). */
  deadline: number;
  /** Lines and generated records read so far (the clock is read every 256). */
  ticks: number;
  /** Set once the deadline has passed, so the error is reported once. */
  timedOut: boolean;
  /** The line reading stopped at when the deadline passed (0 until then). */
  timedOutAt: number;
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
    droppedErrors: 0,
    droppedErrorLine: 0,
    droppedWarnings: 0,
    droppedWarningLine: 0,
    deadline: performance.now() + limits.maxParseMs,
    ticks: 0,
    timedOut: false,
    timedOutAt: 0,
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

/** Errors (and warnings) kept per file; the rest are counted into one last entry. */
export const MAX_PROBLEMS = 100;

/** Orders problems by line; the sort is stable, so one line keeps its order. */
export function byLine(a: ZoneProblem, b: ZoneProblem): number {
  return a.line - b.line;
}

/** Keeps the first {@linkcode MAX_PROBLEMS} of `list` by line; returns the dropped count. */
function keepFirst(list: ZoneProblem[]): number {
  list.sort(byLine);
  const dropped = list.length - MAX_PROBLEMS;
  list.length = MAX_PROBLEMS;
  return dropped;
}

/**
 * Drops all but the first {@linkcode MAX_PROBLEMS} errors and warnings by line once
 * either list holds twice that, counting what went: a file of a million bad lines
 * holds at most 200 problems at any time (cheap to call after every record). Every
 * dropped problem is on a line after the kept ones, so the kept ones are the file's
 * first, whatever order they came in.
 */
export function boundProblems(c: ZoneCollector): void {
  if (c.errors.length >= 2 * MAX_PROBLEMS) {
    const first = (c.errors.sort(byLine)[MAX_PROBLEMS] as ZoneProblem).line;
    if (c.droppedErrors === 0 || first < c.droppedErrorLine) c.droppedErrorLine = first;
    c.droppedErrors += keepFirst(c.errors);
  }
  if (c.warnings.length >= 2 * MAX_PROBLEMS) {
    const first = (c.warnings.sort(byLine)[MAX_PROBLEMS] as ZoneProblem).line;
    if (c.droppedWarnings === 0 || first < c.droppedWarningLine) c.droppedWarningLine = first;
    c.droppedWarnings += keepFirst(c.warnings);
  }
}

function finalList(
  list: ZoneProblem[],
  dropped: number,
  droppedLine: number,
  what: string,
): ZoneProblem[] {
  list.sort(byLine);
  if (list.length > MAX_PROBLEMS) {
    const first = (list[MAX_PROBLEMS] as ZoneProblem).line;
    if (dropped === 0 || first < droppedLine) droppedLine = first;
    dropped += keepFirst(list);
  }
  if (dropped > 0) {
    list.push({
      line: droppedLine,
      message: `… and ${dropped} more ${what}${
        dropped === 1 ? "" : "s"
      } from this line on (only the first ${MAX_PROBLEMS} are listed): fix these and check again`,
    });
  }
  return list;
}

/**
 * The collector's errors and warnings, each in line order: the first
 * {@linkcode MAX_PROBLEMS}, then one "… and N more" entry when there were more.
 */
export function finalProblems(
  c: ZoneCollector,
): { errors: ZoneProblem[]; warnings: ZoneProblem[] } {
  return {
    errors: finalList(c.errors, c.droppedErrors, c.droppedErrorLine, "error"),
    warnings: finalList(c.warnings, c.droppedWarnings, c.droppedWarningLine, "warning"),
  };
}

/**
 * Whether reading must stop because the file's time budget (`limits.maxParseMs`) is
 * spent; called once per line or generated record, it reads the clock every 256th
 * call. The first time it says so it records the error, at line 0 so it is listed
 * first, naming `line`, the line reached.
 */
export function overTime(c: ZoneCollector, line: number): boolean {
  if ((++c.ticks & 255) !== 0 || c.timedOut) return c.timedOut;
  if (performance.now() <= c.deadline) return false;
  c.timedOut = true;
  c.timedOutAt = line;
  c.errors.push({
    line: 0,
    message: `reading this file took longer than ${
      c.limits.maxParseMs / 1000
    } s; stopped at line ${line}: fix the errors listed (or split the file) and push again`,
  });
  return true;
}

/** Sorts and de-duplicates one set's values in place; returns them. */
export function tidy(v: string[]): string[] {
  if (v.length === 2) {
    // the common several-value set (two AAAA, two MX): no sort call
    const a = v[0] as string, b = v[1] as string;
    if (a === b) v.length = 1;
    else if (b < a) {
      v[0] = b;
      v[1] = a;
    }
    return v;
  }
  v.sort();
  let w = 1;
  for (let r = 1; r < v.length; r++) if (v[r] !== v[w - 1]) v[w++] = v[r] as string;
  v.length = w;
  return v;
}

/**
 * A set at the last owner name added to that has more than the zone's values per set
 * once de-duplicated, or -1. A set is de-duplicated here only past twice the limit, so
 * a generator of the same record over and over costs linear time.
 */
export function overfullSetAtLastName(c: ZoneCollector): number {
  const max = c.limits.maxValuesPerSet;
  for (let i = c.lastFirst; i >= 0; i = c.next[i] as number) {
    const v = c.vals[i];
    if (typeof v === "string" || v === undefined || v.length <= 2 * max) continue;
    if (tidy(v).length > max) return i;
  }
  return -1;
}
