/**
 * cli53's alias lines in BIND zone files: the syntax, the canonical alias set, every
 * error with its line, and writing alias sets back (formatZone) so they parse the same.
 */
import assert from "node:assert/strict";
import { formatZone, parseZone, recordSetJson } from "../lib/zones.ts";

const Z = { zone: "shop.test" };

function errors(text: string): string[] {
  return parseZone(text, Z).errors.map((e) => `${e.line}: ${e.message}`);
}

Deno.test("parseZone() reads cli53's AWS ALIAS lines into alias sets", () => {
  const r = parseZone(
    `$TTL 300
@ AWS ALIAS A dualstack.My-LB-1234.us-east-1.elb.amazonaws.com. Z35SXDOTRQ7X7K false
www AWS ALIAS A @ $self false
cdn IN aws alias AAAA d123.cloudfront.net. Z2FDTNDATAQYW2 FALSE
@ AAAA 2001:db8::1
`,
    Z,
  );
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(r.rrsets, [
    {
      name: "shop.test.",
      type: "A",
      ttl: 0,
      values: [],
      alias: {
        target: "dualstack.my-lb-1234.us-east-1.elb.amazonaws.com.",
        zoneId: "Z35SXDOTRQ7X7K",
        evaluateTargetHealth: false,
      },
    },
    { name: "shop.test.", type: "AAAA", ttl: 300, values: ["2001:db8::1"] },
    {
      name: "cdn.shop.test.",
      type: "AAAA",
      ttl: 0,
      values: [],
      alias: {
        target: "d123.cloudfront.net.",
        zoneId: "Z2FDTNDATAQYW2",
        evaluateTargetHealth: false,
      },
    },
    {
      name: "www.shop.test.",
      type: "A",
      ttl: 0,
      values: [],
      alias: { target: "shop.test.", zoneId: "$self", evaluateTargetHealth: false },
    },
  ]);
});

Deno.test("parseZone() resolves a relative alias target against $ORIGIN and lets a $self alias target an alias", () => {
  const r = parseZone(
    `$TTL 60
$ORIGIN eu.shop.test.
web A 192.0.2.1
front AWS ALIAS A web $self true
edge AWS ALIAS A front $self false
`,
    Z,
  );
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.rrsets.map((s) => [s.name, s.alias?.target ?? null]), [
    ["edge.eu.shop.test.", "front.eu.shop.test."],
    ["front.eu.shop.test.", "web.eu.shop.test."],
    ["web.eu.shop.test.", null],
  ]);
  assert.equal(r.rrsets[1]?.alias?.evaluateTargetHealth, true);
});

Deno.test("parseZone() ignores the TTL of an alias line with a warning", () => {
  const r = parseZone("w 3600 AWS ALIAS A d1.cloudfront.net. Z2FDTNDATAQYW2 false\n", Z);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings, [{
    line: 1,
    message: "the TTL of an alias line is ignored: Route 53 aliases carry none",
  }]);
  assert.equal(r.rrsets[0]?.ttl, 0);
});

Deno.test("parseZone() names the file's line for each alias error", () => {
  assert.deepEqual(
    errors(`$TTL 300
www A 192.0.2.1
www AWS ALIAS A @ $self false
a AWS ALIAS NS x.test. Z35SXDOTRQ7X7K false
b AWS ALIAS A x.test. z35sx false
c AWS ALIAS A x.test. Z35SXDOTRQ7X7K maybe
d AWS ALIAS A x.test. Z35SXDOTRQ7X7K
e AWS ALIAS A nowhere $self false
@ AWS ALIAS CNAME d1.cloudfront.net. Z2FDTNDATAQYW2 false
f AWS ALIAS A d1.cloudfront.net. Z2FDTNDATAQYW2 true
g AWS ALIAS A h $self false
h AWS ALIAS A g $self false
i AWS ALIAS A d1.cloudfront.net. Z2FDTNDATAQYW2 false
i AWS ALIAS A d2.cloudfront.net. Z2FDTNDATAQYW2 false
j AWS ALIAS A www.other.test. $self false
k AWS ALIAS AAAA www $self false
`),
    [
      "3: A alias at www.shop.test. beside the A records on line 2: a name and type is either an alias or plain records; remove one",
      "4: alias type NS is not one Route 53 allows; use one of A, AAAA, CAA, CNAME, MX, NAPTR, PTR, SPF, SRV, TXT",
      '5: bad hosted zone id "z35sx": write the target\'s hosted zone id (Z and capital letters or digits, e.g. Z2FDTNDATAQYW2 for CloudFront) or $self for this zone',
      '6: bad evaluate-target-health flag "maybe": write true or false',
      "7: an alias line needs 4 fields after AWS ALIAS, not 3: write `name [ttl] [IN] AWS ALIAS <type> <target> <hosted-zone-id|$self> <true|false>`",
      "8: the $self alias target nowhere.shop.test. has no A records in this file: add them, or point the alias at a name that has them",
      "9: CNAME alias at the zone apex: Route 53 refuses it; write `@ AWS ALIAS A <target> <hosted-zone-id> false` (and AAAA) instead",
      "10: an alias to CloudFront cannot evaluate target health (Route 53 refuses it): write false",
      "11: the A alias at g.shop.test. leads back to itself through $self targets: point one of them at plain records",
      "12: the A alias at h.shop.test. leads back to itself through $self targets: point one of them at plain records",
      "14: A alias at i.shop.test. repeats the A alias on line 13: a name and type takes one alias; remove one",
      "15: the $self alias target www.other.test. is outside the zone shop.test.: write a name in this zone, or the target's hosted zone id instead of $self",
      "16: the $self alias target www.shop.test. has no AAAA records in this file: add them, or point the alias at a name that has them",
    ],
  );
});

Deno.test("parseZone() refuses plain records after an alias of the same name and type", () => {
  assert.deepEqual(
    errors("$TTL 1\nw AWS ALIAS A d1.cloudfront.net. Z2FDTNDATAQYW2 false\nw A 192.0.2.1\n"),
    [
      "3: A record at w.shop.test. beside the A alias on line 2: a name and type is either an alias or plain records; remove one",
    ],
  );
});

Deno.test("the legacy format has no alias lines", () => {
  const r = parseZone("+www.shop.test:192.0.2.1\n", Z);
  assert.equal(r.format, "legacy");
  assert.equal(r.rrsets.some((s) => s.alias !== undefined), false);
});

Deno.test("recordSetJson() shows an alias set as {name, type, alias}", () => {
  const [alias, plain] = parseZone("$TTL 5\n@ A 192.0.2.1\nw AWS ALIAS A @ $self false\n", Z).rrsets
    .reverse();
  assert.deepEqual(recordSetJson(alias!), {
    name: "w.shop.test.",
    type: "A",
    alias: { target: "shop.test.", zoneId: "$self", evaluateTargetHealth: false },
  });
  assert.deepEqual(recordSetJson(plain!), {
    name: "shop.test.",
    type: "A",
    ttl: 5,
    values: ["192.0.2.1"],
  });
});

Deno.test("formatZone() writes alias sets as AWS ALIAS lines that parse back unchanged", () => {
  const text = `$TTL 300
@ AWS ALIAS A dualstack.my-lb-1234.us-east-1.elb.amazonaws.com. Z35SXDOTRQ7X7K true
www AWS ALIAS A @ $self false
*.w AWS ALIAS A @ $self false
@ AAAA 2001:db8::1
`;
  const sets = parseZone(text, Z).rrsets;
  const written = formatZone("shop.test", sets);
  assert.match(
    written,
    /^shop\.test\. AWS ALIAS A dualstack\.my-lb-1234\.us-east-1\.elb\.amazonaws\.com\. Z35SXDOTRQ7X7K true$/m,
  );
  assert.match(written, /^www\.shop\.test\. AWS ALIAS A shop\.test\. \$self false$/m);
  const again = parseZone(written, Z);
  assert.deepEqual(again.errors, []);
  assert.deepEqual(again.rrsets, sets);
});
