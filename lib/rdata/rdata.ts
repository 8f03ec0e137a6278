/**
 * RDATA of every type Route 53 hosts, parsed, validated and written in canonical form.
 *
 * Canonical values (what Route 53 stores when we send them, so reading back and
 * normalising with {@linkcode canonicalRoute53Value} gives the same text):
 * - A, AAAA: see lib/rdata/addr.ts. CNAME, NS, PTR: a canonical name (lib/dns/names.ts).
 * - MX `pref name`; SRV `priority weight port target`; numbers in plain decimal.
 * - TXT, SPF: each character-string double-quoted (lib/rdata/text.ts), at most 255 bytes,
 *   joined by one space. CAA: `flags tag "value"` (tag case kept, as BIND keeps it).
 * - NAPTR: `order pref "flags" "services" "regexp" replacement`.
 * - DS `keytag alg digesttype HEX`, SSHFP `alg type HEX`, TLSA `usage selector mtype HEX`:
 *   hex in UPPER case without spaces (as BIND prints it); digests of the known digest
 *   types must have their length.
 * - SVCB, HTTPS: lib/rdata/svcb.ts. SOA: `mname rname serial refresh retry expire minimum`.
 * - Any of them written in RFC 3597's generic form `\# len hex`: decoded from wire form
 *   (lib/rdata/generic.ts), then read as above.
 *
 * @module
 */

import type { RRType } from "../dns/record_set.ts";
import { parseName } from "../dns/names.ts";
import { canonicalIpv4, canonicalIpv6 } from "./addr.ts";
import { canonicalContentLength, escapeCharString, lastByteLength } from "./text.ts";
import { parseSvcb } from "./svcb.ts";
import { genericTokens } from "./generic.ts";

/** Largest TTL (and 32-bit field) RFC 2181 allows. */
export const MAX_TTL = 2147483647;

/**
 * Parses a TTL: decimal seconds or BIND units (`1h30m`, `2W`, `1d`), case-insensitive.
 * Returns -1 when the text is not a TTL and -2 when it is above {@linkcode MAX_TTL}.
 */
export function parseTtl(s: string): number {
  const n = s.length;
  if (n === 0) return -1;
  let total = 0, cur = 0, digits = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      cur = cur * 10 + (c - 48);
      digits++;
      if (cur > 4294967295) return -2;
      continue;
    }
    if (digits === 0) return -1;
    const u = c | 32;
    const mult = u === 119
      ? 604800
      : u === 100
      ? 86400
      : u === 104
      ? 3600
      : u === 109
      ? 60
      : u === 115
      ? 1
      : 0;
    if (mult === 0) return -1;
    total += cur * mult;
    cur = 0;
    digits = 0;
  }
  total += cur;
  return total > MAX_TTL ? -2 : total;
}

function num(s: string | undefined, max: number, what: string): number {
  if (s === undefined) throw new SyntaxError(`missing ${what}`);
  const n = s.length;
  let v = 0;
  if (n === 0 || n > 10) throw new SyntaxError(`${what} "${s}" is not a number 0-${max}`);
  for (let i = 0; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) throw new SyntaxError(`${what} "${s}" is not a number 0-${max}`);
    v = v * 10 + d;
  }
  if (v > max) throw new SyntaxError(`${what} "${s}" is above ${max}`);
  return v;
}

/** Like {@linkcode num} but returns the canonical text: the token itself unless it has
 * leading zeros, so the common case makes no new string. */
function dec(s: string | undefined, max: number, what: string): string {
  const v = num(s, max, what);
  return s !== undefined && (s.length === 1 || s.charCodeAt(0) !== 48) ? s : String(v);
}

function hexOf(tokens: readonly string[], from: number, to: number, what: string): string {
  if (from >= to) throw new SyntaxError(`missing ${what}`);
  const s = tokens.slice(from, to).join("").toUpperCase();
  if (!/^[0-9A-F]+$/.test(s) || s.length % 2 !== 0) {
    throw new SyntaxError(`${what} "${s}" is not an even number of hex digits`);
  }
  return s;
}

function checkDigestLength(hex: string, type: number, lengths: Record<number, number>): void {
  const want = lengths[type];
  if (want !== undefined && hex.length !== want * 2) {
    throw new SyntaxError(
      `digest type ${type} needs ${want} bytes (${want * 2} hex digits), got ${hex.length / 2}`,
    );
  }
}

function tok(tokens: readonly string[], i: number): string {
  return tokens[i] ?? "";
}

/**
 * Canonical quoted form of a character-string token (quoted tokens keep their quotes,
 * see lib/zones/lexer.ts). A quoted token already in canonical form is returned itself,
 * a slice of the file: no new string for most TXT records.
 */
function str(raw: string | undefined, octal: boolean, what: string, limit: number): string {
  if (raw === undefined) throw new SyntaxError(`missing ${what}`);
  const quoted = raw.length >= 2 && raw.charCodeAt(0) === 34 &&
    raw.charCodeAt(raw.length - 1) === 34;
  let len = quoted ? canonicalContentLength(raw, 1, raw.length - 1) : -1;
  if (len >= 0 && len <= limit) return raw;
  const s = escapeCharString(quoted ? raw.slice(1, -1) : raw, octal);
  len = lastByteLength;
  if (len > limit) {
    throw new SyntaxError(
      `${what} of ${len} bytes is over ${limit}: split it into several quoted strings`,
    );
  }
  return '"' + s + '"';
}

function expectCount(type: string, n: number, want: number, tokens: readonly string[], to: number) {
  if (n < want) {
    throw new SyntaxError(`${type} needs ${want} field${want === 1 ? "" : "s"}, got ${n}`);
  }
  if (n > want) {
    throw new SyntaxError(`unexpected "${tokens[to - n + want]}" after the ${type} data`);
  }
}

/** Longest Route 53 TXT/SPF value, in characters. */
export const MAX_TXT_VALUE = 4000;

/**
 * Parses the RDATA tokens `tokens[from..to)` of one record into its canonical value.
 *
 * `origin` completes relative names; `octal` reads `\ooo` escapes (Route 53's values)
 * instead of `\DDD` (zone files). Throws SyntaxError with an actionable message.
 *
 * @example
 * ```ts
 * parseRdata("MX", ["10", "MAIL"], 0, 2, "shop.test.", false); // "10 mail.shop.test."
 * ```
 */
export function parseRdata(
  type: RRType,
  tokens: readonly string[],
  from: number,
  to: number,
  origin: string,
  octal: boolean,
): string {
  const n = to - from;
  if (n >= 1 && tokens[from] === "\\#") return parseGeneric(type, tokens, from, to);
  // Plain helpers rather than closures: this runs once per record.
  switch (type) {
    case "A":
      expectCount(type, n, 1, tokens, to);
      return canonicalIpv4(tok(tokens, from + 0));
    case "AAAA":
      expectCount(type, n, 1, tokens, to);
      return canonicalIpv6(tok(tokens, from + 0));
    case "CNAME":
    case "NS":
    case "PTR":
      expectCount(type, n, 1, tokens, to);
      return parseName(tok(tokens, from + 0), origin, octal);
    case "MX":
      expectCount(type, n, 2, tokens, to);
      return dec(tok(tokens, from + 0), 65535, "MX preference") + " " +
        parseName(tok(tokens, from + 1), origin, octal);
    case "SRV":
      expectCount(type, n, 4, tokens, to);
      return dec(tok(tokens, from + 0), 65535, "SRV priority") + " " +
        dec(tok(tokens, from + 1), 65535, "SRV weight") + " " +
        dec(tok(tokens, from + 2), 65535, "SRV port") + " " +
        parseName(tok(tokens, from + 3), origin, octal);
    case "TXT":
    case "SPF": {
      if (n === 0) throw new SyntaxError(`${type} needs at least one string`);
      let s = str(tok(tokens, from + 0), octal, `${type} string`, 255);
      for (let i = 1; i < n; i++) {
        s += " " + str(tok(tokens, from + i), octal, `${type} string`, 255);
      }
      if (s.length > MAX_TXT_VALUE) {
        throw new SyntaxError(
          `${type} value of ${s.length} characters is over Route 53's ${MAX_TXT_VALUE}`,
        );
      }
      return s;
    }
    case "CAA": {
      expectCount(type, n, 3, tokens, to);
      const tag = tok(tokens, from + 1);
      if (!/^[A-Za-z0-9]{1,15}$/.test(tag)) {
        throw new SyntaxError(`CAA tag "${tag}" must be 1-15 letters or digits`);
      }
      return dec(tok(tokens, from + 0), 255, "CAA flags") + " " + tag + " " +
        str(tok(tokens, from + 2), octal, "CAA value", 65535);
    }
    case "NAPTR": {
      expectCount(type, n, 6, tokens, to);
      return dec(tok(tokens, from + 0), 65535, "NAPTR order") + " " +
        dec(tok(tokens, from + 1), 65535, "NAPTR preference") +
        " " + str(tok(tokens, from + 2), octal, "NAPTR flags", 255) + " " +
        str(tok(tokens, from + 3), octal, "NAPTR services", 255) + " " +
        str(tok(tokens, from + 4), octal, "NAPTR regexp", 255) +
        " " + parseName(tok(tokens, from + 5), origin, octal);
    }
    case "DS": {
      if (n < 4) throw new SyntaxError(`DS needs 4 fields, got ${n}`);
      const digestType = num(tok(tokens, from + 2), 255, "DS digest type");
      const hex = hexOf(tokens, from + 3, to, "DS digest");
      checkDigestLength(hex, digestType, { 1: 20, 2: 32, 4: 48 });
      return dec(tok(tokens, from + 0), 65535, "DS key tag") + " " +
        dec(tok(tokens, from + 1), 255, "DS algorithm") + " " +
        digestType + " " + hex;
    }
    case "SSHFP": {
      if (n < 3) throw new SyntaxError(`SSHFP needs 3 fields, got ${n}`);
      const fpType = num(tok(tokens, from + 1), 255, "SSHFP fingerprint type");
      const hex = hexOf(tokens, from + 2, to, "SSHFP fingerprint");
      checkDigestLength(hex, fpType, { 1: 20, 2: 32 });
      return dec(tok(tokens, from + 0), 255, "SSHFP algorithm") + " " + fpType + " " + hex;
    }
    case "TLSA": {
      if (n < 4) throw new SyntaxError(`TLSA needs 4 fields, got ${n}`);
      const mtype = num(tok(tokens, from + 2), 255, "TLSA matching type");
      const hex = hexOf(tokens, from + 3, to, "TLSA association data");
      checkDigestLength(hex, mtype, { 1: 32, 2: 64 });
      return dec(tok(tokens, from + 0), 255, "TLSA usage") + " " +
        dec(tok(tokens, from + 1), 255, "TLSA selector") + " " +
        mtype + " " + hex;
    }
    case "SVCB":
    case "HTTPS":
      return parseSvcb(tokens, from, to, origin, octal);
    case "SOA": {
      expectCount(type, n, 7, tokens, to);
      let s = parseName(tok(tokens, from + 0), origin, octal) + " " +
        parseName(tok(tokens, from + 1), origin, octal) + " " +
        num(tok(tokens, from + 2), 4294967295, "SOA serial");
      for (let i = 3; i < 7; i++) {
        const v = parseTtl(tok(tokens, from + i));
        if (v < 0) {
          throw new SyntaxError(`SOA timer "${tok(tokens, from + i)}" is not a TTL 0-${MAX_TTL}`);
        }
        s += " " + v;
      }
      return s;
    }
  }
}

/**
 * RFC 3597 `\# len hex`, for every type: the bytes are decoded into the type's usual
 * tokens (lib/rdata/generic.ts) and read by {@linkcode parseRdata}, so both forms of
 * one record have the same canonical value and the same checks.
 */
function parseGeneric(type: RRType, tokens: readonly string[], from: number, to: number) {
  const len = num(tokens[from + 1], 65535, "generic RDATA length");
  const hex = len === 0 && to - from === 2 ? "" : hexOf(tokens, from + 2, to, "generic RDATA");
  if (hex.length !== len * 2) {
    throw new SyntaxError(`generic RDATA says ${len} bytes but has ${hex.length / 2}`);
  }
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  const usual = genericTokens(type, b);
  return parseRdata(type, usual, 0, usual.length, ".", false);
}
