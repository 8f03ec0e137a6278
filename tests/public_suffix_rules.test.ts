/**
 * Public suffixes and the operator's reserved names, as the worker (decideOwnership) and
 * pre-receive (zoneNameProblem, checkZoneText) refuse them: one rule, the same answers.
 */
import assert from "node:assert/strict";
import {
  decideOwnership,
  parseDenyDomains,
  publicSuffixRule,
  reservedNameProblem,
  zoneNameProblem,
} from "../lib/zones.ts";
import { checkZoneText, runPreReceive } from "../lib/hook.ts";
import { loadConfig } from "../lib/config.ts";

/**
 * The names a hostile customer tried (issue 9 names the first seven): ICANN second-level
 * registries, provinces, cities and states, and private-section hosting platforms.
 */
const SUFFIXES = [
  "gouv.fr",
  "on.ca",
  "tokyo.jp",
  "ny.us",
  "github.io",
  "blogspot.com",
  "s3.amazonaws.com",
  "co.uk",
  "com",
  "gov.uk",
  "com.au",
  "co.jp",
  "qc.ca",
  "k12.ca.us",
  "kyoto.jp",
  "eu.org",
  "herokuapp.com",
  "appspot.com",
  "cloudfront.net",
  "netlify.app",
  "vercel.app",
  "pages.dev",
  "azurewebsites.net",
];

/** Why the worker refuses `name` for a user with no domains, or null when it allows it. */
function workerRefusal(name: string, deny: string[] = []): string | null {
  const decision = decideOwnership("mallory", name, [], { deny });
  return decision.allowed ? null : decision.reason;
}

Deno.test("the worker and pre-receive refuse each of the 23 sampled public suffixes", () => {
  assert.equal(SUFFIXES.length, 23);
  for (const suffix of SUFFIXES) {
    const reason = workerRefusal(suffix);
    assert.ok(reason, `the worker allowed ${suffix}`);
    assert.match(reason, /public suffix/, suffix);
    assert.match(reason, new RegExp(`e\\.g\\. yourname\\.${suffix.replaceAll(".", "\\.")}`));
    assert.equal(zoneNameProblem(suffix), `the file name says ${suffix}; ${reason}`, suffix);
    assert.deepEqual(checkZoneText(`zones/${suffix}`, "").errors, [
      `zones/${suffix}: the file name says ${suffix}; ${reason}`,
    ]);
  }
});

Deno.test("a name registered under a public suffix is allowed", () => {
  for (
    const name of [
      "shop.gouv.fr",
      "shop.on.ca",
      "shop.tokyo.jp",
      "shop.ny.us",
      "alice.github.io",
      "alice.blogspot.com",
      "bucket.s3.amazonaws.com",
      "shop.co.uk",
      "www.shop.co.uk",
    ]
  ) {
    assert.equal(workerRefusal(name), null, name);
    assert.equal(zoneNameProblem(name), null, name);
  }
});

Deno.test("a name only a wildcard rule covers is a public suffix; an exception makes it registrable", () => {
  // *.ck and !www.ck; kawasaki.jp with *.kawasaki.jp and !city.kawasaki.jp.
  assert.equal(publicSuffixRule("foo.ck"), "*.ck");
  assert.match(workerRefusal("foo.ck") ?? "", /rule \*\.ck covers it/);
  assert.match(zoneNameProblem("foo.ck") ?? "", /rule \*\.ck covers it/);
  assert.equal(workerRefusal("www.ck"), null);
  assert.equal(zoneNameProblem("www.ck"), null);
  assert.equal(workerRefusal("shop.foo.ck"), null);
  assert.equal(publicSuffixRule("kawasaki.jp"), "kawasaki.jp");
  assert.equal(publicSuffixRule("nakahara.kawasaki.jp"), "*.kawasaki.jp");
  assert.equal(workerRefusal("city.kawasaki.jp"), null);
  assert.equal(workerRefusal("www.city.kawasaki.jp"), null);
  assert.equal(workerRefusal("shop.nakahara.kawasaki.jp"), null);
  // A private-section wildcard: *.compute.amazonaws.com.
  assert.ok(workerRefusal("eu-west-9.compute.amazonaws.com"));
});

Deno.test("a TLD the list does not name is refused as a top-level domain", () => {
  for (const tld of ["zz", "test", "internal"]) {
    assert.match(workerRefusal(tld) ?? "", /top-level domain/, tld);
    assert.match(zoneNameProblem(tld) ?? "", /top-level domain \(a public suffix\)/, tld);
  }
});

Deno.test("a reserved name and everything under it are refused, saying the operator reserved it", () => {
  const deny = ["brand.test", "dns-provider.test"];
  assert.equal(
    workerRefusal("brand.test", deny),
    "brand.test is reserved by the operator of this service; contact support if you think " +
      "it should be yours",
  );
  assert.match(
    workerRefusal("www.shop.brand.test", deny) ?? "",
    /reserved by the operator .*\(as part of brand\.test\)/,
  );
  assert.match(workerRefusal("Dns-Provider.Test.", deny) ?? "", /reserved by the operator/);
  assert.equal(workerRefusal("mybrand.test", deny), null, "label-wise, not as text");
  assert.equal(workerRefusal("test.brand", deny), null);
  assert.equal(workerRefusal("brand.test"), null, "without the deny list");
  assert.equal(
    zoneNameProblem("api.brand.test", deny),
    `the file name says api.brand.test; ${reservedNameProblem("api.brand.test", deny)}`,
  );
  assert.match(
    checkZoneText("zones/brand.test", "", deny).errors[0] ?? "",
    /reserved by the operator/,
  );
  assert.deepEqual(checkZoneText("zones/brand.test", "").errors, []);
});

Deno.test("parseDenyDomains() normalises a comma-separated list and names bad entries", () => {
  assert.deepEqual(parseDenyDomains(" Brand.Test., dns-provider.test ,, "), {
    names: ["brand.test", "dns-provider.test"],
    problems: [],
  });
  assert.deepEqual(parseDenyDomains(undefined), { names: [], problems: [] });
  assert.deepEqual(parseDenyDomains("ok.test,bad_name.test").problems, [
    '"bad_name.test" is not a domain name: the label "bad_name" may use only letters, digits and inner hyphens',
  ]);
});

Deno.test("loadConfig() reads DNSAPI_DENY_DOMAINS and names a bad entry with the other bad variables", () => {
  assert.deepEqual(loadConfig({}).denyDomains, []);
  assert.deepEqual(loadConfig({ DNSAPI_DENY_DOMAINS: "Brand.Test, ops.test." }).denyDomains, [
    "brand.test",
    "ops.test",
  ]);
  assert.throws(
    () => loadConfig({ DNSAPI_DENY_DOMAINS: "brand.test,a b", REPOS_ROOT: "repos" }),
    /DNSAPI_DENY_DOMAINS: "a b" is not a domain name.*REPOS_ROOT|REPOS_ROOT.*DNSAPI_DENY_DOMAINS: "a b" is not a domain name/,
  );
});

Deno.test("runPreReceive() with a bad DNSAPI_DENY_DOMAINS lets the push through without showing the list", async () => {
  const printed: string[] = [];
  const env: Record<string, string> = { DNSAPI_DENY_DOMAINS: "secret-brand.test,a b" };
  const code = await runPreReceive("", {
    env: (name) => env[name],
    cwd: "/nonexistent",
    print: (line) => printed.push(line),
  });
  assert.equal(code, 0);
  assert.match(printed.join("\n"), /could not validate the zone files \(DNSAPI_DENY_DOMAINS/);
  assert.doesNotMatch(printed.join("\n"), /secret-brand/);
});
