/**
 * Route 53 alias sets in canonical form, and the zone-file syntax for them (cli53's
 * extension of BIND files):
 *
 * ```
 * name [ttl] [IN] AWS ALIAS <type> <target> <hosted-zone-id|$self> <true|false>
 * ```
 *
 * An alias set has no TTL and no values of its own: Route 53 answers with the target's
 * records. `$self` names the zone's own hosted zone; it stays `$self` in the canonical
 * form (a zone file does not know its hosted zone's id, and an incremental plan never
 * looks it up) and becomes the real id only in the request sent to Route 53.
 *
 * @module
 */

import { parseName } from "./names.ts";

/** The zone id written for "this zone's own hosted zone". */
export const SELF_ZONE = "$self";

/** CloudFront's hosted zone id, the same for every distribution. */
export const CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2";

/** Record types Route 53 allows an alias set to have. */
export const ALIAS_TYPES = [
  "A",
  "AAAA",
  "CAA",
  "CNAME",
  "MX",
  "NAPTR",
  "PTR",
  "SPF",
  "SRV",
  "TXT",
] as const;

/** One of {@linkcode ALIAS_TYPES}. */
export type AliasType = typeof ALIAS_TYPES[number];

/**
 * Where an alias set points.
 *
 * - `target`: the DNS name, canonical (lower-case, trailing dot);
 * - `zoneId`: the target's hosted zone id, or {@linkcode SELF_ZONE};
 * - `evaluateTargetHealth`: Route 53's `EvaluateTargetHealth`.
 *
 * @example
 * ```ts
 * const apex: AliasTarget = { target: "shop.test.", zoneId: "$self", evaluateTargetHealth: false };
 * ```
 */
export interface AliasTarget {
  target: string;
  zoneId: string;
  evaluateTargetHealth: boolean;
}

/** Tells whether a type mnemonic (upper-case) may be an alias set's type. */
export function isAliasType(type: string): type is AliasType {
  return (ALIAS_TYPES as readonly string[]).includes(type);
}

/** Plain equality of two alias targets (both canonical). */
export function sameAlias(a: AliasTarget, b: AliasTarget): boolean {
  return a.target === b.target && a.zoneId === b.zoneId &&
    a.evaluateTargetHealth === b.evaluateTargetHealth;
}

/**
 * How a plan line shows an alias: `shop.test. (self)`, or the target and its zone id;
 * ` evaluate-target-health` is added when set.
 *
 * @example
 * ```ts
 * describeAlias({ target: "shop.test.", zoneId: "$self", evaluateTargetHealth: false });
 * // "shop.test. (self)"
 * ```
 */
export function describeAlias(alias: AliasTarget): string {
  const zone = alias.zoneId === SELF_ZONE ? "(self)" : alias.zoneId;
  return `${alias.target} ${zone}${alias.evaluateTargetHealth ? " evaluate-target-health" : ""}`;
}

/** Route 53 hosted zone ids: `Z` and capital letters or digits, at most 32 characters. */
const ZONE_ID = /^Z[A-Z0-9]{1,31}$/;

const SYNTAX =
  "write `name [ttl] [IN] AWS ALIAS <type> <target> <hosted-zone-id|$self> <true|false>`";

/** Tells whether tokens `[i..to)` start with the alias marker `AWS ALIAS`. */
export function isAliasMarker(tokens: readonly string[], i: number, to: number): boolean {
  return i + 1 < to && (tokens[i] ?? "").toUpperCase() === "AWS" &&
    (tokens[i + 1] ?? "").toUpperCase() === "ALIAS";
}

/**
 * Reads the fields after `AWS ALIAS` (tokens `[from..to)`): type, target (relative
 * names are resolved against `origin`), zone id or `$self`, flag. Throws a
 * SyntaxError saying what to write.
 *
 * @example
 * ```ts
 * parseAliasFields(["A", "@", "$self", "false"], 0, 4, "shop.test.");
 * // { type: "A", alias: { target: "shop.test.", zoneId: "$self", evaluateTargetHealth: false } }
 * ```
 */
export function parseAliasFields(
  tokens: readonly string[],
  from: number,
  to: number,
  origin: string,
): { type: AliasType; alias: AliasTarget } {
  if (to - from !== 4) {
    throw new SyntaxError(
      `an alias line needs 4 fields after AWS ALIAS, not ${to - from}: ${SYNTAX}`,
    );
  }
  const rawType = tokens[from] ?? "";
  const type = rawType.toUpperCase();
  if (!isAliasType(type)) {
    throw new SyntaxError(
      `alias type ${rawType} is not one Route 53 allows; use one of ${ALIAS_TYPES.join(", ")}`,
    );
  }
  let target: string;
  try {
    target = parseName(tokens[from + 1] ?? "", origin, false);
  } catch (e) {
    throw new SyntaxError(`bad alias target: ${e instanceof Error ? e.message : String(e)}`);
  }
  const zoneId = tokens[from + 2] ?? "";
  if (zoneId !== SELF_ZONE && !ZONE_ID.test(zoneId)) {
    throw new SyntaxError(
      `bad hosted zone id "${zoneId}": write the target's hosted zone id (Z and capital letters or digits, e.g. ${CLOUDFRONT_ZONE_ID} for CloudFront) or $self for this zone`,
    );
  }
  const flag = (tokens[from + 3] ?? "").toLowerCase();
  if (flag !== "true" && flag !== "false") {
    throw new SyntaxError(
      `bad evaluate-target-health flag "${tokens[from + 3]}": write true or false`,
    );
  }
  const evaluateTargetHealth = flag === "true";
  if (zoneId === CLOUDFRONT_ZONE_ID && evaluateTargetHealth) {
    throw new SyntaxError(
      "an alias to CloudFront cannot evaluate target health (Route 53 refuses it): write false",
    );
  }
  return { type, alias: { target, zoneId, evaluateTargetHealth } };
}
