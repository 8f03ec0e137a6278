/**
 * Character strings (TXT, SPF, CAA values, NAPTR fields) in canonical form.
 *
 * Canonical form of one string: its bytes inside double quotes, `"` written `\"`, `\`
 * written `\\`, bytes 0–31 and 127–255 written `\ooo` in OCTAL (Route 53's escapes),
 * every other byte (space included: Route 53 accepts and returns plain spaces, as in
 * every SPF record) as itself. Non-ASCII text is taken as UTF-8.
 *
 * @module
 */

import { escapedByte, octalEscape, pushUtf8 } from "../dns/names.ts";

const BSL = 92, QUOTE = 34;

/** Byte length of the last string {@linkcode escapeCharString} read. */
export let lastByteLength = 0;

/**
 * Byte length of `raw[from..to)` when it is already canonical content (printable ASCII
 * without `"` and `\`), else -1. The common case, answered without allocating.
 */
export function canonicalContentLength(raw: string, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const c = raw.charCodeAt(i);
    if (c < 32 || c > 126 || c === QUOTE || c === BSL) return -1;
  }
  return to - from;
}

/**
 * Reads one raw character-string token (escapes undecoded, without its quotes) and
 * returns its canonical escaped content (without quotes). The decoded byte count is left
 * in {@linkcode lastByteLength} (a scratch value: it avoids an object per string on the
 * hot path). `octal` selects Route 53's `\ooo` escapes instead of the zone file's `\DDD`.
 * Throws SyntaxError for a bad escape.
 *
 * @example
 * ```ts
 * escapeCharString("a\\034b", false); // 'a\\"b', lastByteLength 3
 * ```
 */
export function escapeCharString(raw: string, octal: boolean): string {
  const n = raw.length;
  let i = 0;
  for (; i < n; i++) {
    const c = raw.charCodeAt(i);
    if (c < 32 || c > 126 || c === QUOTE || c === BSL) break;
  }
  if (i === n) {
    lastByteLength = n;
    return raw;
  }
  const bytes: number[] = [];
  for (let j = 0; j < i; j++) bytes.push(raw.charCodeAt(j));
  for (; i < n; i++) {
    const c = raw.charCodeAt(i);
    if (c === BSL) {
      if (i + 1 >= n) throw new SyntaxError(`string "${raw}" ends with a lone backslash`);
      const b = escapedByte(raw, i, octal);
      if (b >= 0) {
        bytes.push(b);
        i += 3;
      } else {
        i++;
        i += pushUtf8(raw, i, bytes) - 1;
      }
    } else if (c < 0x80) bytes.push(c);
    else i += pushUtf8(raw, i, bytes) - 1;
  }
  lastByteLength = bytes.length;
  return encodeBytes(bytes);
}

/** Canonical escaped text of a byte sequence (without quotes). */
export function encodeBytes(bytes: ArrayLike<number>): string {
  let s = "";
  for (let k = 0; k < bytes.length; k++) {
    const b = bytes[k] ?? 0;
    if (b === QUOTE) s += '\\"';
    else if (b === BSL) s += "\\\\";
    else if (b < 32 || b > 126) s += octalEscape(b);
    else s += String.fromCharCode(b);
  }
  return s;
}

/** Decodes canonical escaped content (as produced here) back to bytes. */
export function decodeCanonical(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === BSL) {
      const b = escapedByte(s, i, true);
      if (b >= 0) {
        out.push(b);
        i += 3;
      } else out.push(s.charCodeAt(++i));
    } else out.push(c);
  }
  return out;
}
