/**
 * DNS names as Route 53 takes and gives them (docs/route53.md): input with
 * optional trailing dot and `\DDD` octal escapes; stored form lower-case, dotted, with
 * every byte other than `a-z 0-9 - _` written as a backslash and three octal digits.
 *
 * @module
 */

/** A parsed name: its labels as bytes, most specific first, without the root. */
export interface ParsedName {
  labels: Uint8Array[];
}

/** Either a parsed name or the Route 53 problem text describing why it is refused. */
export type NameResult = { ok: true; name: ParsedName } | { ok: false; problem: string };

const MAX_LABEL = 63;
const MAX_WIRE_LENGTH = 255;

function fatal(code: string, description: string, subject: string): string {
  return `FATAL problem: ${code} (${description}) encountered with '${subject}'`;
}

/**
 * Parses a name as sent in a request. Letters are folded to lower case (also when
 * escaped), because Route 53 compares and stores names case-insensitively.
 *
 * @example
 * ```ts
 * const r = parseName("*.Example.com");
 * if (r.ok) storedName(r.name); // "\\052.example.com."
 * ```
 */
export function parseName(text: string): NameResult {
  if (text === ".") return { ok: true, name: { labels: [] } };
  const labels: Uint8Array[] = [];
  let bytes: number[] = [];
  let labelText = "";
  let i = 0;
  const endLabel = (): string | undefined => {
    if (bytes.length === 0) return fatal("DomainLabelEmpty", "Domain label is empty", text);
    if (bytes.length > MAX_LABEL) {
      return fatal("DomainLabelTooLong", "Domain label is too long", labelText);
    }
    labels.push(Uint8Array.from(bytes));
    bytes = [];
    labelText = "";
    return undefined;
  };
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) {
      const digits = text.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(digits) || parseInt(digits, 8) > 0o377) {
        // Route 53 documents only three-digit octal escapes; anything else is refused
        // rather than guessed at.
        return {
          ok: false,
          problem: fatal(
            "InvalidEscape",
            "route53-local accepts a backslash only before three octal digits 000-377",
            text,
          ),
        };
      }
      bytes.push(lower(parseInt(digits, 8)));
      labelText += text.slice(i, i + 4);
      i += 4;
      continue;
    }
    if (c === 0x2e) {
      const problem = endLabel();
      if (problem !== undefined) return { ok: false, problem };
      i += 1;
      if (i === text.length) break;
      continue;
    }
    if (c <= 0x20 || c >= 0x7f) {
      return {
        ok: false,
        problem: fatal("UnsupportedCharacter", "Value contains unsupported characters", text[i]!),
      };
    }
    bytes.push(lower(c));
    labelText += text[i];
    i += 1;
  }
  if (text.length === 0 || text.charCodeAt(text.length - 1) !== 0x2e) {
    const problem = endLabel();
    if (problem !== undefined) return { ok: false, problem };
  }
  const wire = labels.reduce((n, l) => n + l.length + 1, 1);
  if (wire > MAX_WIRE_LENGTH) {
    return {
      ok: false,
      problem: fatal("DomainNameTooLong", "Domain name is longer than 255 bytes", text),
    };
  }
  return { ok: true, name: { labels } };
}

function lower(byte: number): number {
  return byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte;
}

function isPlain(byte: number): boolean {
  return (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) || byte === 0x2d ||
    byte === 0x5f;
}

/** One label in stored form: `a-z 0-9 - _` as is, every other byte as `\ooo`. */
export function storedLabel(label: Uint8Array): string {
  let out = "";
  for (const b of label) {
    out += isPlain(b) ? String.fromCharCode(b) : `\\${b.toString(8).padStart(3, "0")}`;
  }
  return out;
}

/** The stored form of a whole name: stored labels joined by dots, with a trailing dot. */
export function storedName(name: ParsedName): string {
  return name.labels.length === 0 ? "." : `${name.labels.map(storedLabel).join(".")}.`;
}

/** Splits a stored name into its stored labels (escapes never contain a dot). */
export function storedLabels(stored: string): string[] {
  return stored === "." ? [] : stored.slice(0, -1).split(".");
}

/**
 * The sort key Route 53 orders by: stored labels reversed, joined by dots, plus a
 * trailing dot, so `www.example.com.` becomes `com.example.www.` (reference §1.6).
 */
export function orderKey(stored: string): string {
  return `${storedLabels(stored).reverse().join(".")}.`;
}

/** Whether `stored` is `zone` itself or lies below it, compared label by label. */
export function isInZone(stored: string, zone: string): boolean {
  const n = storedLabels(stored);
  const z = storedLabels(zone);
  if (z.length > n.length) return false;
  return z.every((label, i) => n[n.length - z.length + i] === label);
}

/** Whether the leftmost label is exactly `*`, which makes the name a wildcard. */
export function isWildcard(stored: string): boolean {
  return stored.startsWith("\\052.");
}

/** Parses a name and returns its stored form, or the problem text. */
export function normaliseName(text: string): { ok: true; stored: string } | {
  ok: false;
  problem: string;
} {
  const r = parseName(text);
  return r.ok ? { ok: true, stored: storedName(r.name) } : r;
}
