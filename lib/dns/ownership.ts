/**
 * Who may manage which zone: a pure decision over the `domains` rows that relate to a
 * name (the same name, its parents, its children).
 *
 * Rules, in order: the name must be a syntactically valid host name; a top-level domain,
 * a public suffix (`co.uk`, `github.io`, `foo.ck` under the rule `*.ck`) or a name the
 * operator reserved (DNSAPI_DENY_DOMAINS, and everything under it) is never hosted; a name
 * owned by another user, inside another user's domain, or containing another user's
 * domain is refused; an unowned name is allowed and claimed. Reasons never name another
 * customer or their subdomains.
 *
 * The public suffixes are the whole Public Suffix List (publicsuffix.org, ICANN and private
 * sections), applied as the list's own algorithm says: the longest matching rule wins,
 * `*.x` makes every direct child of `x` a suffix, an exception `!y.x` wins over every
 * rule and makes `y.x` registrable, and a name no rule matches has its TLD as suffix (so
 * every single-label name counts as a TLD). The rules are lib/dns/public_suffixes.js,
 * generated from a pinned npm package; this module imports no npm package, because the
 * pre-receive hook applies the same rule.
 *
 * @module
 */

import { PSL_RULES } from "./public_suffixes.js";

/** A `domains` row as far as ownership cares. */
export interface DomainOwner {
  name: string;
  owner: string;
}

/** The outcome for one zone. `zone` is the normalised name (lower case, no trailing dot). */
export type OwnershipDecision =
  | { allowed: true; zone: string; claim: boolean }
  | { allowed: false; zone: string; reason: string };

/** Lower-cases a name and drops one trailing dot: `Shop.Test.` → `shop.test`. */
export function normaliseDomain(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Tells why a (normalised) name is not a valid zone name, or returns null when it is:
 * LDH labels of 1–63 characters, at most 253 characters, a TLD that is not all digits.
 */
export function domainSyntaxProblem(zone: string): string | null {
  if (zone === "") return "the name is empty";
  if (zone.length > 253) return "the name is longer than 253 characters";
  // deno-lint-ignore no-control-regex
  if (/[^\x00-\x7f]/.test(zone)) {
    return "the name has non-ASCII characters; use its punycode (xn--) form";
  }
  const labels = zone.split(".");
  for (const label of labels) {
    if (label === "") return "the name has an empty label (two dots in a row, or a leading dot)";
    if (label.length > 63) return `the label "${label}" is longer than 63 characters`;
    if (!LABEL.test(label)) {
      return `the label "${label}" may use only letters, digits and inner hyphens`;
    }
  }
  if (/^[0-9]+$/.test(labels.at(-1) ?? "")) return "the top-level label is all digits";
  return null;
}

/** The list's rules, sorted; split on first use (start-up pays for one string only). */
let sortedRules: string[] | undefined;

/**
 * Whether the list has exactly this rule (`co.uk`, `*.ck`, `!www.ck`). A binary search
 * of the sorted lines: splitting the string costs about a millisecond, where filling a
 * Set with ten thousand rules cost ten or more at a cold start.
 */
function hasRule(rule: string): boolean {
  sortedRules ??= PSL_RULES.split("\n");
  let lo = 0;
  let hi = sortedRules.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const value = sortedRules[mid]!;
    if (value === rule) return true;
    if (value < rule) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

/**
 * The Public Suffix List rule that makes a normalised name a public suffix (`co.uk`,
 * `*.ck` for `foo.ck`), `*` for a name of one label that no rule lists, or null when the
 * name is not a public suffix (it is registrable, or below a registrable name).
 *
 * @example
 * ```ts
 * publicSuffixRule("foo.ck"); // "*.ck"
 * publicSuffixRule("www.ck"); // null (the exception !www.ck)
 * publicSuffixRule("shop.co.uk"); // null
 * ```
 */
export function publicSuffixRule(zone: string): string | null {
  const labels = zone.split(".");
  const tail = (from: number) => labels.slice(from).join(".");
  // An exception wins over every rule: the suffix is the exception minus its first label.
  for (let i = 0; i < labels.length; i += 1) {
    if (hasRule(`!${tail(i)}`)) return null;
  }
  // The longest matching rule is the suffix; the name is one only when that is all of it.
  for (let i = 0; i < labels.length; i += 1) {
    const exact = hasRule(tail(i));
    const wildcard = i + 1 < labels.length && hasRule(`*.${tail(i + 1)}`);
    if (exact || wildcard) {
      if (i > 0) return null;
      return exact ? zone : `*.${tail(1)}`;
    }
  }
  return labels.length === 1 ? "*" : null;
}

/**
 * Tells whether a lower-case label is a top-level domain the Public Suffix List names
 * (`io`, `com`, `uk`), as opposed to any single label (which the list's algorithm also
 * treats as a suffix).
 *
 * @example
 * ```ts
 * isListedTopLevelDomain("io"); // true
 * isListedTopLevelDomain("sub"); // false
 * ```
 */
export function isListedTopLevelDomain(label: string): boolean {
  return !label.includes(".") && publicSuffixRule(label) === label;
}

/**
 * Tells whether a normalised name is a public suffix: a TLD, a name the list names, or a
 * name only a wildcard rule covers.
 *
 * @example
 * ```ts
 * isPublicSuffix("github.io"); // true
 * isPublicSuffix("shop.github.io"); // false
 * ```
 */
export function isPublicSuffix(zone: string): boolean {
  return publicSuffixRule(zone) !== null;
}

/**
 * Reads DNSAPI_DENY_DOMAINS: comma-separated names (spaces allowed), normalised, and a
 * problem for each entry that is not a domain name.
 *
 * @example
 * ```ts
 * parseDenyDomains("Operator.Test, brand.test."); // { names: ["operator.test", "brand.test"], problems: [] }
 * ```
 */
export function parseDenyDomains(
  value: string | undefined,
): { names: string[]; problems: string[] } {
  const names = (value ?? "").split(",").map((n) => normaliseDomain(n.trim()));
  const listed = names.filter((n) => n !== "");
  const problems = listed.flatMap((n) => {
    const problem = domainSyntaxProblem(n);
    return problem ? [`"${n}" is not a domain name: ${problem}`] : [];
  });
  return { names: listed, problems };
}

/**
 * Why a valid, normalised name can never be hosted here, or null: a top-level domain, a
 * public suffix, or a name the operator reserved (`deny`: the name and everything under
 * it). The worker's ownership decision and pre-receive's file-name check both use it.
 *
 * @example
 * ```ts
 * reservedNameProblem("gouv.fr", []); // "gouv.fr is a public suffix …"
 * reservedNameProblem("www.brand.test", ["brand.test"]); // "… reserved by the operator …"
 * ```
 */
export function reservedNameProblem(zone: string, deny: readonly string[] = []): string | null {
  const rule = publicSuffixRule(zone);
  if (!zone.includes(".")) {
    return `${zone} is a top-level domain (a public suffix); only a domain registered under ` +
      `it can be hosted, e.g. yourname.${zone}`;
  }
  if (rule !== null) {
    const why = rule === zone ? "" : ` (the list's rule ${rule} covers it)`;
    return `${zone} is a public suffix on the Public Suffix List${why}: names are registered ` +
      `under it; host the domain you registered, e.g. yourname.${zone}`;
  }
  const denied = deny.find((d) => zone === d || zone.endsWith("." + d));
  if (denied !== undefined) {
    return `${zone} is reserved by the operator of this service` +
      (denied === zone ? "" : ` (as part of ${denied})`) +
      `; contact support if you think it should be yours`;
  }
  return null;
}

/** The operator's part of an ownership decision. */
export interface OwnershipOptions {
  /** Names no customer may host, nor anything under them (normalised). */
  deny?: readonly string[];
}

/**
 * Decides whether `user` may manage `domain`, given the `domains` rows that relate to it
 * (rows that do not are ignored, so passing every row is correct too) and the names the
 * operator reserved.
 *
 * @example
 * ```ts
 * decideOwnership("steve", "Shop.Test.", [{ name: "test.shop.test", owner: "ann" }]);
 * // { allowed: false, zone: "shop.test", reason: "..." }
 * ```
 */
export function decideOwnership(
  user: string,
  domain: string,
  rows: readonly DomainOwner[],
  options: OwnershipOptions = {},
): OwnershipDecision {
  const zone = normaliseDomain(domain);
  const refuse = (reason: string): OwnershipDecision => ({ allowed: false, zone, reason });
  const problem = domainSyntaxProblem(zone);
  if (problem) return refuse(`"${domain}" is not a valid domain name: ${problem}`);
  const reserved = reservedNameProblem(zone, options.deny);
  if (reserved) return refuse(reserved);
  let own = false;
  for (const row of rows) {
    const other = normaliseDomain(row.name);
    const mine = row.owner === user;
    if (other === zone) {
      if (!mine) {
        return refuse(
          `${zone} is managed by another account; if you own it, contact support to transfer it`,
        );
      }
      own = true;
    } else if (zone.endsWith("." + other) && !mine) {
      return refuse(
        `${zone} is inside ${other}, which is managed by another account; ask its owner to ` +
          `add the records, or contact support`,
      );
    } else if (other.endsWith("." + zone) && !mine) {
      return refuse(
        `a subdomain of ${zone} is managed by another account; contact support if you own ${zone}`,
      );
    }
  }
  return { allowed: true, zone, claim: !own };
}
