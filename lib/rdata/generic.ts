/**
 * RFC 3597 generic RDATA (`\# <length> <hex>`) decoded from wire form into presentation
 * tokens, which lib/rdata/rdata.ts then reads as if the record had been written in its
 * usual form: one reader, one canonical form, whichever way a record was written.
 *
 * Names inside the data must be uncompressed (RFC 3597 §4: a compression pointer has no
 * meaning outside a message). Tokens come out absolute, with zone-file escapes (`\DDD`
 * decimal), character-strings double-quoted.
 *
 * @module
 */

import type { RRType } from "../dns/record_set.ts";
import { svcbKeyName } from "./svcb.ts";

/** A cursor over the decoded bytes; every read checks that the bytes are there. */
interface Wire {
  b: Uint8Array;
  pos: number;
  type: RRType;
}

function need(w: Wire, n: number, what: string): void {
  if (w.pos + n > w.b.length) {
    throw new SyntaxError(`generic ${w.type} RDATA ends inside the ${what}`);
  }
}

function u8(w: Wire, what: string): number {
  need(w, 1, what);
  return w.b[w.pos++] as number;
}

function u16(w: Wire, what: string): number {
  need(w, 2, what);
  const v = ((w.b[w.pos] as number) << 8) | (w.b[w.pos + 1] as number);
  w.pos += 2;
  return v;
}

function u32(w: Wire, what: string): number {
  const hi = u16(w, what);
  return hi * 65536 + u16(w, what);
}

/** True for the bytes a presentation token may hold as they are. */
function plainNameByte(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 ||
    c === 95;
}

function decimalEscape(c: number): string {
  return "\\" + String(c).padStart(3, "0");
}

/** A wire-form name as an absolute presentation name. */
function name(w: Wire, what: string): string {
  let s = "";
  for (let labels = 0;; labels++) {
    const len = u8(w, what);
    if (len === 0) return s === "" ? "." : s;
    if (len >= 0xc0) {
      throw new SyntaxError(
        `generic ${w.type} RDATA has a compressed ${what}: write the name uncompressed (RFC 3597)`,
      );
    }
    if (len > 63) throw new SyntaxError(`generic ${w.type} RDATA has a bad label in the ${what}`);
    need(w, len, what);
    const star = len === 1 && w.b[w.pos] === 42 && labels === 0;
    for (let k = 0; k < len; k++) {
      const c = w.b[w.pos++] as number;
      s += plainNameByte(c) || star ? String.fromCharCode(c) : decimalEscape(c);
    }
    s += ".";
  }
}

/** Presentation content of a byte string (without quotes), zone-file escapes. */
function escaped(bytes: ArrayLike<number>): string {
  let s = "";
  for (let k = 0; k < bytes.length; k++) {
    const c = bytes[k] as number;
    s += c < 32 || c > 126 || c === 34 || c === 92 ? decimalEscape(c) : String.fromCharCode(c);
  }
  return s;
}

/** One length-prefixed character-string, quoted. */
function charString(w: Wire, what: string): string {
  const len = u8(w, what);
  need(w, len, what);
  const s = '"' + escaped(w.b.subarray(w.pos, w.pos + len)) + '"';
  w.pos += len;
  return s;
}

/** The remaining bytes as upper-case hex (what the usual form writes). */
function restHex(w: Wire): string {
  let s = "";
  for (; w.pos < w.b.length; w.pos++) s += (w.b[w.pos] as number).toString(16).padStart(2, "0");
  return s.toUpperCase();
}

function ipv4(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

function ipv6(b: Uint8Array, at: number): string {
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) {
    g.push((((b[at + i] as number) << 8) | (b[at + i + 1] as number)).toString(16));
  }
  return g.join(":");
}

function addresses(w: Wire, len: number, size: 4 | 16, what: string): string {
  if (len === 0 || len % size !== 0) {
    throw new SyntaxError(`generic SVCB ${what} of ${len} bytes is not a list of addresses`);
  }
  const out: string[] = [];
  for (let at = w.pos; at < w.pos + len; at += size) {
    out.push(size === 4 ? ipv4(w.b, at) : ipv6(w.b, at));
  }
  return out.join(",");
}

/** One SvcParam (key, length, value) as a `key=value` token. */
function svcbParam(w: Wire, key: number, len: number): string {
  const b = w.b, at = w.pos;
  const bytes = b.subarray(at, at + len);
  const k = svcbKeyName(key);
  switch (key) {
    case 0: {
      if (len === 0 || len % 2 !== 0) {
        throw new SyntaxError(`generic SVCB mandatory of ${len} bytes is not a list of keys`);
      }
      const keys: string[] = [];
      for (let i = 0; i < len; i += 2) {
        keys.push(svcbKeyName(((bytes[i] as number) << 8) | (bytes[i + 1] as number)));
      }
      return `${k}=${keys.join(",")}`;
    }
    case 1: {
      // each id length-prefixed; in presentation `,` separates ids, `\,` and `\\` escape
      const out: number[] = [];
      for (let i = 0; i < len;) {
        const l = bytes[i] as number;
        if (l === 0 || i + 1 + l > len) {
          throw new SyntaxError("generic SVCB alpn is not a list of ids");
        }
        if (out.length > 0) out.push(44);
        for (let j = i + 1; j <= i + l; j++) {
          const c = bytes[j] as number;
          if (c === 44 || c === 92) out.push(92);
          out.push(c);
        }
        i += 1 + l;
      }
      return `${k}="${escaped(out)}"`;
    }
    case 2:
    case 8:
      if (len !== 0) throw new SyntaxError(`generic SVCB ${k} must have no value`);
      return k;
    case 3:
      if (len !== 2) throw new SyntaxError(`generic SVCB port of ${len} bytes: it needs 2`);
      return `${k}=${((bytes[0] as number) << 8) | (bytes[1] as number)}`;
    case 4:
      return `${k}=${addresses(w, len, 4, k)}`;
    case 6:
      return `${k}=${addresses(w, len, 16, k)}`;
    case 5:
      return `${k}=${btoa(String.fromCharCode(...bytes))}`;
    default:
      return `${k}="${escaped(bytes)}"`;
  }
}

function svcb(w: Wire): string[] {
  const tokens = [String(u16(w, "priority")), name(w, "target")];
  let last = -1;
  while (w.pos < w.b.length) {
    const key = u16(w, "parameter key");
    const len = u16(w, "parameter length");
    if (key <= last) {
      throw new SyntaxError(
        `generic SVCB parameters must be in increasing key order: ${svcbKeyName(key)} follows ${
          svcbKeyName(last)
        }`,
      );
    }
    if (key === 65535) throw new SyntaxError("generic SVCB uses the reserved key 65535");
    last = key;
    need(w, len, `${svcbKeyName(key)} value`);
    tokens.push(svcbParam(w, key, len));
    w.pos += len;
  }
  return tokens;
}

/** The data as presentation tokens, by type; reads exactly what the type has. */
function decode(w: Wire): string[] {
  const b = w.b;
  switch (w.type) {
    case "A":
    case "AAAA": {
      const size = w.type === "A" ? 4 : 16;
      if (b.length !== size) {
        throw new SyntaxError(
          `generic RDATA of ${b.length} bytes is not an IPv${size === 4 ? 4 : 6} address`,
        );
      }
      w.pos = size;
      return [size === 4 ? ipv4(b, 0) : ipv6(b, 0)];
    }
    case "CNAME":
    case "NS":
    case "PTR":
      return [name(w, "name")];
    case "MX":
      return [String(u16(w, "preference")), name(w, "exchange")];
    case "SRV":
      return [
        String(u16(w, "priority")),
        String(u16(w, "weight")),
        String(u16(w, "port")),
        name(w, "target"),
      ];
    case "TXT":
    case "SPF": {
      const out: string[] = [];
      while (w.pos < b.length) out.push(charString(w, "string"));
      return out;
    }
    case "CAA": {
      const flags = String(u8(w, "flags"));
      const tagLen = u8(w, "tag length");
      need(w, tagLen, "tag");
      const tag = String.fromCharCode(...b.subarray(w.pos, w.pos + tagLen));
      w.pos += tagLen;
      const value = '"' + escaped(b.subarray(w.pos)) + '"';
      w.pos = b.length;
      return [flags, tag, value];
    }
    case "NAPTR":
      return [
        String(u16(w, "order")),
        String(u16(w, "preference")),
        charString(w, "flags"),
        charString(w, "services"),
        charString(w, "regexp"),
        name(w, "replacement"),
      ];
    case "DS":
      return [
        String(u16(w, "key tag")),
        String(u8(w, "algorithm")),
        String(u8(w, "digest type")),
        restHex(w),
      ];
    case "SSHFP":
      return [String(u8(w, "algorithm")), String(u8(w, "fingerprint type")), restHex(w)];
    case "TLSA":
      return [
        String(u8(w, "usage")),
        String(u8(w, "selector")),
        String(u8(w, "matching type")),
        restHex(w),
      ];
    case "SOA": {
      const out = [name(w, "primary name server"), name(w, "mailbox")];
      for (const what of ["serial", "refresh", "retry", "expire", "minimum"]) {
        out.push(String(u32(w, what)));
      }
      return out;
    }
    case "SVCB":
    case "HTTPS":
      return svcb(w);
  }
}

/**
 * Decodes the bytes of a generic `\# len hex` record of `type` into the tokens of its
 * usual presentation form. Throws SyntaxError when the bytes are not a valid `type`
 * (truncated, trailing bytes, a compressed name, SVCB keys out of order).
 *
 * @example
 * ```ts
 * genericTokens("MX", Uint8Array.of(0, 10, 4, 109, 97, 105, 108, 0)); // ["10", "mail."]
 * ```
 */
export function genericTokens(type: RRType, bytes: Uint8Array): string[] {
  const w: Wire = { b: bytes, pos: 0, type };
  const tokens = decode(w);
  if (w.pos !== bytes.length) {
    throw new SyntaxError(
      `generic ${type} RDATA has ${bytes.length - w.pos} bytes after the ${type} data`,
    );
  }
  return tokens;
}
