/**
 * SVCB and HTTPS RDATA (RFC 9460) in canonical form:
 * `priority target key=value …` with the parameters sorted by key number, each key
 * once, keys by name where RFC 9460 names them (`key1` → `alpn`) and `keyNNNNN`
 * otherwise, values written as BIND writes them: `alpn` and `keyNNNNN`/`dohpath` values
 * double-quoted (character-string escapes as in lib/rdata/text.ts), `mandatory` as
 * key names in key order, `port` decimal, hints as canonical addresses, `ech` as
 * canonical base64.
 *
 * @module
 */

import { parseName } from "../dns/names.ts";
import { canonicalIpv4, canonicalIpv6 } from "./addr.ts";
import { decodeCanonical, encodeBytes, escapeCharString } from "./text.ts";

const KEY_NAMES = [
  "mandatory",
  "alpn",
  "no-default-alpn",
  "port",
  "ipv4hint",
  "ech",
  "ipv6hint",
  "dohpath",
  "ohttp",
];

function keyNumber(name: string): number {
  const i = KEY_NAMES.indexOf(name);
  if (i >= 0) return i;
  const m = /^key(\d{1,5})$/.exec(name);
  if (m && m[1] !== undefined) {
    const n = Number(m[1]);
    if (n <= 65534 && !(m[1].length > 1 && m[1].startsWith("0"))) return n;
  }
  throw new SyntaxError(`unknown SVCB parameter "${name}"`);
}

/**
 * The presentation name of SVCB parameter key `n` (`alpn`), or `keyN` for a key without
 * a name (RFC 9460 §2.1).
 *
 * @example
 * ```ts
 * svcbKeyName(1); // "alpn"
 * svcbKeyName(667); // "key667"
 * ```
 */
export function svcbKeyName(n: number): string {
  return KEY_NAMES[n] ?? `key${n}`;
}

/** Strips `"…"` around a parameter value when present. */
function unquote(v: string): string {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

function list(v: string, what: string): string[] {
  const items = v.split(",");
  if (items.some((x) => x === "")) throw new SyntaxError(`empty item in ${what} list "${v}"`);
  return items;
}

function u16(s: string, what: string): number {
  if (!/^\d{1,5}$/.test(s) || Number(s) > 65535) {
    throw new SyntaxError(`${what} "${s}" is not a number 0-65535`);
  }
  return Number(s);
}

function canonicalBase64(v: string): string {
  let bin: string;
  try {
    bin = atob(v);
  } catch (cause) {
    throw new SyntaxError(`ech value "${v}" is not base64`, { cause });
  }
  return btoa(bin);
}

/**
 * ALPN ids (RFC 9460 A.1): the value is decoded as a character-string, then split on
 * commas, where `\,` and `\\` escape a comma or backslash inside an id; written back
 * the same way, so `alpn="h2,h3\\,x"` (ids `h2` and `h3,x`) prints as BIND prints it.
 */
function alpnValue(v: string, octal: boolean): string {
  const bytes = decodeCanonical(escapeCharString(v, octal));
  const ids: number[][] = [[]];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === 92 && i + 1 < bytes.length) ids[ids.length - 1]?.push(bytes[++i] as number);
    else if (b === 44) ids.push([]);
    else ids[ids.length - 1]?.push(b);
  }
  const out: number[] = [];
  for (const id of ids) {
    if (id.length === 0) throw new SyntaxError(`empty id in alpn list "${v}"`);
    if (id.length > 255) throw new SyntaxError(`alpn id of ${id.length} bytes is over 255`);
    if (out.length > 0) out.push(44);
    for (const b of id) {
      if (b === 44 || b === 92) out.push(92);
      out.push(b);
    }
  }
  return encodeBytes(out);
}

function paramValue(key: number, raw: string | null, octal: boolean): string | null {
  const noValue = key === 2 || key === 8;
  if (noValue) {
    if (raw !== null && raw !== "") throw new SyntaxError(`${svcbKeyName(key)} takes no value`);
    return null;
  }
  if (raw === null || (raw === "" && key < 9)) {
    throw new SyntaxError(`SVCB parameter ${svcbKeyName(key)} needs a value`);
  }
  const v = unquote(raw);
  switch (key) {
    case 0: {
      const keys = list(v, "mandatory").map(keyNumber);
      if (keys.includes(0)) throw new SyntaxError("mandatory may not list itself");
      keys.sort((a, b) => a - b);
      for (let i = 1; i < keys.length; i++) {
        if (keys[i] === keys[i - 1]) throw new SyntaxError("mandatory lists a key twice");
      }
      return keys.map(svcbKeyName).join(",");
    }
    case 1:
      return `"${alpnValue(v, octal)}"`;
    case 3:
      return String(u16(v, "port"));
    case 4:
      return list(v, "ipv4hint").map(canonicalIpv4).join(",");
    case 5:
      return canonicalBase64(v);
    case 6:
      return list(v, "ipv6hint").map(canonicalIpv6).join(",");
    default:
      return `"${escapeCharString(v, octal)}"`;
  }
}

/**
 * Parses SVCB/HTTPS RDATA tokens `tokens[from..to)` into canonical text. `origin` and
 * `octal` as for lib/dns/names.ts. Throws SyntaxError naming the problem.
 *
 * @example
 * ```ts
 * parseSvcb(["1", ".", "port=443", "alpn=h2"], 0, 4, "shop.test.", false);
 * // '1 . alpn="h2" port=443'
 * ```
 */
export function parseSvcb(
  tokens: readonly string[],
  from: number,
  to: number,
  origin: string,
  octal: boolean,
): string {
  if (to - from < 2) throw new SyntaxError("SVCB/HTTPS needs a priority and a target");
  const priority = u16(tokens[from] ?? "", "priority");
  const targetRaw = tokens[from + 1] ?? "";
  const target = targetRaw === "." ? "." : parseName(targetRaw, origin, octal);
  const params = new Map<number, string | null>();
  for (let i = from + 2; i < to; i++) {
    const tok = tokens[i] ?? "";
    const eq = tok.indexOf("=");
    const key = keyNumber((eq < 0 ? tok : tok.slice(0, eq)).toLowerCase());
    if (params.has(key)) throw new SyntaxError(`SVCB parameter ${svcbKeyName(key)} given twice`);
    params.set(key, paramValue(key, eq < 0 ? null : tok.slice(eq + 1), octal));
  }
  const mandatory = params.get(0);
  if (mandatory) {
    for (const k of mandatory.split(",")) {
      if (!params.has(keyNumber(k))) {
        throw new SyntaxError(`mandatory lists ${k}, which is not given`);
      }
    }
  }
  if (params.has(2) && !params.has(1)) {
    throw new SyntaxError("no-default-alpn needs an alpn parameter");
  }
  let s = `${priority} ${target}`;
  for (const k of [...params.keys()].sort((a, b) => a - b)) {
    const v = params.get(k);
    s += v === null || v === undefined ? ` ${svcbKeyName(k)}` : ` ${svcbKeyName(k)}=${v}`;
  }
  return s;
}
