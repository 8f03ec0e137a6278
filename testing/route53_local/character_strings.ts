/**
 * Character strings inside values (docs/route53.md): splitting a value into
 * space-separated fields that respect double quotes and backslash escapes, and the
 * TXT/SPF rule that a value is one or more quoted strings of at most 255 bytes.
 *
 * @module
 */

import { invalidRecord as invalid } from "./errors.ts";

/** A field of a value: its source text and whether it was a quoted character string. */
export interface Field {
  text: string;
  quoted: boolean;
}

/** Splits on spaces, keeping quoted strings (with `\` escapes) together. */
export function fields(value: string): Field[] | undefined {
  const out: Field[] = [];
  let i = 0;
  while (i < value.length) {
    if (value[i] === " ") {
      i += 1;
      continue;
    }
    if (value[i] === '"') {
      const end = closingQuote(value, i);
      if (end === undefined) return undefined;
      out.push({ text: value.slice(i, end + 1), quoted: true });
      i = end + 1;
      if (i < value.length && value[i] !== " ") return undefined;
      continue;
    }
    let j = i;
    while (j < value.length && value[j] !== " ") j += 1;
    out.push({ text: value.slice(i, j), quoted: false });
    i = j;
  }
  return out;
}

/** Index of the quote closing the string opened at `start`, honouring `\` escapes. */
export function closingQuote(value: string, start: number): number | undefined {
  for (let i = start + 1; i < value.length; i += 1) {
    if (value[i] === "\\") i += 1;
    else if (value[i] === '"') return i;
  }
  return undefined;
}

/** Length in bytes of a quoted string's content: `\DDD` and `\X` are one byte each. */
export function characterStringLength(quoted: string): number {
  const inner = quoted.slice(1, -1);
  let n = 0;
  for (let i = 0; i < inner.length; i += 1) {
    if (inner[i] === "\\") i += /^[0-9]{3}/.test(inner.slice(i + 1)) ? 3 : 1;
    n += 1;
  }
  return n;
}

/** Checks a TXT or SPF value; returns the Route 53-style problem text or `undefined`. */
export function checkCharacterStrings(value: string): string | undefined {
  const f = fields(value);
  if (f === undefined || f.length === 0 || f.some((x) => !x.quoted)) {
    // Adjacent strings without a space (`"a""b"`) are accepted by Route 53 (§3.4).
    if (!adjacentStrings(value)) {
      return invalid(
        "InvalidCharacterString",
        "Value should be enclosed in quotation marks",
        value,
      );
    }
  }
  for (const s of quotedStrings(value)) {
    if (characterStringLength(s) > 255) {
      return invalid("CharacterStringTooLong", "Value is too long", value);
    }
  }
  return undefined;
}

/** Whether the value is only quoted strings, separated by spaces or by nothing. */
function adjacentStrings(value: string): boolean {
  let i = 0;
  let seen = 0;
  while (i < value.length) {
    if (value[i] === " ") {
      i += 1;
      continue;
    }
    if (value[i] !== '"') return false;
    const end = closingQuote(value, i);
    if (end === undefined) return false;
    seen += 1;
    i = end + 1;
  }
  return seen > 0;
}

function quotedStrings(value: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < value.length) {
    if (value[i] === '"') {
      const end = closingQuote(value, i) ?? value.length - 1;
      out.push(value.slice(i, end + 1));
      i = end + 1;
    } else i += 1;
  }
  return out;
}
