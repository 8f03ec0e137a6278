/**
 * Record values read back from Route 53, normalised to the canonical forms the zone
 * readers produce, so that a live set and a parsed one compare with plain equality.
 * Route 53 writes values in zone-file presentation form, so they go through the zone
 * files' lexer and the same RDATA parser.
 *
 * @module
 */

import { parseRdata } from "../rdata/rdata.ts";
import type { RRType } from "../dns/record_set.ts";
import { createEntry, createLexer, nextEntry } from "../zones/lexer.ts";

/**
 * A `Value` as Route 53 returns it (octal `\ooo` escapes, names possibly without a
 * trailing dot or in upper case, TXT strings possibly adjacent: `"a""b"`) → our canonical
 * value. Throws SyntaxError naming the problem.
 *
 * @example
 * ```ts
 * canonicalRoute53Value("CNAME", "WWW.Shop.test"); // "www.shop.test."
 * canonicalRoute53Value("TXT", '"a""b"');          // '"a" "b"'
 * ```
 */
export function canonicalRoute53Value(type: RRType, value: string): string {
  const lx = createLexer(value, false);
  const e = createEntry();
  if (!nextEntry(lx, e)) throw new SyntaxError(`empty ${type} value`);
  if (e.problem !== null) throw new SyntaxError(`${type} value ${value}: ${e.problem}`);
  if (lx.pos < value.length && nextEntry(lx, createEntry())) {
    throw new SyntaxError(`${type} value spans several lines`);
  }
  return parseRdata(type, e.tokens, 0, e.count, ".", true);
}
