/**
 * The BIND master-file reader (RFC 1035 §5.1): entries from lib/zones/lexer.ts become
 * records in the collector; `$ORIGIN`, `$TTL` and `$GENERATE` are followed, `$INCLUDE`
 * is refused. The semantics it keeps and where it deviates from BIND are listed in
 * lib/zones/parse.ts.
 *
 * @module
 */

import type { RRType } from "../dns/record_set.ts";
import { resolveType, TYPE_BY_TOKEN } from "../rdata/types.ts";
import { parseName } from "../dns/names.ts";
import { MAX_TTL, parseRdata, parseTtl } from "../rdata/rdata.ts";
import {
  createEntry,
  createLexer,
  generateLine,
  nextEntry,
  parseGenerate,
  type ZoneEntry,
} from "./lexer.ts";
import {
  addAlias,
  addRecord,
  boundProblems,
  overfullSetAtLastName,
  overTime,
  type ZoneCollector,
} from "./collector.ts";
import { isAliasMarker, parseAliasFields } from "../dns/alias.ts";
import { type GluedComment } from "./lexer.ts";
import {
  createRecordHints,
  finishRecordHints,
  hintRecord,
  type RecordHints,
} from "./lint/records.ts";
import { soaIgnoredMessage } from "./lint/apex.ts";
import { messageOf } from "../util/message.ts";

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
  /** Characters of record text every `$GENERATE` so far made (bounded by the file limit). */
  generatedBytes: number;
  c: ZoneCollector;
  /** The warnings of lib/zones/lint/records.ts, and the current entry's glued comment. */
  hints: RecordHints;
  glued: GluedComment | null;
  /** Records come from a `$GENERATE` line. */
  generating: boolean;
  /** The apex SOA got its warning (an identical second SOA line merges silently). */
  soaWarned: boolean;
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
  if (isAliasMarker(tokens, i, to)) { // cli53's alias line (lib/dns/alias.ts)
    try {
      const { type, alias } = parseAliasFields(tokens, i + 2, to, st.origin);
      addAlias(c, owner, type, alias, ttl >= 0, line);
    } catch (e) {
      c.errors.push({ line, message: messageOf(e) });
    }
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
    if (owner === c.apex && !st.soaWarned) {
      st.soaWarned = true;
      c.warnings.push({ line, message: soaIgnoredMessage(ttl) });
    } else {
      c.warnings.push({ line, message: "no TTL specified; using the SOA MINIMUM, as BIND does" });
    }
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
  if (type === "SOA" && owner === c.apex && !st.soaWarned) {
    st.soaWarned = true;
    c.warnings.push({ line, message: soaIgnoredMessage(null) });
  }
  hintRecord(st.hints, c, type, tokens, i + 1, to, value, line, st.glued, st.generating);
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
  } else {
    c.errors.push({ line, message: `unknown directive ${e.tokens[0]}` });
  }
}

/**
 * Reads the records a `$GENERATE` makes, one at a time, and stops at the first bad one
 * or the moment a limit is reached (the zone's record sets, a set's values, or more
 * bytes of generated text than a zone file may hold): nothing is expanded ahead, so a
 * tiny line cannot cost more than the largest allowed file.
 */
function* generate(st: BindState, e: ZoneEntry): Generator<void, void> {
  // BIND: generated records do not become the owner a following blank-owner line inherits
  const { lastOwner, lastOwnerToken, lastOwnerOrigin } = st;
  // Warnings about one record's form are given once per $GENERATE line, not per record.
  st.generating = true;
  try {
    yield* generateRecords(st, e);
  } finally {
    st.generating = false;
  }
  st.lastOwner = lastOwner;
  st.lastOwnerToken = lastOwnerToken;
  st.lastOwnerOrigin = lastOwnerOrigin;
}

function* generateRecords(st: BindState, e: ZoneEntry): Generator<void, void> {
  const c = st.c;
  const line = e.line;
  const { maxRecordSets, maxValuesPerSet, maxBytes } = c.limits;
  const spec = parseGenerate(e.tokens, e.count, maxRecordSets * maxValuesPerSet);
  if (typeof spec === "string") {
    c.errors.push({ line, message: spec });
    return;
  }
  const sub = createEntry();
  for (let it = spec.start; it <= spec.stop; it += spec.step) {
    if (overTime(c, line)) return;
    if ((c.ticks & 255) === 0) yield;
    let text: string;
    try {
      text = generateLine(spec, it);
    } catch (err) {
      c.errors.push({ line, message: messageOf(err) });
      return;
    }
    st.generatedBytes += text.length + 1;
    if (st.generatedBytes > maxBytes) {
      c.errors.push({
        line,
        message:
          `$GENERATE makes more than ${maxBytes} bytes of records, the size limit of a zone file: generate fewer records`,
      });
      return;
    }
    const lx = createLexer(text);
    if (!nextEntry(lx, sub)) continue;
    if (sub.problem !== null) {
      c.errors.push({ line, message: `$GENERATE produced "${text}": ${sub.problem}` });
      return;
    }
    const before = c.errors.length;
    readRecord(st, sub.tokens, 0, sub.count, false, line);
    if (c.errors.length > before || c.tooManySets) return; // one error per $GENERATE line
    const full = overfullSetAtLastName(c);
    if (full >= 0) {
      c.errors.push({
        line,
        message: `$GENERATE makes more than ${maxValuesPerSet} values for the ${
          c.types[full]
        } set at ${c.names[full]}; Route 53 allows ${maxValuesPerSet}`,
      });
      return;
    }
    boundProblems(c);
  }
}

/**
 * Reads BIND master-file text into the collector, yielding every 256 lines or
 * generated records (lib/util/steps.ts runs it).
 */
export function* parseBind(text: string, c: ZoneCollector): Generator<void, void> {
  const st: BindState = {
    origin: c.apex,
    defaultTtl: -1,
    lastTtl: -1,
    lastOwner: null,
    lastOwnerToken: "",
    lastOwnerOrigin: "",
    originJustChanged: false,
    generatedBytes: 0,
    c,
    hints: createRecordHints(),
    glued: null,
    generating: false,
    soaWarned: false,
  };
  const lx = createLexer(text);
  const e = createEntry();
  while (nextEntry(lx, e)) {
    if (overTime(c, e.line)) return;
    if ((c.ticks & 255) === 0) yield;
    boundProblems(c);
    if (e.problem !== null) {
      c.errors.push({ line: e.problemLine, message: e.problem });
      continue;
    }
    if (!e.blankOwner && (e.tokens[0] ?? "").charCodeAt(0) === 36) {
      if ((e.tokens[0] ?? "").toUpperCase() === "$GENERATE") yield* generate(st, e);
      else directive(st, e);
      continue;
    }
    st.glued = e.gluedComment;
    readRecord(st, e.tokens, 0, e.count, e.blankOwner, e.line);
    st.glued = null;
  }
  finishRecordHints(st.hints, c);
}
