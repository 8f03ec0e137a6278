/**
 * Zone files → normalised Route 53 record sets, with every problem collected.
 *
 * Two formats are read: BIND master files (RFC 1035 §5.1, as named-checkzone reads
 * them) and the legacy dns-api format (lib/zones/legacy.ts). {@linkcode detectFormat}
 * tells them apart; the sets come out in the canonical forms of lib/dns/names.ts and
 * lib/dns/rdata.ts, so a set read back from Route 53 and normalised equals the parsed one.
 *
 * BIND semantics kept on purpose: blank owner = previous owner; TTL when a record has
 * none: `$TTL` if given, else the previous explicit TTL (RFC 1035), else for an SOA its
 * MINIMUM (which then acts as `$TTL`), else an error; a set whose records disagree on TTL
 * takes the first and warns. Deviations: names outside the zone are errors (BIND drops
 * them with a warning), an SOA and apex NS are not required (Route 53 owns them and they
 * are dropped from the output), `$INCLUDE` is refused, TTLs above 2147483647 are errors
 * (BIND sets them to 0), an unclosed `(` is reported on its own line (BIND names the end
 * of the file), a character-string's 255-byte limit and Route 53's 4,000-character TXT
 * value limit are errors, a leading UTF-8 byte-order mark is ignored.
 *
 * Text is taken as decoded UTF-8: characters outside ASCII become their UTF-8 bytes
 * (the check command refuses files that are not valid UTF-8).
 *
 * @module
 */

import type { RecordSet, RRType } from "../dns/record_set.ts";
import { resolveType, TYPE_BY_TOKEN } from "../dns/rdata_types.ts";
import { parseName } from "../dns/names.ts";
import { MAX_TTL, parseRdata, parseTtl } from "../dns/rdata.ts";
import { createEntry, createLexer, expandGenerate, nextEntry, type ZoneEntry } from "./lexer.ts";
import { detectFormat, parseLegacyRecords } from "./legacy.ts";
import { messageOf } from "../util/message.ts";

/** One problem in a zone file: its 1-based line (0 for the whole file) and what to do. */
export interface ZoneProblem {
  line: number;
  message: string;
}

/** Size limits applied to one zone file. */
export interface ZoneLimits {
  /** Largest file, in bytes (UTF-8). */
  maxBytes: number;
  /** Most record sets in the zone (Route 53's default quota is 10,000). */
  maxRecordSets: number;
  /** Most values in one set (Route 53 allows 400). */
  maxValuesPerSet: number;
}

/** 10 MiB, 10,000 sets (Route 53's default quota), 400 values per set (Route 53's limit). */
export const DEFAULT_ZONE_LIMITS: ZoneLimits = {
  maxBytes: 10 * 1024 * 1024,
  maxRecordSets: 10_000,
  maxValuesPerSet: 400,
};

/** What {@linkcode parseZone} returns. */
export interface ZoneParseResult {
  /** The zone as given, without trailing dot, lower-case. */
  zone: string;
  format: "bind" | "legacy";
  /** Sorted in Route 53 listing order; apex SOA and apex NS left out. */
  rrsets: RecordSet[];
  /** Every problem, in line order. */
  errors: ZoneProblem[];
  warnings: ZoneProblem[];
}

/**
 * Collected records and problems shared by both format readers.
 *
 * Sets are stored column-wise (index i in every array is set i, in order of first
 * appearance) and become {@linkcode RecordSet} objects only at the end; a set's values
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
function headOf(c: ZoneCollector, name: string): number {
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

function isClass(tok: string): boolean {
  if (tok === "IN" || tok === "in") return true;
  if (TYPE_BY_TOKEN.has(tok)) return false; // the common case, without case folding
  const u = tok.toUpperCase();
  return u === "IN" || u === "CH" || u === "HS" || u === "CS" || u === "NONE" ||
    u === "ANY" || /^CLASS\d+$/.test(u);
}

/** State of a BIND reader between entries. */
interface BindState {
  origin: string;
  defaultTtl: number;
  lastTtl: number;
  lastOwner: string | null;
  /** The owner token and origin `lastOwner` was read from. */
  lastOwnerToken: string;
  lastOwnerOrigin: string;
  /** `$ORIGIN` came after the last record (BIND warns on an inherited owner then). */
  originJustChanged: boolean;
  c: ZoneCollector;
}

/**
 * Reads one record from tokens `[from..to)`: the owner token first, unless `blankOwner`
 * (then the previous owner). Used for file lines and for the records `$GENERATE` makes.
 */
function readRecord(
  st: BindState,
  tokens: readonly string[],
  from: number,
  to: number,
  blankOwner: boolean,
  line: number,
): void {
  const c = st.c;
  let i = from;
  let owner: string;
  if (blankOwner) {
    if (st.lastOwner === null) {
      c.errors.push({ line, message: "no owner name: this line starts with a blank" });
      return;
    }
    owner = st.lastOwner;
    if (st.originJustChanged) {
      c.warnings.push({
        line,
        message:
          `this line inherits the owner ${owner} right after $ORIGIN ${st.origin}; write the owner if that is not meant`,
      });
    }
  } else {
    const raw = tokens[i] ?? "";
    if (raw === st.lastOwnerToken && st.origin === st.lastOwnerOrigin && st.lastOwner !== null) {
      owner = st.lastOwner; // the same owner written again: no new name string
    } else {
      try {
        owner = parseName(raw, st.origin, false);
      } catch (e) {
        c.errors.push({ line, message: `bad owner name: ${messageOf(e)}` });
        st.lastOwner = null;
        return;
      }
      st.lastOwner = owner;
      st.lastOwnerToken = raw;
      st.lastOwnerOrigin = st.origin;
    }
    i++;
  }
  st.originJustChanged = false;
  let ttl = -1;
  let sawClass = false;
  for (let k = 0; k < 2 && i < to; k++) {
    const tok = tokens[i] ?? "";
    const c0 = tok.charCodeAt(0);
    if (c0 >= 48 && c0 <= 57 && ttl < 0) {
      const v = parseTtl(tok);
      if (v === -2) {
        c.errors.push({ line, message: `TTL ${tok} is out of range 0..${MAX_TTL}` });
        return;
      }
      if (v === -1) {
        c.errors.push({ line, message: `bad TTL "${tok}": write seconds or units like 1h30m` });
        return;
      }
      ttl = v;
      i++;
    } else if (!sawClass && isClass(tok)) {
      // "IN" and "in" (nearly every class token) need no upper-case copy
      const u = tok === "IN" || tok === "in" ? "IN" : tok.toUpperCase();
      if (u !== "IN" && u !== "CLASS1") { // CLASS1 is RFC 3597's spelling of IN
        c.errors.push({ line, message: `class ${tok} is not supported: Route 53 zones are IN` });
        return;
      }
      sawClass = true;
      i++;
    } else break;
  }
  if (i >= to) {
    c.errors.push({ line, message: "missing record type and data" });
    return;
  }
  let type: RRType;
  let value: string;
  try {
    type = resolveType(tokens[i] ?? "");
    value = parseRdata(type, tokens, i + 1, to, st.origin, false);
  } catch (e) {
    c.errors.push({ line, message: messageOf(e) });
    return;
  }
  if (ttl >= 0) {
    if (st.defaultTtl < 0) st.lastTtl = ttl;
  } else if (st.defaultTtl >= 0) ttl = st.defaultTtl;
  else if (st.lastTtl >= 0) ttl = st.lastTtl;
  else if (type === "SOA") {
    ttl = Number(value.slice(value.lastIndexOf(" ") + 1));
    st.defaultTtl = ttl;
    c.warnings.push({ line, message: "no TTL specified; using the SOA MINIMUM, as BIND does" });
  } else {
    c.errors.push({
      line,
      message: "no TTL for this record: add a $TTL line at the top or a TTL to this record",
    });
    return;
  }
  if (owner !== c.apex && !owner.endsWith(c.dotApex)) {
    c.errors.push({
      line,
      message: `${owner} is outside the zone ${c.apex}: Route 53 cannot hold it in this zone`,
    });
    return;
  }
  addRecord(c, owner, type, ttl, value, line);
}

function directive(st: BindState, e: ZoneEntry): void {
  const c = st.c;
  const line = e.line;
  const d = (e.tokens[0] ?? "").toUpperCase();
  const n = e.count;
  if (d === "$ORIGIN") {
    if (n !== 2) {
      c.errors.push({ line, message: "$ORIGIN takes one name" });
      return;
    }
    try {
      st.origin = parseName(e.tokens[1] ?? "", st.origin, false);
      st.originJustChanged = true;
    } catch (err) {
      c.errors.push({ line, message: `bad $ORIGIN: ${messageOf(err)}` });
    }
  } else if (d === "$TTL") {
    if (n !== 2) {
      c.errors.push({ line, message: "$TTL takes one TTL" });
      return;
    }
    const v = parseTtl(e.tokens[1] ?? "");
    if (v < 0) {
      c.errors.push({
        line,
        message: v === -2
          ? `$TTL ${e.tokens[1]} is out of range 0..${MAX_TTL}`
          : `bad $TTL "${e.tokens[1]}": write seconds or units like 1h30m`,
      });
      return;
    }
    st.defaultTtl = v;
  } else if (d === "$INCLUDE") {
    c.errors.push({
      line,
      message:
        "$INCLUDE is not allowed: zone files come from untrusted repositories; put the records in this file",
    });
  } else if (d === "$GENERATE") {
    const tooMany = c.limits.maxRecordSets * c.limits.maxValuesPerSet;
    const r = expandGenerate(e.tokens, e.count, tooMany);
    if (typeof r === "string") {
      c.errors.push({ line, message: r });
      return;
    }
    // BIND: generated records do not become the owner a following blank-owner line inherits
    const { lastOwner, lastOwnerToken, lastOwnerOrigin } = st;
    expandInto(st, r, line);
    st.lastOwner = lastOwner;
    st.lastOwnerToken = lastOwnerToken;
    st.lastOwnerOrigin = lastOwnerOrigin;
  } else {
    c.errors.push({ line, message: `unknown directive ${e.tokens[0]}` });
  }
}

/** Reads the record lines a `$GENERATE` produced; stops at the first bad one. */
function expandInto(st: BindState, lines: string[], line: number): void {
  const c = st.c;
  const sub = createEntry();
  for (const text of lines) {
    const lx = createLexer(text);
    if (!nextEntry(lx, sub)) continue;
    if (sub.problem !== null) {
      c.errors.push({ line, message: `$GENERATE produced "${text}": ${sub.problem}` });
      return;
    }
    const before = c.errors.length;
    readRecord(st, sub.tokens, 0, sub.count, false, line);
    if (c.errors.length > before) return; // one error per $GENERATE line is enough
  }
}

/** Reads BIND master-file text into the collector. */
function parseBind(text: string, c: ZoneCollector): void {
  const st: BindState = {
    origin: c.apex,
    defaultTtl: -1,
    lastTtl: -1,
    lastOwner: null,
    lastOwnerToken: "",
    lastOwnerOrigin: "",
    originJustChanged: false,
    c,
  };
  const lx = createLexer(text);
  const e = createEntry();
  while (nextEntry(lx, e)) {
    if (e.problem !== null) {
      c.errors.push({ line: e.problemLine, message: e.problem });
      continue;
    }
    if (!e.blankOwner && (e.tokens[0] ?? "").charCodeAt(0) === 36) {
      directive(st, e);
      continue;
    }
    readRecord(st, e.tokens, 0, e.count, e.blankOwner, e.line);
  }
}

function byLine(a: ZoneProblem, b: ZoneProblem): number {
  return a.line - b.line;
}

/**
 * Sort key of a name inside the zone, relative to the apex: its labels below the apex
 * reversed, each followed by a dot, the wildcard as Route 53 stores it (`\052`). Every
 * name shares the apex, so comparing these keys as strings is Route 53's order.
 */
function relativeSortKey(name: string, apex: string): string {
  if (name === apex) return "";
  if (apex === ".") return rootSortKey(name);
  // Labels are read from the right with lastIndexOf and sliced with their dot: far
  // cheaper than split/reverse/join at half a million names. Canonical labels hold no
  // bare dot (a dot inside a label is written \056).
  const end = name.length - apex.length;
  let dot = name.lastIndexOf(".", end - 2);
  if (dot < 0) return end === 2 && name.charCodeAt(0) === 42 ? "\\052." : name.slice(0, end);
  let key = "";
  let e = end - 1;
  while (true) {
    const s = dot + 1;
    key += s === 0 && e === 1 && name.charCodeAt(0) === 42 ? "\\052." : name.slice(s, e + 1);
    if (dot < 0) return key;
    e = dot;
    dot = name.lastIndexOf(".", dot - 1);
  }
}

/** {@linkcode relativeSortKey} in a zone at the root (kept as first written). */
function rootSortKey(name: string): string {
  const rel = name.slice(0, name.length - 1);
  const firstDot = rel.indexOf(".");
  if (firstDot === rel.length - 1) return rel === "*." ? "\\052." : rel;
  const labels = rel.slice(0, -1).split(".");
  if (labels[0] === "*") labels[0] = "\\052";
  return labels.reverse().join(".") + ".";
}

function checkNames(c: ZoneCollector): void {
  const { names, types, lines } = c;
  for (let i = 0; i < names.length; i++) {
    const line = lines[i] ?? 0;
    const name = names[i] as string;
    switch (types[i]) {
      case "CNAME": {
        if (name === c.apex) {
          c.errors.push({
            line,
            message: "CNAME at the zone apex: Route 53 cannot hold it (use an A/AAAA record)",
          });
          break;
        }
        for (let j = headOf(c, name); j >= 0; j = c.next[j] ?? -1) {
          if (j === i) continue;
          // on the later of the two lines: the record that made the conflict, as in BIND
          const other = lines[j] ?? 0;
          c.errors.push({
            line: Math.max(line, other),
            message: other > line
              ? `${
                types[j]
              } record beside the CNAME at ${name} (line ${line}): a CNAME allows no other data at its name`
              : `CNAME at ${name} beside its ${
                types[j]
              } record (line ${other}): a CNAME allows no other data at its name`,
          });
          break;
        }
        break;
      }
      case "SOA":
        if (name !== c.apex) {
          c.errors.push({ line, message: `SOA record not at the zone apex ${c.apex}` });
        }
        break;
      case "NS":
        if (name.startsWith("*.")) {
          c.errors.push({ line, message: "NS records cannot be wildcards in Route 53" });
        }
        break;
      case "DS":
        if (name === c.apex) {
          c.errors.push({
            line,
            message: "DS record at the zone apex: it belongs in the parent zone",
          });
        }
        break;
    }
  }
}

/** Sorts and de-duplicates one set's values in place; returns them. */
function tidy(v: string[]): string[] {
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

/** Zone-wide checks, then the sets de-duplicated and in Route 53 listing order. */
function finish(c: ZoneCollector): RecordSet[] {
  checkNames(c);
  const { names, types, ttls, vals, lines } = c;
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i];
    if (typeof v === "string" || v === undefined) continue;
    tidy(v);
    if (v.length > c.limits.maxValuesPerSet) {
      c.errors.push({
        line: lines[i] ?? 0,
        message: `${types[i]} set at ${
          names[i]
        } has ${v.length} values; Route 53 allows ${c.limits.maxValuesPerSet}`,
      });
    }
  }
  const heads = c.heads, headCount = c.headCount;
  const keys: string[] = new Array(headCount);
  const order: number[] = new Array(headCount);
  for (let k = 0; k < headCount; k++) {
    keys[k] = relativeSortKey(names[heads[k] as number] as string, c.apex);
    order[k] = k;
  }
  order.sort((a, b) => {
    const ka = keys[a] as string, kb = keys[b] as string;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  // The objects are made in set order (sequential reads of the columns, neighbouring
  // objects in memory), then picked in listing order: one scattered read per set.
  const recs: RecordSet[] = new Array(names.length);
  for (let i = 0; i < names.length; i++) {
    const v = vals[i] as string | string[];
    recs[i] = {
      name: names[i] as string,
      type: types[i] as RRType,
      ttl: ttls[i] as number,
      values: typeof v === "string" ? [v] : v,
    };
  }
  const out: RecordSet[] = [];
  const here: number[] = [];
  for (const k of order) {
    const first = heads[k] as number;
    const name = names[first] as string;
    here.length = 0;
    for (let j = first; j >= 0; j = c.next[j] ?? -1) {
      const t = types[j];
      if (name === c.apex && (t === "SOA" || t === "NS")) continue;
      here.push(j);
    }
    // by type; a name has a few sets (one per type), so an insertion sort is cheapest
    for (let x = 1; x < here.length; x++) {
      const j = here[x] as number, t = types[j] as string;
      let y = x - 1;
      for (; y >= 0 && (types[here[y] as number] as string) > t; y--) {
        here[y + 1] = here[y] as number;
      }
      here[y + 1] = j;
    }
    for (const j of here) {
      const r = recs[j] as RecordSet;
      r.name = name; // one string per owner name, as in the owner table
      out.push(r);
    }
  }
  if (out.length > c.limits.maxRecordSets && !c.tooManySets) {
    c.errors.push({
      line: 0,
      message:
        `more than ${c.limits.maxRecordSets} record sets: Route 53's quota for one zone is exceeded`,
    });
  }
  return out;
}

/**
 * Parses a zone file (BIND or legacy format, told apart by {@linkcode detectFormat})
 * into normalised record sets, collecting every problem with its line.
 *
 * @example
 * ```ts
 * const r = parseZone("$TTL 300\nwww A 192.0.2.1\n", { zone: "shop.test" });
 * // r.rrsets: [{ name: "www.shop.test.", type: "A", ttl: 300, values: ["192.0.2.1"] }]
 * ```
 */
export function parseZone(
  text: string,
  options: { zone: string; limits?: Partial<ZoneLimits> },
): ZoneParseResult {
  const limits = { ...DEFAULT_ZONE_LIMITS, ...options.limits };
  let zone = options.zone.toLowerCase();
  if (zone.endsWith(".")) zone = zone.slice(0, -1);
  // Room for the sets up front (a record line averages 30-40 bytes; the set limit caps
  // it), so the number columns rarely grow.
  const c = createCollector(
    "",
    limits,
    Math.min(limits.maxRecordSets + 2, (text.length >> 5) + 64),
  );
  const result = (format: "bind" | "legacy", rrsets: RecordSet[]): ZoneParseResult => ({
    zone,
    format,
    rrsets,
    errors: c.errors.sort(byLine),
    warnings: c.warnings.sort(byLine),
  });
  try {
    c.apex = parseName(zone === "" ? "." : zone + ".", ".", false);
    c.dotApex = c.apex === "." ? "." : "." + c.apex;
  } catch (e) {
    c.errors.push({ line: 0, message: `bad zone name "${options.zone}": ${messageOf(e)}` });
    return result("bind", []);
  }
  // Checked before reading: a huge file must not cost memory first.
  const bytes = text.length <= limits.maxBytes / 3
    ? text.length
    : new TextEncoder().encode(text).length;
  if (bytes > limits.maxBytes) {
    c.errors.push({
      line: 0,
      message: `file is ${bytes} bytes; the limit is ${limits.maxBytes}`,
    });
    return result("bind", []);
  }
  // A UTF-8 byte-order mark (editors on Windows add one) is not part of the first owner.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const format = detectFormat(text);
  if (typeof format !== "string") {
    c.errors.push(format);
    return result("bind", []);
  }
  if (format === "legacy") parseLegacyRecords(text, c);
  else parseBind(text, c);
  const rrsets = finish(c);
  if (rrsets.length === 0 && c.errors.length === 0) {
    c.warnings.push({ line: 0, message: "the file holds no record sets" });
  }
  return result(format, rrsets);
}
