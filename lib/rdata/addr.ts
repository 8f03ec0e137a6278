/**
 * IP addresses in canonical form: IPv4 as a dotted quad without leading zeros (BIND
 * rejects them too: `01.2.3.4` could be read as octal), IPv6 as RFC 5952 text
 * (lower-case, leading zeros dropped, the longest run of two or more zero groups as
 * `::`, the first on a tie), printed with a dotted-quad tail exactly where BIND's
 * inet_ntop does (`::ffff:1.2.3.4`, `::1.2.3.4`), so `named-checkzone -D` agrees.
 *
 * @module
 */

/** Returns the value of a strict dotted quad, or -1 when `s` is not one. */
function ipv4Value(s: string, from: number, to: number): number {
  let parts = 0, value = 0, cur = -1, digits = 0;
  for (let i = from; i <= to; i++) {
    const c = i === to ? 46 : s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || cur > 255 || parts === 4) return -1;
      value = value * 256 + cur;
      parts++;
      cur = -1;
      digits = 0;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) return -1;
    if (digits > 0 && cur === 0) return -1; // leading zero
    cur = cur < 0 ? d : cur * 10 + d;
    digits++;
    if (digits > 3) return -1;
  }
  return parts === 4 ? value : -1;
}

/**
 * Checks an IPv4 address and returns its canonical text (the input itself when valid).
 * Throws SyntaxError otherwise.
 */
export function canonicalIpv4(s: string): string {
  if (ipv4Value(s, 0, s.length) < 0) {
    throw new SyntaxError(
      `"${s}" is not an IPv4 address: write four numbers 0-255 without leading zeros`,
    );
  }
  return s;
}

/** Scratch groups: one address is parsed at a time, without allocating. */
const G: number[] = [0, 0, 0, 0, 0, 0, 0, 0];

/** Parses IPv6 text into {@linkcode G}; returns false when invalid. */
function ipv6Groups(s: string): boolean {
  const n = s.length;
  if (n < 2) return false;
  let count = 0;
  let gap = -1;
  let i = 0;
  if (s.charCodeAt(0) === 58) {
    if (s.charCodeAt(1) !== 58) return false;
    gap = 0;
    i = 2;
  }
  while (i < n) {
    let j = i, v = 0;
    while (j < n && j - i < 5) {
      const c = s.charCodeAt(j);
      const d = c >= 48 && c <= 57
        ? c - 48
        : c >= 97 && c <= 102
        ? c - 87
        : c >= 65 && c <= 70
        ? c - 55
        : -1;
      if (d < 0) break;
      v = v * 16 + d;
      j++;
    }
    if (j < n && s.charCodeAt(j) === 46) {
      // dotted-quad tail
      const v4 = ipv4Value(s, i, n);
      if (v4 < 0 || count > 6) return false;
      G[count++] = Math.floor(v4 / 65536);
      G[count++] = v4 & 0xffff;
      i = n;
      break;
    }
    if (j === i || j - i > 4 || count === 8) return false;
    G[count++] = v;
    if (j === n) break;
    if (s.charCodeAt(j) !== 58) return false;
    if (j + 1 < n && s.charCodeAt(j + 1) === 58) {
      if (gap >= 0) return false;
      gap = count;
      i = j + 2;
    } else {
      i = j + 1;
      if (i === n) return false;
    }
  }
  if (gap < 0) return count === 8;
  if (count > 7) return false;
  // move the groups after the gap to the end, zero the gap
  const shift = 8 - count;
  for (let k = count - 1; k >= gap; k--) G[k + shift] = G[k] as number;
  for (let k = gap; k < gap + shift; k++) G[k] = 0;
  return true;
}

/** Scratch output: the canonical text's char codes (at most 45 of them). */
const OUT = new Uint16Array(64);
const HEX = "0123456789abcdef";

/** Writes the decimal digits of `v` (0-255) to {@linkcode OUT} at `at`; returns the new end. */
function putDec(v: number, at: number): number {
  if (v >= 100) OUT[at++] = 48 + Math.floor(v / 100);
  if (v >= 10) OUT[at++] = 48 + (Math.floor(v / 10) % 10);
  OUT[at++] = 48 + (v % 10);
  return at;
}

/**
 * Writes the canonical text of 8 IPv6 groups (see the module doc) to {@linkcode OUT} as
 * char codes and returns its length: no string is made unless it differs from the input.
 */
function formatIpv6(g: number[]): number {
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) best = -1;
  // inet_ntop's IPv4-compatible and IPv4-mapped forms
  const tail = best === 0 &&
    (bestLen === 6 || (bestLen === 7 && g[7] !== 1) || (bestLen === 5 && g[5] === 0xffff));
  let n = 0;
  for (let i = 0; i < 8; i++) {
    if (i === best) {
      if (i === 0) OUT[n++] = 58;
      OUT[n++] = 58;
      i += bestLen - 1;
      continue;
    }
    if (tail && i === 6) {
      const a = g[6] ?? 0, b = g[7] ?? 0;
      n = putDec(a >> 8, n);
      OUT[n++] = 46;
      n = putDec(a & 255, n);
      OUT[n++] = 46;
      n = putDec(b >> 8, n);
      OUT[n++] = 46;
      n = putDec(b & 255, n);
      break;
    }
    const v = g[i] ?? 0;
    if (v >= 0x1000) OUT[n++] = HEX.charCodeAt(v >> 12);
    if (v >= 0x100) OUT[n++] = HEX.charCodeAt((v >> 8) & 15);
    if (v >= 0x10) OUT[n++] = HEX.charCodeAt((v >> 4) & 15);
    OUT[n++] = HEX.charCodeAt(v & 15);
    if (i < 7) OUT[n++] = 58;
  }
  return n;
}

/**
 * Checks an IPv6 address and returns its canonical text. Throws SyntaxError otherwise.
 *
 * @example
 * ```ts
 * canonicalIpv6("2001:DB8:0:0:0:0:0:1"); // "2001:db8::1"
 * ```
 */
export function canonicalIpv6(s: string): string {
  if (!ipv6Groups(s)) throw new SyntaxError(`"${s}" is not an IPv6 address`);
  const n = formatIpv6(G);
  // keep the token when it is already canonical (the common case): no new string
  let same = n === s.length;
  for (let i = 0; same && i < n; i++) same = OUT[i] === s.charCodeAt(i);
  if (same) return s;
  let c = "";
  for (let i = 0; i < n; i++) c += String.fromCharCode(OUT[i] as number);
  return c;
}
