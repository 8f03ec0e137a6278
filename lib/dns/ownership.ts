/**
 * Who may manage which zone: a pure decision over the `domains` rows that relate to a
 * name (the same name, its parents, its children).
 *
 * Rules, in order: the name must be a syntactically valid host name; a top-level domain
 * or a public suffix (`co.uk`) is never hosted; a name owned by another user, inside
 * another user's domain, or containing another user's domain is refused; an unowned name
 * is allowed and claimed. Reasons never name another customer or their subdomains.
 *
 * The embedded public-suffix list is a compact extract of the ICANN section of
 * publicsuffix.org (see {@linkcode PUBLIC_SUFFIXES}); every single-label name counts as
 * a TLD, so all TLDs are covered without listing them.
 *
 * @module
 */

/** A `domains` row as far as ownership cares. */
export interface DomainOwner {
  name: string;
  owner: string;
}

/** The outcome for one zone. `zone` is the normalised name (lower case, no trailing dot). */
export type OwnershipDecision =
  | { allowed: true; zone: string; claim: boolean }
  | { allowed: false; zone: string; reason: string };

/**
 * Multi-label public suffixes (ICANN section extract: second-level registries of common
 * country TLDs). `*.x` means every direct child of `x` is a suffix; `!y.x` is an
 * exception to such a wildcard.
 */
export const PUBLIC_SUFFIXES: readonly string[] = [
  "co.uk org.uk gov.uk ac.uk me.uk ltd.uk plc.uk net.uk sch.uk nhs.uk police.uk mod.uk",
  "com.au net.au org.au edu.au gov.au asn.au id.au",
  "co.jp ne.jp or.jp ac.jp go.jp gr.jp ad.jp ed.jp lg.jp",
  "co.nz org.nz net.nz govt.nz ac.nz school.nz geek.nz gen.nz kiwi.nz maori.nz",
  "com.br net.br org.br gov.br edu.br art.br",
  "co.za org.za gov.za ac.za web.za net.za",
  "com.cn net.cn org.cn gov.cn edu.cn ac.cn",
  "co.in net.in org.in firm.in gen.in ind.in gov.in ac.in edu.in",
  "com.mx org.mx gob.mx edu.mx net.mx",
  "co.kr or.kr ne.kr go.kr ac.kr re.kr",
  "com.tw org.tw net.tw edu.tw gov.tw",
  "com.hk org.hk net.hk edu.hk gov.hk",
  "com.sg org.sg net.sg edu.sg gov.sg",
  "co.il org.il net.il ac.il gov.il",
  "com.tr org.tr net.tr gen.tr gov.tr edu.tr",
  "com.ar org.ar net.ar gob.ar edu.ar",
  "com.es org.es nom.es gob.es edu.es",
  "co.at or.at gv.at ac.at",
  "com.pl net.pl org.pl",
  "co.id or.id ac.id go.id web.id",
  "com.my net.my org.my gov.my edu.my",
  "com.ph net.ph org.ph",
  "com.vn net.vn org.vn",
  "com.ua net.ua org.ua gov.ua",
  "co.th in.th or.th ac.th go.th",
  "com.sa net.sa org.sa",
  "com.eg com.ng com.pk com.pe com.ve com.ec com.uy com.gr com.pt com.ro",
  "co.ke or.ke",
  "com.co net.co org.co gov.co",
  "*.ck !www.ck *.bd *.er *.fk *.jm *.kh *.mm *.np *.pg",
].flatMap((line) => line.split(" "));

const EXACT = new Set(PUBLIC_SUFFIXES.filter((s) => !s.startsWith("*.") && !s.startsWith("!")));
const WILDCARD = new Set(PUBLIC_SUFFIXES.filter((s) => s.startsWith("*.")).map((s) => s.slice(2)));
const EXCEPTION = new Set(PUBLIC_SUFFIXES.filter((s) => s.startsWith("!")).map((s) => s.slice(1)));

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

/** Tells whether a normalised name is a public suffix (any TLD, or an embedded entry). */
export function isPublicSuffix(zone: string): boolean {
  if (!zone.includes(".")) return true;
  if (EXACT.has(zone)) return true;
  if (EXCEPTION.has(zone)) return false;
  const parent = zone.slice(zone.indexOf(".") + 1);
  return WILDCARD.has(parent);
}

/**
 * Decides whether `user` may manage `domain`, given the `domains` rows that relate to it
 * (rows that do not are ignored, so passing every row is correct too).
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
): OwnershipDecision {
  const zone = normaliseDomain(domain);
  const refuse = (reason: string): OwnershipDecision => ({ allowed: false, zone, reason });
  const problem = domainSyntaxProblem(zone);
  if (problem) return refuse(`"${domain}" is not a valid domain name: ${problem}`);
  if (!zone.includes(".")) {
    return refuse(`${zone} is a top-level domain; only a domain registered under it can be hosted`);
  }
  if (isPublicSuffix(zone)) {
    return refuse(
      `${zone} is a public suffix (names are registered under it); host the domain you ` +
        `registered, e.g. yourname.${zone}`,
    );
  }
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
