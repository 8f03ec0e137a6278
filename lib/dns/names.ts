/**
 * Domain names in our canonical form, and conversion from and to Route 53's form.
 *
 * Canonical form (what {@linkcode RecordSet} names and domain names inside values use):
 * - lower-case, fully qualified, with a trailing dot (the root is `.`);
 * - every byte other than `a-z`, `0-9`, `-` and `_` written as `\` and three OCTAL
 *   digits, exactly as Route 53 lists names (`a b` → `a\040b`, a dot inside a label →
 *   `\056`, the bytes `\195\169` → `\303\251`);
 * - a label written in Unicode text (`café`) converted to its A-label (`xn--caf-dma`) by
 *   UTS #46 (lib/dns/idn.ts), as browsers look it up; a label written with `\` escapes
 *   stays the bytes it spells, as BIND reads it, and a label mixing both is an error;
 * - except a leftmost label that is exactly `*` (a wildcard), written `*`
 *   (`*.shop.test.`); Route 53 lists it as `\052`, {@linkcode canonicalRoute53Name}
 *   maps that back.
 *
 * Zone files write `\DDD` in DECIMAL, Route 53 writes `\ooo` in OCTAL; {@linkcode parseName}
 * takes the base as a parameter so both read into the same canonical text.
 *
 * @module
 */

import { toALabel } from "./idn.ts";

const BSL = 92, DOT = 46, STAR = 42;

/** True for the bytes a canonical name keeps as they are: a-z 0-9 - _ */
function isPlain(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 95;
}

/** Octal escape of one byte: `\ooo`. */
export function octalEscape(b: number): string {
  return "\\" + (b >> 6) + ((b >> 3) & 7) + (b & 7);
}

/** Wire length of a canonical name: each `\ooo` is one byte, `.` alone is 1. */
function wireLength(name: string): number {
  if (name === ".") return 1;
  let n = name.length + 1;
  for (let i = name.indexOf("\\"); i >= 0; i = name.indexOf("\\", i + 4)) n -= 3;
  return n;
}

/** Appends the UTF-8 bytes of the code point at `s[i]` to `out`; returns chars consumed. */
export function pushUtf8(s: string, i: number, out: number[]): number {
  const c = s.codePointAt(i) ?? 0;
  if (c < 0x80) out.push(c);
  else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
  else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  else {
    out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    return 2;
  }
  return 1;
}

/**
 * Reads the escape starting at `s[i]` (a backslash) and returns the byte it stands for,
 * or -1 when it is `\` + a non-digit (the caller takes that character literally).
 * Throws SyntaxError for a bad `\DDD` / `\ooo`.
 */
export function escapedByte(s: string, i: number, octal: boolean): number {
  const d1 = s.charCodeAt(i + 1) - 48;
  if (!(d1 >= 0 && d1 <= 9)) return -1;
  const d2 = s.charCodeAt(i + 2) - 48, d3 = s.charCodeAt(i + 3) - 48;
  const base = octal ? 8 : 10;
  if (!(d2 >= 0 && d2 < base && d3 >= 0 && d3 < base && d1 < base)) {
    throw new SyntaxError(
      `bad escape "${s.slice(i, i + 4)}": write three ${octal ? "octal" : "decimal"} digits`,
    );
  }
  const v = (d1 * base + d2) * base + d3;
  if (v > 255) throw new SyntaxError(`bad escape "${s.slice(i, i + 4)}": above 255`);
  return v;
}

function checkLabel(len: number, raw: string): void {
  if (len === 0) throw new SyntaxError(`empty label in name "${raw}"`);
  if (len > 63) {
    throw new SyntaxError(`label of ${len} octets in name "${raw}": the limit is 63`);
  }
}

/** Encodes the bytes of one label (already lower-cased) canonically. */
function encodeLabel(bytes: number[], leftmost: boolean): string {
  if (leftmost && bytes.length === 1 && bytes[0] === STAR) return "*";
  let s = "";
  for (const b of bytes) s += isPlain(b) ? String.fromCharCode(b) : octalEscape(b);
  return s;
}

let lastOrigin = "", lastDotted = "";

/** `"." + origin`, cached: one concatenation per relative name instead of two. */
function dotted(origin: string): string {
  if (origin !== lastOrigin) {
    lastOrigin = origin;
    lastDotted = "." + origin;
  }
  return lastDotted;
}

/**
 * Parses a name in presentation form into canonical form.
 *
 * `origin` is canonical (`shop.test.`, or `.`); `@` means the origin and a name without
 * a trailing dot is relative to it. `octal` selects Route 53's `\ooo` escapes instead of
 * the zone file's decimal `\DDD`. Throws SyntaxError naming the problem (empty label,
 * label over 63 or name over 255 octets, bad escape).
 *
 * @example
 * ```ts
 * parseName("WWW", "shop.test.", false); // "www.shop.test."
 * parseName("a\\032b.", ".", false);     // "a\\040b."
 * ```
 */
export function parseName(raw: string, origin: string, octal: boolean): string {
  if (raw.charCodeAt(0) === 34 && raw.length >= 2 && raw.endsWith('"')) raw = raw.slice(1, -1);
  const n = raw.length;
  if (n === 1) {
    const c = raw.charCodeAt(0);
    if (c === 64) return origin; // @
    if (c === DOT) return ".";
  }
  if (n === 0) throw new SyntaxError("empty name");
  // Fast path: only plain bytes, dots and upper-case letters, `*` as a whole first label.
  let upper = false;
  let labelLen = 0;
  let fast = true;
  for (let i = 0; i < n; i++) {
    const c = raw.charCodeAt(i);
    if (c === DOT) {
      checkLabel(labelLen, raw);
      labelLen = 0;
      continue;
    }
    labelLen++;
    if (isPlain(c)) continue;
    if (c >= 65 && c <= 90) {
      upper = true;
      continue;
    }
    if (c === STAR && i === 0 && (n === 1 || raw.charCodeAt(1) === DOT)) continue;
    fast = false;
    break;
  }
  let name: string;
  if (fast) {
    const absolute = raw.charCodeAt(n - 1) === DOT;
    if (!absolute) checkLabel(labelLen, raw);
    const base = upper ? raw.toLowerCase() : raw;
    name = absolute ? base : origin === "." ? base + "." : base + dotted(origin);
  } else {
    name = parseNameSlow(raw, origin, octal);
  }
  if (name.length > 254 && wireLength(name) > 255) {
    throw new SyntaxError(`name "${raw}" is ${wireLength(name)} octets: the limit is 255`);
  }
  return name;
}

function parseNameSlow(raw: string, origin: string, octal: boolean): string {
  const labels: string[] = [];
  let bytes: number[] = [];
  let absolute = false;
  // Per label: where its text starts, and whether it holds raw non-ASCII text (an IDN,
  // converted to its A-label) or backslash escapes (bytes, as BIND reads them).
  let start = 0, unicode = false, escaped = false;
  const endLabel = (end: number) => {
    if (unicode) {
      const text = raw.slice(start, end);
      if (escaped) {
        throw new SyntaxError(
          `the label "${text}" mixes \\ escapes with non-ASCII characters: write it as text ` +
            `(an internationalised name, published as its xn-- A-label) or wholly as \\DDD bytes`,
        );
      }
      const ace = toALabel(text);
      if (ace.length > 63) {
        throw new SyntaxError(
          `the label "${text}" is ${ace.length} octets as its A-label ${ace}: the limit is 63`,
        );
      }
      bytes = [];
      for (let k = 0; k < ace.length; k++) bytes.push(ace.charCodeAt(k));
    }
    checkLabel(bytes.length, raw);
    labels.push(encodeLabel(bytes, labels.length === 0));
    bytes = [];
    start = end + 1;
    unicode = escaped = false;
  };
  const n = raw.length;
  for (let i = 0; i < n; i++) {
    const c = raw.charCodeAt(i);
    if (c === DOT) {
      endLabel(i);
      if (i === n - 1) absolute = true;
      continue;
    }
    if (c === BSL) {
      if (i + 1 >= n) throw new SyntaxError(`name "${raw}" ends with a lone backslash`);
      escaped = true;
      const b = escapedByte(raw, i, octal);
      if (b >= 0) {
        bytes.push(b >= 65 && b <= 90 ? b + 32 : b);
        i += 3;
      } else {
        i++;
        const d = raw.charCodeAt(i);
        if (d < 0x80) bytes.push(d >= 65 && d <= 90 ? d + 32 : d);
        else i += pushUtf8(raw, i, bytes) - 1;
      }
    } else if (c >= 65 && c <= 90) bytes.push(c + 32);
    else if (c < 0x80) bytes.push(c);
    else {
      unicode = true;
      i += pushUtf8(raw, i, bytes) - 1;
    }
    // An IDN label's length is its A-label's, known at its end (toALabel bounds the text).
    if (bytes.length > 63 && !unicode) checkLabel(bytes.length, raw);
  }
  if (!absolute) endLabel(n);
  const joined = labels.join(".") + ".";
  return absolute ? joined : origin === "." ? joined : joined + origin;
}

/**
 * Route 53's listing form of a name (lower-case, `\ooo` octal escapes, `\052` for the
 * wildcard, trailing dot optional) → our canonical form. Throws SyntaxError when the
 * text is not a valid name.
 *
 * @example
 * ```ts
 * canonicalRoute53Name("\\052.Shop.test"); // "*.shop.test."
 * ```
 */
export function canonicalRoute53Name(stored: string): string {
  return parseName(stored, ".", true);
}

/**
 * Our canonical name → the form to send to Route 53 and to compare with its listings:
 * the canonical text with a leftmost wildcard label written `\052`, which is exactly the
 * stored form Route 53 lists (octal escapes are accepted on input).
 *
 * @example
 * ```ts
 * toRoute53Name("*.shop.test."); // "\\052.shop.test."
 * ```
 */
export function toRoute53Name(canonical: string): string {
  if (canonical.charCodeAt(0) === STAR && (canonical.length === 1 || canonical[1] === ".")) {
    return "\\052" + canonical.slice(1);
  }
  return canonical;
}

/**
 * Route 53's sort key of a canonical name: its stored form with labels reversed and a
 * trailing dot (`www.shop.test.` → `test.shop.www.`). Escapes never contain a bare dot,
 * so splitting on `.` is safe.
 */
export function route53SortKey(canonical: string): string {
  const stored = toRoute53Name(canonical);
  if (stored === ".") return ".";
  const labels = stored.split(".");
  labels.pop();
  labels.reverse();
  return labels.join(".") + ".";
}

/**
 * Route 53's listing order: by {@linkcode route53SortKey} compared as bytes (names are
 * ASCII once escaped), then by type mnemonic as text.
 *
 * @example
 * ```ts
 * compareRoute53Order({ name: "a-b.t.", type: "A" }, { name: "a.t.", type: "A" }); // < 0
 * ```
 */
export function compareRoute53Order(
  a: { name: string; type: string },
  b: { name: string; type: string },
): number {
  const ka = route53SortKey(a.name), kb = route53SortKey(b.name);
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a.type === b.type ? 0 : a.type < b.type ? -1 : 1;
}

/**
 * Tells whether `name` is `zone` or below it, label-wise and case-insensitively
 * (`notshop.test.` is not in `shop.test.`; an escaped dot is not a label boundary).
 * Trailing dots are optional on both.
 */
export function isInZone(name: string, zone: string): boolean {
  const n = (name.endsWith(".") && !name.endsWith("\\.") ? name : name + ".").toLowerCase();
  const z = (zone.endsWith(".") ? zone : zone + ".").toLowerCase();
  if (z === ".") return true;
  if (n === z) return true;
  if (n.length <= z.length + 1 || !n.endsWith(z)) return false;
  const dot = n.length - z.length - 1;
  if (n.charCodeAt(dot) !== DOT) return false;
  let slashes = 0;
  for (let i = dot - 1; i >= 0 && n.charCodeAt(i) === BSL; i--) slashes++;
  return slashes % 2 === 0;
}
