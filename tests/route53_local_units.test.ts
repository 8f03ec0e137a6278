import assert, { deepStrictEqual as assertEquals } from "node:assert/strict";
import { checkRequestLimits, evaluateBatch } from "../testing/route53_local/batch.ts";
import type { StoredSet } from "../testing/route53_local/model.ts";
import { isInZone, normaliseName, orderKey } from "../testing/route53_local/names.ts";
import { compareSets } from "../testing/route53_local/order.ts";
import { route } from "../testing/route53_local/routes.ts";
import { parseIPv6 } from "../testing/route53_local/addresses.ts";
import { checkValue, valueKey } from "../testing/route53_local/values.ts";
import { el, escapeXml, renderDocument } from "../testing/route53_local/xml.ts";

const stored = (text: string) => {
  const r = normaliseName(text);
  return r.ok ? r.stored : `ERROR ${r.problem}`;
};

Deno.test("names are stored lower-case with a trailing dot and octal escapes for every byte but a-z 0-9 - _", () => {
  assertEquals(stored("WWW.Example.COM"), "www.example.com.");
  assertEquals(stored("www.example.com."), "www.example.com.");
  assertEquals(stored("*.example.com"), "\\052.example.com.");
  assertEquals(stored("\\052.example.com"), "\\052.example.com.");
  assertEquals(stored("a/b@c.example.com"), "a\\057b\\100c.example.com.");
  assertEquals(stored("\\101b.example.com"), "ab.example.com.");
  assertEquals(stored("dot\\056inside.example.com"), "dot\\056inside.example.com.");
  assertEquals(stored("_srv-1.example.com"), "_srv-1.example.com.");
  assertEquals(stored("ex\\344mple.com"), "ex\\344mple.com.");
});

Deno.test("names with bad escapes, empty or long labels, raw spaces or non-ASCII are refused", () => {
  assert(stored("a\\9.example.com").startsWith("ERROR FATAL problem: InvalidEscape"));
  assert(stored("a\\400.example.com").startsWith("ERROR FATAL problem: InvalidEscape"));
  assert(stored("a..b").startsWith("ERROR FATAL problem: DomainLabelEmpty"));
  assert(stored("").startsWith("ERROR FATAL problem: DomainLabelEmpty"));
  assert(stored(`${"x".repeat(64)}.com`).startsWith("ERROR FATAL problem: DomainLabelTooLong"));
  assert(stored(`${"x".repeat(63)}.com`) === `${"x".repeat(63)}.com.`);
  assert(stored("é.com").startsWith("ERROR FATAL problem: UnsupportedCharacter"));
  const long = Array.from({ length: 5 }, () => "x".repeat(63)).join(".");
  assert(stored(long).startsWith("ERROR FATAL problem: DomainNameTooLong"));
});

Deno.test("zone membership is decided label by label, not by string suffix", () => {
  assert(isInZone("www.example.com.", "example.com."));
  assert(isInZone("example.com.", "example.com."));
  assert(!isInZone("notexample.com.", "example.com."));
  assert(!isInZone("com.", "example.com."));
});

Deno.test("the order key reverses labels and keeps the trailing dot, so a-b sorts before a and a.b", () => {
  assertEquals(orderKey("www.example.com."), "com.example.www.");
  const names = ["b.a.x.", "a.x.", "a-b.x.", "\\052.x.", "x."];
  const sorted = names.map((name) => ({ name, type: "A" })).sort(compareSets).map((s) => s.name);
  assertEquals(sorted, ["x.", "\\052.x.", "a-b.x.", "a.x.", "b.a.x."]);
  assertEquals(
    ["TXT", "A", "SOA", "NS", "AAAA", "CNAME"].map((type) => ({ name: "x.", type })).sort(
      compareSets,
    )
      .map((s) => s.type),
    ["A", "AAAA", "CNAME", "NS", "SOA", "TXT"],
  );
});

Deno.test("IPv6 parsing accepts the usual notations and compares by data", () => {
  assertEquals(parseIPv6("::"), [0, 0, 0, 0, 0, 0, 0, 0]);
  assertEquals(parseIPv6("2001:db8::1"), [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
  assertEquals(parseIPv6("::ffff:192.0.2.1"), [0, 0, 0, 0, 0, 0xffff, 0xc000, 0x201]);
  assertEquals(parseIPv6("1:2:3:4:5:6:7:8"), [1, 2, 3, 4, 5, 6, 7, 8]);
  for (
    const bad of [
      "1:2:3:4:5:6:7",
      "1::2::3",
      "12345::",
      "1:2:3:4:5:6:7:8:9",
      "g::1",
      "1:2:3:4:5:6:7::8",
    ]
  ) {
    assertEquals(parseIPv6(bad), undefined, bad);
  }
  assertEquals(valueKey("AAAA", "2001:0DB8::A"), valueKey("AAAA", "2001:db8:0:0:0:0:0:a"));
  assert(valueKey("TXT", '"A"') !== valueKey("TXT", '"a"'));
});

Deno.test("value checks: A without leading zeros, TXT quoting, unprintable bytes", () => {
  assertEquals(checkValue("A", "192.0.2.1"), undefined);
  assert(checkValue("A", "192.0.2.01")?.includes("ARRDATAIllegalIPv4Address"));
  assertEquals(checkValue("TXT", '"a" "b"'), undefined);
  assertEquals(checkValue("TXT", '"a\\"b"'), undefined);
  assert(checkValue("TXT", '"a" b')?.includes("InvalidCharacterString"));
  assert(checkValue("TXT", '"caf\u00e9"')?.includes("UnsupportedCharacter"));
  assert(checkValue("MX", "10\tmail.example.com")?.includes("UnsupportedCharacter"));
  assertEquals(checkValue("TXT", `"${"\\065".repeat(255)}"`), undefined);
  assert(checkValue("TXT", `"${"\\065".repeat(256)}"`)?.includes("CharacterStringTooLong"));
});

Deno.test("request limits count alias sets once and UPSERT values twice", () => {
  const set = (n: number): StoredSet => ({
    name: "a.x.",
    type: "A",
    ttl: 1,
    values: Array.from({ length: n }, () => "1.2.3.4"),
  });
  const alias: StoredSet = {
    name: "b.x.",
    type: "A",
    aliasTarget: { hostedZoneId: "Z", dnsName: "c.x.", evaluateTargetHealth: false },
  };
  assertEquals(checkRequestLimits([{ action: "UPSERT", set: set(500) }]), []);
  assertEquals(
    checkRequestLimits([{ action: "UPSERT", set: set(500) }, { action: "CREATE", set: alias }]),
    [
      "Number of records limit of 1000 exceeded.",
    ],
  );
});

Deno.test("evaluateBatch leaves the input zone untouched when it refuses a batch", () => {
  const sets = new Map<string, StoredSet[]>([
    ["x.", [
      { name: "x.", type: "SOA", ttl: 900, values: ["a. b. 1 2 3 4 5"] },
      { name: "x.", type: "NS", ttl: 900, values: ["a."] },
    ]],
  ]);
  const before = JSON.stringify([...sets]);
  const outcome = evaluateBatch({
    zoneId: "Z1",
    zoneName: "x.",
    sets,
    maxRecordSetsPerZone: 10,
    isLocalZone: () => false,
  }, [
    { action: "CREATE", set: { name: "a.x", type: "A", ttl: 1, values: ["1.2.3.4"] } },
    { action: "DELETE", set: { name: "x", type: "NS", ttl: 900, values: ["a."] } },
  ]);
  assertEquals(outcome, {
    ok: false,
    messages: ["A HostedZone must contain at least one NS record for the zone itself."],
  });
  assertEquals(JSON.stringify([...sets]), before);
});

Deno.test("routing maps the eight operations, accepts rrset/, and explains anything else", () => {
  assertEquals(route("POST", "/2013-04-01/hostedzone/Z1/rrset/"), {
    ok: true,
    operation: "ChangeResourceRecordSets",
    id: "Z1",
  });
  assertEquals(route("GET", "/2013-04-01/hostedzone/Z1/rrset").ok, true);
  assertEquals(route("GET", "/2013-04-01/hostedzone/Z1/rrset//").ok, false);
  const tags = route("GET", "/2013-04-01/tags/hostedzone/Z1");
  assert(!tags.ok && tags.refusal.includes("(resource tags)"));
  const dnssec = route("GET", "/2013-04-01/hostedzone/Z1/dnssec");
  assert(!dnssec.ok && dnssec.refusal.includes("sub-resource 'dnssec'"));
});

Deno.test("the XML writer escapes text, omits undefined members and writes the namespace", () => {
  assertEquals(escapeXml(`a & <b> "c" 'd'\r\t`), `a &amp; &lt;b&gt; "c" 'd'&#13;&#9;`);
  assertEquals(
    renderDocument(el("R", [el("A", "x<y"), undefined, el("L", [])])),
    '<?xml version="1.0" encoding="UTF-8"?>\n<R xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><A>x&lt;y</A><L/></R>',
  );
});
