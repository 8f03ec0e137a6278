/**
 * Internationalised domain names: Unicode labels → A-labels (`café` → `xn--caf-dma`) by
 * UTS #46 processing as browsers apply it, and A-labels back to Unicode for messages.
 *
 * ToASCII is the WHATWG `URL` parser's own (non-transitional UTS #46 with CheckBidi and
 * CheckJoiners, as in browsers: `ß` stays `ß`, `CAFÉ` and NFD `café` both give
 * `xn--caf-dma`), so no module is loaded for it: pre-receive loads this file inside a
 * push and may import nothing npm: or node:. The parser is given one label followed by
 * `.a`, so that a label such as `１２３` (which maps to `123`) is not read as an IPv4
 * address, and only labels whose ASCII characters are letters, digits, `-` and `_`,
 * because the URL parser would percent-decode `%41` or stop at `#`.
 *
 * The decoder (RFC 3492) exists only to show an A-label's Unicode form beside it; a
 * label it cannot decode, or that does not encode back to itself, is shown as it is.
 *
 * @module
 */

const IDN_ASCII_PART = /^[A-Za-z0-9_-]$/;

/** True when `text` holds a character outside ASCII. */
export function hasNonAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return true;
  return false;
}

/**
 * The A-label of one label written in Unicode (lower-case ASCII labels come back as
 * they are, lower-cased). Throws SyntaxError saying why the label is not a valid IDN.
 *
 * @example
 * ```ts
 * toALabel("Café"); // "xn--caf-dma"
 * ```
 */
export function toALabel(label: string): string {
  if (!hasNonAscii(label)) return label.toLowerCase();
  if (label.length > 253) {
    throw new SyntaxError(`the label "${label.slice(0, 20)}…" is far longer than 63 octets`);
  }
  for (const ch of label) {
    if (ch.charCodeAt(0) < 0x80 && !IDN_ASCII_PART.test(ch)) {
      throw new SyntaxError(
        `the label "${label}" is not a valid internationalised name: beside non-ASCII ` +
          `characters only letters, digits, "-" and "_" may stand (not "${ch}")`,
      );
    }
  }
  let host: string;
  try {
    host = new URL(`http://${label}.a/`).hostname;
  } catch {
    throw new SyntaxError(
      `the label "${label}" is not a valid internationalised name (UTS #46, as browsers ` +
        `apply it, refuses it: a disallowed character, a leading combining mark, a misplaced ` +
        `joiner, or right-to-left text mixed with digits or left-to-right text)`,
    );
  }
  const ace = host.slice(0, -2);
  if (ace === "") {
    throw new SyntaxError(
      `the label "${label}" maps to nothing under UTS #46 (invisible characters)`,
    );
  }
  if (ace.includes(".")) {
    throw new SyntaxError(
      `the label "${label}" holds a character that UTS #46 maps to a dot; write the dot as "."`,
    );
  }
  return ace;
}

/**
 * A dot-separated name (no escapes, trailing dot optional) with each Unicode label
 * replaced by its A-label and ASCII labels lower-cased. Throws SyntaxError as
 * {@linkcode toALabel} does.
 *
 * @example
 * ```ts
 * domainToASCII("Café.Test"); // "xn--caf-dma.test"
 * ```
 */
export function domainToASCII(name: string): string {
  if (!hasNonAscii(name)) return name.toLowerCase();
  return name.split(".").map((label, i, all) =>
    label === "" && i === all.length - 1 ? "" : toALabel(label)
  ).join(".");
}

const BASE = 36, TMIN = 1, TMAX = 26, SKEW = 38, DAMP = 700;

function adapt(delta: number, points: number, first: boolean): number {
  delta = first ? Math.floor(delta / DAMP) : delta >> 1;
  delta += Math.floor(delta / points);
  let k = 0;
  while (delta > ((BASE - TMIN) * TMAX) >> 1) {
    delta = Math.floor(delta / (BASE - TMIN));
    k += BASE;
  }
  return k + Math.floor(((BASE - TMIN + 1) * delta) / (delta + SKEW));
}

function digitOf(c: number): number {
  if (c >= 48 && c <= 57) return c - 22; // 0-9 → 26-35
  if (c >= 97 && c <= 122) return c - 97;
  if (c >= 65 && c <= 90) return c - 65;
  return BASE;
}

/** RFC 3492 decoding of the part after `xn--`; null when it is not valid punycode. */
function punycodeDecode(input: string): string | null {
  const dash = input.lastIndexOf("-");
  const out = dash > 0 ? [...input.slice(0, dash)].map((c) => c.codePointAt(0) ?? 0) : [];
  let n = 128, i = 0, bias = 72;
  for (let pos = dash > 0 ? dash + 1 : 0; pos < input.length;) {
    const old = i;
    for (let w = 1, k = BASE;; k += BASE) {
      if (pos >= input.length) return null;
      const digit = digitOf(input.charCodeAt(pos++));
      if (digit >= BASE) return null;
      i += digit * w;
      const t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
      if (digit < t) break;
      w *= BASE - t;
      if (i > 0x10ffff * 64 || w > 0x10ffff * 64) return null;
    }
    bias = adapt(i - old, out.length + 1, old === 0);
    n += Math.floor(i / (out.length + 1));
    i %= out.length + 1;
    if (n > 0x10ffff) return null;
    out.splice(i++, 0, n);
  }
  return String.fromCodePoint(...out);
}

/**
 * The Unicode form of one A-label, or null when `label` is not an A-label that
 * {@linkcode toALabel} would produce from its decoding.
 *
 * @example
 * ```ts
 * toULabel("xn--caf-dma"); // "café"
 * ```
 */
export function toULabel(label: string): string | null {
  if (!/^xn--[a-z0-9-]+$/.test(label)) return null;
  const decoded = punycodeDecode(label.slice(4));
  if (decoded === null || !hasNonAscii(decoded)) return null;
  try {
    return toALabel(decoded) === label ? decoded : null;
  } catch {
    return null;
  }
}

/**
 * A name as customers read it: `café.test (xn--caf-dma.test)` when some label is an
 * A-label, else the name itself (trailing dot kept as given).
 *
 * @example
 * ```ts
 * showName("xn--caf-dma.test"); // "café.test (xn--caf-dma.test)"
 * showName("shop.test"); // "shop.test"
 * ```
 */
export function showName(name: string): string {
  if (!name.includes("xn--")) return name;
  const unicode = name.split(".").map((l) => toULabel(l) ?? l).join(".");
  return unicode === name ? name : `${unicode} (${name})`;
}
