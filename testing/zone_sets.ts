/**
 * Compact expectations for zone-parsing tests: a parse result's sets as one line each,
 * and the parse-and-assert step the parser's tests share.
 *
 * @module
 */

import { deepStrictEqual as eq } from "node:assert/strict";
import { parseZone, type ZoneParseResult } from "../lib/zones.ts";

/**
 * A result's sets as `name type ttl value|value` lines, in the result's order.
 *
 * @example
 * ```ts
 * setLines(parseZone("$TTL 60\nwww A 192.0.2.1\n", { zone: "shop.test" }));
 * // ["www.shop.test. A 60 192.0.2.1"]
 * ```
 */
export function setLines(r: ZoneParseResult): string[] {
  return r.rrsets.map((s) => `${s.name} ${s.type} ${s.ttl} ${s.values.join("|")}`);
}

/**
 * Parses `text` as the zone `shop.test`, asserts that it has no errors (the failure
 * shows them) and returns its {@linkcode setLines}.
 *
 * @example
 * ```ts
 * parsedSets("$TTL 60\nwww A 192.0.2.1\n"); // ["www.shop.test. A 60 192.0.2.1"]
 * ```
 */
export function parsedSets(text: string): string[] {
  const r = parseZone(text, { zone: "shop.test" });
  eq(r.errors, [], JSON.stringify(r.errors));
  return setLines(r);
}

/**
 * Asserts that `text` parses as the zone `shop.test` without errors into exactly the
 * sets `expected`, written as {@linkcode setLines} writes them.
 *
 * @example
 * ```ts
 * assertParses("$TTL 60\nwww A 192.0.2.1\n", ["www.shop.test. A 60 192.0.2.1"]);
 * ```
 */
export function assertParses(text: string, expected: string[]): void {
  eq(parsedSets(text), expected);
}
