import assert from "node:assert/strict";
import {
  decideOwnership,
  domainSyntaxProblem,
  isPublicSuffix,
  normaliseDomain,
} from "../lib/zones.ts";

const rows = [
  { name: "shop.test", owner: "steve" },
  { name: "eu.brand.test", owner: "steve" },
];

function reason(user: string, domain: string): string {
  const d = decideOwnership(user, domain, rows);
  assert(!d.allowed, `${domain} should be refused for ${user}`);
  return d.reason;
}

Deno.test("decideOwnership() allows and claims an unowned domain", () => {
  assert.deepStrictEqual(decideOwnership("ann", "fresh.test", rows), {
    allowed: true,
    zone: "fresh.test",
    claim: true,
  });
});

Deno.test("decideOwnership() allows the owner without a new claim", () => {
  assert.deepStrictEqual(decideOwnership("steve", "shop.test", rows), {
    allowed: true,
    zone: "shop.test",
    claim: false,
  });
});

Deno.test("decideOwnership() refuses another user's domain without naming that user", () => {
  const r = reason("ann", "shop.test");
  assert.match(r, /managed by another account/);
  assert(!r.includes("steve"));
});

Deno.test("decideOwnership() refuses a child of another user's domain", () => {
  assert.match(reason("ann", "www.shop.test"), /inside shop\.test/);
  assert.match(reason("ann", "a.b.eu.brand.test"), /inside eu\.brand\.test/);
});

Deno.test("decideOwnership() refuses a parent of another user's domain without naming the child", () => {
  const r = reason("ann", "brand.test");
  assert.match(r, /a subdomain of brand\.test is managed by another account/);
  assert(!r.includes("eu.brand"));
});

Deno.test("decideOwnership() lets an owner add a child or parent of their own domain", () => {
  assert.equal(decideOwnership("steve", "www.shop.test", rows).allowed, true);
  assert.equal(decideOwnership("steve", "brand.test", rows).allowed, true);
});

Deno.test("decideOwnership() ignores names that merely share a suffix string", () => {
  // "myshop.test" ends with "shop.test" as text, not label-wise.
  assert.equal(decideOwnership("ann", "myshop.test", rows).allowed, true);
  assert.equal(decideOwnership("ann", "op.test", rows).allowed, true);
});

Deno.test("decideOwnership() is case-insensitive and ignores one trailing dot", () => {
  assert.match(reason("ann", "SHOP.Test."), /managed by another account/);
  assert.deepStrictEqual(decideOwnership("steve", "Shop.TEST.", rows), {
    allowed: true,
    zone: "shop.test",
    claim: false,
  });
  const upperRows = [{ name: "Other.TEST.", owner: "steve" }];
  assert.equal(decideOwnership("ann", "other.test", upperRows).allowed, false);
});

Deno.test("decideOwnership() refuses public suffixes such as co.uk and com.au", () => {
  for (const suffix of ["co.uk", "org.uk", "gov.uk", "ac.uk", "com.au", "co.jp", "CO.UK."]) {
    assert.match(reason("ann", suffix), /public suffix/, suffix);
  }
  assert.equal(decideOwnership("ann", "shop.co.uk", []).allowed, true);
});

Deno.test("decideOwnership() always refuses a bare TLD, listed or not", () => {
  for (const tld of ["com", "net", "org", "de", "io", "test", "zz", "com."]) {
    assert.match(reason("ann", tld), /top-level domain/, tld);
  }
});

Deno.test("decideOwnership() refuses syntactically invalid names with the problem", () => {
  const cases: [string, RegExp][] = [
    ["", /empty/],
    ["a..test", /empty label/],
    [".test", /empty label/],
    ["-a.test", /inner hyphens/],
    ["a-.test", /inner hyphens/],
    ["a_b.test", /letters, digits/],
    ["a b.test", /letters, digits/],
    ["../etc.test", /letters, digits|empty label/],
    ["a/b.test", /letters, digits/],
    [`${"a".repeat(64)}.test`, /longer than 63/],
    [`${"abcdefghi.".repeat(26)}test`, /longer than 253/],
    ["bücher.test", /punycode/],
    ["host.123", /all digits/],
  ];
  for (const [name, re] of cases) {
    const d = decideOwnership("ann", name, []);
    assert(!d.allowed, name);
    assert.match(d.reason, /not a valid domain name/, name);
    assert.match(d.reason, re, name);
  }
  assert.equal(domainSyntaxProblem("xn--bcher-kva.test"), null);
  assert.equal(domainSyntaxProblem(`${"a".repeat(63)}.test`), null);
});

Deno.test("isPublicSuffix() follows wildcard rules and their exceptions", () => {
  assert.equal(isPublicSuffix("anything.ck"), true);
  assert.equal(isPublicSuffix("www.ck"), false);
  assert.equal(isPublicSuffix("shop.anything.ck"), false);
  assert.equal(isPublicSuffix("example.com"), false);
  assert.equal(isPublicSuffix("com"), true);
});

Deno.test("normaliseDomain() lower-cases and drops one trailing dot", () => {
  assert.equal(normaliseDomain("Shop.Test."), "shop.test");
  assert.equal(normaliseDomain("shop.test"), "shop.test");
});
