/**
 * RFC 1035 §5.1 master-file lexing: splits zone text into entries (one logical record
 * or directive each, parentheses joining lines) made of raw tokens.
 *
 * Tokens keep their escapes (`\X`, `\DDD`) undecoded: whether `\.` splits a label or
 * `\DDD` is decimal or octal is the reader's business (see lib/dns/names.ts, lib/rdata/rdata.ts).
 * The loop works on char codes over the whole string, and one entry object is reused
 * for every record, so lexing allocates little more than the token strings.
 *
 * @module
 */

import { messageOf } from "../util/message.ts";

/** One logical entry of a zone file; reused between calls of {@linkcode nextEntry}. */
export interface ZoneEntry {
  /** Line (1-based) where the entry starts. */
  line: number;
  /** The entry's line starts with a blank: the owner is the previous record's. */
  blankOwner: boolean;
  /** Raw token text; a quoted token keeps its quotes (so it starts with `"`, which no
   * unquoted token does), letting a canonical TXT string stay a slice of the file. Only the first
   * {@linkcode ZoneEntry.count} are this entry's: the arrays are reused, never shrunk. */
  tokens: string[];
  /** Number of tokens in this entry. */
  count: number;
  /** First lexing problem of the entry, or null. */
  problem: string | null;
  /** Line of {@linkcode ZoneEntry.problem}. */
  problemLine: number;
  /**
   * The entry's first comment whose `;` touches the token before it (`v=DKIM1; k=rsa`):
   * the reader warns when that cut a TXT value short. Null when there is none.
   */
  gluedComment: GluedComment | null;
}

/** A comment that starts right after an unquoted token, with no blank between. */
export interface GluedComment {
  /** Its line. */
  line: number;
  /** Tokens of the entry before it. */
  after: number;
  /** What follows the `;` up to the end of the line. */
  text: string;
}

/** Lexer state: the text, the read position and the current line. */
export interface ZoneLexer {
  text: string;
  pos: number;
  line: number;
  /** Treat `;` as a comment start (zone files) or as an ordinary byte (Route 53 values). */
  comments: boolean;
}

/** Creates lexer state positioned at the start of `text`. */
export function createLexer(text: string, comments = true): ZoneLexer {
  return { text, pos: 0, line: 1, comments };
}

/** Creates an empty entry to pass to {@linkcode nextEntry}. */
export function createEntry(): ZoneEntry {
  return {
    line: 0,
    blankOwner: false,
    tokens: [],
    count: 0,
    problem: null,
    problemLine: 0,
    gluedComment: null,
  };
}

const NL = 10, CR = 13, SP = 32, TAB = 9, QUOTE = 34, SEMI = 59, LPAR = 40, RPAR = 41;
const BSL = 92, EQ = 61;

function fail(entry: ZoneEntry, line: number, message: string): void {
  if (entry.problem === null) {
    entry.problem = message;
    entry.problemLine = line;
  }
}

/**
 * Class and type mnemonics by length, in the spellings files use. A token equal to one
 * of them is returned as this constant string: no allocation, and Map lookups of it
 * reuse its cached hash (a fresh string's first hash is costly in V8).
 */
const KNOWN_BY_LENGTH: string[][] = [[], [], [], [], [], []];
for (
  const t of [
    "IN",
    "A",
    "AAAA",
    "CAA",
    "CNAME",
    "DS",
    "MX",
    "NS",
    "PTR",
    "SOA",
    "SPF",
    "SRV",
    "TLSA",
    "TXT",
    "SVCB",
    "HTTPS",
    "NAPTR",
    "SSHFP",
    "@",
  ]
) {
  for (const v of [t, t.toLowerCase()]) {
    const list = KNOWN_BY_LENGTH[v.length];
    if (list && !list.includes(v)) list.push(v);
  }
}

function knownToken(text: string, start: number, end: number): string | undefined {
  const n = end - start;
  if (n > 5) return undefined;
  const c = text.charCodeAt(start);
  if (c < 64) return undefined; // digits and punctuation: TTLs, numbers, addresses
  const list = KNOWN_BY_LENGTH[n] as string[];
  for (let k = 0; k < list.length; k++) {
    const t = list[k] as string;
    if (t.charCodeAt(0) === c && text.startsWith(t, start)) return t;
  }
  return undefined;
}

/**
 * Reads the next non-empty entry into `entry`. Returns false at the end of the text.
 *
 * An unquoted token ends at a blank, `;`, `(`, `)` or `"`, except that `key="…"` (an
 * SVCB parameter) stays one token with its quotes, as BIND reads it. A newline inside
 * quotes is an unterminated string; a newline inside parentheses is a blank.
 *
 * @example
 * ```ts
 * const lx = createLexer("www 300 IN TXT \"a b\" ; c\n");
 * const e = createEntry();
 * nextEntry(lx, e); // e.count = 5, e.tokens = ["www", "300", "IN", "TXT", '"a b"']
 * ```
 */
export function nextEntry(lx: ZoneLexer, entry: ZoneEntry): boolean {
  const text = lx.text;
  const len = text.length;
  let pos = lx.pos;
  let line = lx.line;
  const tokens = entry.tokens;
  // Setting length to 0 would free the backing stores; overwrite and count instead.
  let count = 0;
  entry.problem = null;
  entry.gluedComment = null;
  let parens = 0;
  let parenLine = 0;
  entry.line = line;
  let c0 = pos < len ? text.charCodeAt(pos) : NL;
  entry.blankOwner = c0 === SP || c0 === TAB;
  while (true) {
    if (pos >= len) {
      if (parens > 0) {
        fail(entry, parenLine, `unbalanced parentheses: "(" on line ${parenLine} is never closed`);
      }
      lx.pos = pos;
      lx.line = line;
      entry.count = count;
      return count > 0 || entry.problem !== null;
    }
    const c = text.charCodeAt(pos);
    if (c === NL) {
      pos++;
      line++;
      if (parens > 0) continue;
      if (count > 0 || entry.problem !== null) {
        lx.pos = pos;
        lx.line = line;
        entry.count = count;
        return true;
      }
      entry.line = line;
      c0 = pos < len ? text.charCodeAt(pos) : NL;
      entry.blankOwner = c0 === SP || c0 === TAB;
      continue;
    }
    if (c === SP || c === TAB || c === CR) {
      pos++;
      continue;
    }
    if (c === SEMI && lx.comments) {
      const start = pos;
      while (pos < len && text.charCodeAt(pos) !== NL) pos++;
      // Only an unquoted token can end right at the `;` (the token loop stops there).
      const before = text.charCodeAt(start - 1);
      if (
        entry.gluedComment === null && count > 0 && before > SP && before !== QUOTE &&
        before !== LPAR && before !== RPAR
      ) {
        const end = text.charCodeAt(pos - 1) === CR ? pos - 1 : pos;
        entry.gluedComment = { line, after: count, text: text.slice(start + 1, end) };
      }
      continue;
    }
    if (c === LPAR) {
      if (parens === 0) parenLine = line;
      parens++;
      pos++;
      continue;
    }
    if (c === RPAR) {
      if (parens === 0) fail(entry, line, `unbalanced parentheses: ")" without "("`);
      else parens--;
      pos++;
      continue;
    }
    if (c === QUOTE) {
      const start = ++pos;
      while (pos < len) {
        const d = text.charCodeAt(pos);
        if (d === QUOTE) break;
        if (d === NL) break;
        if (d === BSL && text.charCodeAt(++pos) === NL) line++; // escaped newline: still a line
        pos++;
      }
      if (pos >= len || text.charCodeAt(pos) !== QUOTE) {
        fail(entry, line, `unterminated quoted string: add the closing '"' on this line`);
        tokens[count++] = text.slice(start - 1, pos > len ? len : pos);
        continue; // the newline, if any, ends the entry (or is skipped inside parentheses)
      }
      tokens[count++] = text.slice(start - 1, pos + 1);
      pos++;
      continue;
    }
    const start = pos;
    while (pos < len) {
      const d = text.charCodeAt(pos);
      if (d === SP || d === TAB || d === NL || d === CR || d === LPAR || d === RPAR) break;
      if (d === SEMI && lx.comments) break;
      if (d === BSL) {
        if (text.charCodeAt(pos + 1) === NL) line++;
        pos += 2;
        continue;
      }
      if (d === QUOTE) {
        if (pos === start || text.charCodeAt(pos - 1) !== EQ) break;
        // key="value": keep the quoted value inside the token, as BIND's SVCB reader does
        pos++;
        while (pos < len) {
          const e = text.charCodeAt(pos);
          if (e === QUOTE || e === NL) break;
          if (e === BSL && text.charCodeAt(++pos) === NL) line++;
          pos++;
        }
        if (pos >= len || text.charCodeAt(pos) !== QUOTE) {
          fail(entry, line, `unterminated quoted string: add the closing '"' on this line`);
          break;
        }
        pos++;
        continue;
      }
      pos++;
    }
    if (pos > len) pos = len;
    tokens[count++] = knownToken(text, start, pos) ?? text.slice(start, pos);
  }
}

/** Largest number BIND's `$GENERATE` takes (a C `int`): range ends, step, iterator + offset. */
const INT_MAX = 2147483647;
/** BIND formats each substitution into a 128-byte buffer: wider is "ran out of space". */
const MAX_WIDTH = 127;
/** BIND's buffers for one generated owner and one generated RHS, in characters. */
const MAX_OWNER_TEXT = 2047, MAX_DATA_TEXT = 65535;

/** One `${offset,width,base}` (or bare `$`, offset 0) of a template. */
interface Substitution {
  offset: number;
  width: number;
  base: string;
}

/** A `$GENERATE` template split once into literal text and substitutions. */
type Template = (string | Substitution)[];

/**
 * Splits one `$GENERATE` field into pieces, checking its numbers as BIND does (an offset
 * a C `int` holds, a width of at most 127). BIND keeps the offset of the last `${…}` for
 * a later bare `$` in the same field. Throws SyntaxError naming the problem.
 */
function compileTemplate(tpl: string): Template {
  const pieces: Template = [];
  let text = "";
  let offset = 0;
  for (let i = 0; i < tpl.length; i++) {
    const c = tpl[i];
    if (c === "\\") {
      text += tpl.slice(i, i + 2); // escapes pass through to the record reader
      i++;
      continue;
    }
    if (c !== "$") {
      text += c;
      continue;
    }
    if (tpl[i + 1] === "$") {
      text += "$";
      i++;
      continue;
    }
    let width = 0, base = "d";
    if (tpl[i + 1] === "{") {
      const end = tpl.indexOf("}", i);
      const m = end < 0
        ? null
        : /^([-+]?\d+)(?:,(\d+)(?:,([doxXnN]))?)?$/.exec(tpl.slice(i + 2, end));
      if (m === null) throw new SyntaxError(`bad \${offset,width,base} in "${tpl}"`);
      offset = Number(m[1]);
      width = Number(m[2] ?? 0);
      base = m[3] ?? "d";
      if (offset < -INT_MAX - 1 || offset > INT_MAX) {
        throw new SyntaxError(
          `bad $GENERATE offset ${m[1]} in "${tpl}": it must be ${-INT_MAX - 1}..${INT_MAX}`,
        );
      }
      if (width > MAX_WIDTH) {
        throw new SyntaxError(
          `bad $GENERATE width ${m[2]} in "${tpl}": BIND formats at most ${MAX_WIDTH} characters`,
        );
      }
      i = end;
    }
    if (text !== "") pieces.push(text);
    text = "";
    pieces.push({ offset, width, base });
  }
  if (text !== "") pieces.push(text);
  return pieces;
}

/** The text of one substitution for iterator value `it`, as BIND's printf formats it. */
function format(sub: Substitution, it: number): string {
  const { width, base } = sub;
  // BIND refuses an iterator and offset whose sum passes a C int ("out of range")
  if (it > 0 && sub.offset > INT_MAX - it) {
    throw new SyntaxError(
      `$GENERATE offset ${sub.offset} + iterator ${it} is above ${INT_MAX}: BIND refuses it`,
    );
  }
  const v = it + sub.offset;
  if (base === "n" || base === "N") {
    let s = "";
    let x = v, count = 0;
    while (true) {
      const nib = (x & 15).toString(16);
      s += base === "N" ? nib.toUpperCase() : nib;
      x = x >>> 4;
      count++;
      if (x === 0 && count >= width) break;
      s += ".";
      count++;
      if (x === 0 && count >= width) break;
    }
    return s;
  }
  if (base === "d") {
    const sign = v < 0 ? "-" : "";
    return sign + Math.abs(v).toString(10).padStart(width - sign.length, "0");
  }
  // %o and %x print a negative int as its unsigned 32-bit value
  const s = (v >>> 0).toString(base === "o" ? 8 : 16).padStart(width, "0");
  return base === "X" ? s.toUpperCase() : s;
}

/** A template's text for iterator value `it`; throws SyntaxError past `max` characters. */
function fill(tpl: Template, it: number, max: number, what: string): string {
  let out = "";
  for (const p of tpl) {
    out += typeof p === "string" ? p : format(p, it);
    if (out.length > max) {
      throw new SyntaxError(
        `$GENERATE makes ${what} longer than ${max} characters (BIND's limit) at iterator ${it}`,
      );
    }
  }
  return out;
}

function unquote(tok: string): string {
  return tok.length >= 2 && tok.charCodeAt(0) === 34 && tok.endsWith('"') ? tok.slice(1, -1) : tok;
}

/** A `$GENERATE` line read and checked, ready for {@linkcode generateLine}. */
export interface GenerateSpec {
  start: number;
  stop: number;
  step: number;
  lhs: Template;
  /** TTL, class and type, as written. */
  middle: string;
  /** The RHS fields, each a template (quotes removed: BIND re-lexes the result). */
  rhs: Template[];
}

/**
 * Reads a `$GENERATE range lhs [ttl] [class] type rhs` entry, checking its numbers as
 * BIND does: range ends and step up to 2147483647, start not past stop, step at least 1,
 * offsets a C `int` holds, widths up to 127. Ranges of more than `max` records are
 * refused before anything is made. Returns the spec or an error message. Nothing is
 * expanded here: {@linkcode generateLine} makes one line at a time, so a reader stops at
 * its limits without building the rest.
 */
export function parseGenerate(
  tokens: readonly string[],
  count: number,
  max: number,
): GenerateSpec | string {
  if (count < 5) return "$GENERATE needs a range, an owner, a type and data";
  const m = /^(\d+)-(\d+)(?:\/(\d+))?$/.exec(tokens[1] ?? "");
  if (m === null) return `bad $GENERATE range "${tokens[1]}": write start-stop or start-stop/step`;
  const start = Number(m[1]), stop = Number(m[2]), step = Number(m[3] ?? 1);
  if (start > INT_MAX || stop > INT_MAX || step > INT_MAX) {
    return `bad $GENERATE range "${tokens[1]}": BIND takes numbers up to ${INT_MAX}`;
  }
  if (start > stop || step < 1) {
    return `bad $GENERATE range "${tokens[1]}": start must not pass stop, step must be 1 or more`;
  }
  if (Math.floor((stop - start) / step) + 1 > max) {
    return `$GENERATE range "${tokens[1]}" makes more records than the zone may hold`;
  }
  let t = 3;
  while (t < count - 1 && t < 5) {
    const tok = tokens[t] ?? "";
    const u = tok.toUpperCase();
    if (/^\d/.test(tok) || u === "IN" || /^CLASS\d+$/.test(u) || u === "CH" || u === "HS") {
      t++;
    } else break;
  }
  try {
    const lhs = compileTemplate(unquote(tokens[2] ?? ""));
    const rhs: Template[] = [];
    for (let k = t + 1; k < count; k++) rhs.push(compileTemplate(unquote(tokens[k] ?? "")));
    return { start, stop, step, lhs, middle: tokens.slice(3, t + 1).join(" "), rhs };
  } catch (e) {
    return messageOf(e);
  }
}

/**
 * The record line a {@linkcode GenerateSpec} makes for iterator value `it`. Throws
 * SyntaxError when BIND would refuse it (offset overflow, owner or data past BIND's
 * buffers).
 */
export function generateLine(spec: GenerateSpec, it: number): string {
  let data = "";
  for (const tpl of spec.rhs) data += " " + fill(tpl, it, MAX_DATA_TEXT - data.length, "data");
  return fill(spec.lhs, it, MAX_OWNER_TEXT, "an owner") + " " + spec.middle + data;
}

/**
 * Expands a `$GENERATE range lhs [ttl] [class] type rhs` entry into record lines, as
 * BIND does: `$` is the iterator, `$$` a literal `$`, `${offset,width,base}` with base
 * d, o, x, X, n or N (nibbles, reversed and dot-separated, `width` counting characters).
 * A quoted LHS or RHS only groups text: it is substituted and lexed again, so
 * `TXT "a $"` gives two strings, as in BIND. Returns the lines, or an error message. At
 * most `max` lines are produced. (The zone reader makes the lines one at a time with
 * {@linkcode parseGenerate} and {@linkcode generateLine} instead.)
 *
 * @example
 * ```ts
 * expandGenerate(["$GENERATE", "1-2", "h$", "A", "10.0.0.$"], 5, 10);
 * // ["h1 A 10.0.0.1", "h2 A 10.0.0.2"]
 * ```
 */
export function expandGenerate(
  tokens: readonly string[],
  count: number,
  max: number,
): string[] | string {
  const spec = parseGenerate(tokens, count, max);
  if (typeof spec === "string") return spec;
  const lines: string[] = [];
  try {
    for (let it = spec.start; it <= spec.stop; it += spec.step) lines.push(generateLine(spec, it));
  } catch (e) {
    return messageOf(e);
  }
  return lines;
}
