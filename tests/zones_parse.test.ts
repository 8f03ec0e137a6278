import { deepStrictEqual as eq, ok } from "node:assert/strict";
import { parseZone, type ZoneParseResult } from "../lib/zones.ts";
import { assertParses, parsedSets, setLines } from "../testing/zone_sets.ts";

function parse(text: string, zone = "shop.test"): ZoneParseResult {
  return parseZone(text, { zone });
}

function errors(text: string): string[] {
  return parse(text).errors.map((e) => `${e.line}: ${e.message}`);
}

Deno.test("parseZone() reads owner, TTL, class and type with relative and absolute names", () => {
  assertParses("$TTL 300\nwww A 192.0.2.1\nMail.Shop.Test. 60 IN A 192.0.2.2\n", [
    "mail.shop.test. A 60 192.0.2.2",
    "www.shop.test. A 300 192.0.2.1",
  ]);
});

Deno.test("parseZone() accepts class and TTL in either order, both optional", () => {
  assertParses(
    "$TTL 5\na 10 IN A 192.0.2.1\nb IN 20 A 192.0.2.1\nc IN A 192.0.2.1\nd 30 A 192.0.2.1",
    [
      "a.shop.test. A 10 192.0.2.1",
      "b.shop.test. A 20 192.0.2.1",
      "c.shop.test. A 5 192.0.2.1",
      "d.shop.test. A 30 192.0.2.1",
    ],
  );
});

Deno.test("parseZone() reads TTL units like BIND (1h30m, 2w, 1H1h)", () => {
  assertParses(
    "$TTL 1d\na 1h30m A 192.0.2.1\nb 2W A 192.0.2.1\nc 1H1h A 192.0.2.1\nd A 192.0.2.1",
    [
      "a.shop.test. A 5400 192.0.2.1",
      "b.shop.test. A 1209600 192.0.2.1",
      "c.shop.test. A 7200 192.0.2.1",
      "d.shop.test. A 86400 192.0.2.1",
    ],
  );
});

Deno.test("parseZone() uses the previous explicit TTL when there is no $TTL (RFC 1035)", () => {
  assertParses("a 700 A 192.0.2.1\nb A 192.0.2.2\nc 600 A 192.0.2.3\nd A 192.0.2.4", [
    "a.shop.test. A 700 192.0.2.1",
    "b.shop.test. A 700 192.0.2.2",
    "c.shop.test. A 600 192.0.2.3",
    "d.shop.test. A 600 192.0.2.4",
  ]);
});

Deno.test("parseZone() keeps $TTL as default after an explicit TTL", () => {
  assertParses("$TTL 100\na 600 A 192.0.2.1\nb A 192.0.2.2", [
    "a.shop.test. A 600 192.0.2.1",
    "b.shop.test. A 100 192.0.2.2",
  ]);
});

Deno.test("parseZone() takes an SOA without TTL's MINIMUM as default TTL, as BIND does", () => {
  const r = parse("@ IN SOA ns.x. h.x. 1 2 3 4 500\na A 192.0.2.1\nb 600 A 192.0.2.1\nc A 1.2.3.4");
  eq(r.errors, []);
  eq(setLines(r), [
    "a.shop.test. A 500 192.0.2.1",
    "b.shop.test. A 600 192.0.2.1",
    "c.shop.test. A 500 1.2.3.4",
  ]);
  eq(r.warnings.map((w) => w.line), [1]);
});

Deno.test("parseZone() reports a record without any TTL source", () => {
  eq(errors("www A 192.0.2.1"), [
    "1: no TTL for this record: add a $TTL line at the top or a TTL to this record",
  ]);
});

Deno.test("parseZone() rejects TTLs above 2147483647 and bad TTL text", () => {
  eq(errors("$TTL 2147483648\na 2147483648 A 192.0.2.1\nb 2147483647 A 192.0.2.1\n$TTL 5x"), [
    "1: $TTL 2147483648 is out of range 0..2147483647",
    "2: TTL 2147483648 is out of range 0..2147483647",
    '4: bad $TTL "5x": write seconds or units like 1h30m',
  ]);
});

Deno.test("parseZone() joins lines in parentheses and ignores comments outside quotes", () => {
  assertParses(
    `$TTL 60
@ IN SOA ns.x. h.x. ( 1 ; serial
   2 3 ; timers
   4 5 )
txt TXT ( "a;b" ; comment
  "c" )
`,
    ['txt.shop.test. TXT 60 "a;b" "c"'],
  );
});

Deno.test("parseZone() gives a blank owner the previous owner and reads @ as the origin", () => {
  assertParses("$TTL 60\n@ A 192.0.2.1\n  TXT x\nwww A 192.0.2.2\n\tAAAA ::1", [
    "shop.test. A 60 192.0.2.1",
    'shop.test. TXT 60 "x"',
    "www.shop.test. A 60 192.0.2.2",
    "www.shop.test. AAAA 60 ::1",
  ]);
});

Deno.test("parseZone() applies $ORIGIN, relative to the current origin too", () => {
  assertParses(
    "$TTL 60\n$ORIGIN sub\nwww A 192.0.2.1\n$ORIGIN deeper\nx CNAME www\n" +
      "$ORIGIN shop.test.\ny A 192.0.2.3",
    [
      "x.deeper.sub.shop.test. CNAME 60 www.deeper.sub.shop.test.",
      "www.sub.shop.test. A 60 192.0.2.1",
      "y.shop.test. A 60 192.0.2.3",
    ],
  );
});

Deno.test("parseZone() reads escapes in owner names: \\DDD is decimal, output octal", () => {
  assertParses("$TTL 60\na\\.b\\032c A 192.0.2.1\n\\042.x A 192.0.2.1\nX\\065 A 192.0.2.1", [
    "a\\056b\\040c.shop.test. A 60 192.0.2.1",
    "*.x.shop.test. A 60 192.0.2.1",
    "xa.shop.test. A 60 192.0.2.1",
  ]);
});

Deno.test("parseZone() drops apex SOA and NS but keeps delegations", () => {
  assertParses("$TTL 60\n@ SOA ns.x. h.x. 1 2 3 4 5\n@ NS ns1.x.\n@ NS ns2.x.\nsub NS ns1.sub\n", [
    "sub.shop.test. NS 60 ns1.sub.shop.test.",
  ]);
});

Deno.test("parseZone() merges identical records and sorts values", () => {
  assertParses("$TTL 60\na A 192.0.2.9\na A 192.0.2.1\na A 192.0.2.9\n", [
    "a.shop.test. A 60 192.0.2.1|192.0.2.9",
  ]);
});

Deno.test("parseZone() takes the first TTL of a set and warns about the others", () => {
  const r = parse("a 60 A 192.0.2.1\na 120 A 192.0.2.2\n");
  eq(setLines(r), ["a.shop.test. A 60 192.0.2.1|192.0.2.2"]);
  eq(r.warnings.map((w) => w.line), [2]);
  ok(r.warnings[0]?.message.includes("using 60"));
});

Deno.test("parseZone() sorts sets in Route 53 listing order", () => {
  eq(
    parsedSets(
      "$TTL 1\na A 192.0.2.1\na-b A 192.0.2.1\nb.a TXT x\nb.a A 192.0.2.1\n* A 192.0.2.1\n1 A 192.0.2.1\n_x A 192.0.2.1\n@ A 192.0.2.1",
    )
      .map((s) => s.split(" ").slice(0, 2).join(" ")),
    [
      "shop.test. A",
      "1.shop.test. A",
      "*.shop.test. A",
      "_x.shop.test. A",
      "a-b.shop.test. A",
      "a.shop.test. A",
      "b.a.shop.test. A",
      "b.a.shop.test. TXT",
    ],
  );
});

Deno.test("parseZone() reports names outside the zone, label-wise", () => {
  eq(errors("$TTL 1\nwww.notshop.test. A 192.0.2.1\nok A 192.0.2.1"), [
    "2: www.notshop.test. is outside the zone shop.test.: Route 53 cannot hold it in this zone",
  ]);
});

Deno.test("parseZone() reports labels over 63 and names over 255 octets", () => {
  const long = "a".repeat(64);
  const name = Array(5).fill("b".repeat(60)).join(".");
  const e = errors(
    `$TTL 1\n${long} A 192.0.2.1\n${name} A 192.0.2.1\n${"c".repeat(63)} A 192.0.2.1`,
  );
  eq(e.length, 2);
  ok(e[0]?.startsWith("2: bad owner name: label of 64 octets"));
  ok(e[1]?.startsWith("3: bad owner name: name "));
  ok(e[1]?.includes("the limit is 255"));
});

Deno.test("parseZone() reports CNAME beside other data on the later line, and at the apex", () => {
  eq(errors("$TTL 1\nw CNAME x.\nw A 192.0.2.1\n@ CNAME y.\nv A 192.0.2.1\nv CNAME z."), [
    "3: A record beside the CNAME at w.shop.test. (line 2): a CNAME allows no other data at its name",
    "4: CNAME at the zone apex: Route 53 cannot hold it (use an A/AAAA record, or for a " +
    "load balancer, CloudFront or S3 website an alias: `@ AWS ALIAS A <target> <hosted-zone-id> false`)",
    "6: CNAME at v.shop.test. beside its A record (line 5): a CNAME allows no other data at its name",
  ]);
});

Deno.test("parseZone() reports a second CNAME at a name on its line, but merges a repeat", () => {
  eq(errors("$TTL 1\nw CNAME x.\nw CNAME x.\nw CNAME y."), [
    "4: a second CNAME record at w.shop.test. (the first is on line 2): only one is allowed",
  ]);
});

Deno.test("parseZone() reads CLASS1 as IN and refuses other classes", () => {
  assertParses("$TTL 1\na CLASS1 A 192.0.2.1", ["a.shop.test. A 1 192.0.2.1"]);
  eq(errors("$TTL 1\na CH A 192.0.2.1"), [
    "2: class CH is not supported: Route 53 zones are IN",
  ]);
});

Deno.test("parseZone() reports character-strings over 255 bytes", () => {
  eq(errors(`$TTL 1\nt TXT "${"x".repeat(256)}"\nu TXT "${"x".repeat(255)}"`), [
    "2: TXT string of 256 bytes is over 255: split it into several quoted strings",
  ]);
});

Deno.test("parseZone() reports unbalanced parentheses and unterminated quotes", () => {
  eq(errors('$TTL 1\nt TXT "abc\nu A 192.0.2.1 )\nv A 192.0.2.1'), [
    "2: unterminated quoted string: add the closing '\"' on this line",
    '3: unbalanced parentheses: ")" without "("',
  ]);
  eq(errors("$TTL 1\nt TXT ( a\nu A 192.0.2.1"), [
    '2: unbalanced parentheses: "(" on line 2 is never closed',
  ]);
});

Deno.test("parseZone() names unsupported types and says Route 53 cannot host them", () => {
  eq(
    errors("$TTL 1\na LOC 1 2 3 N 4 5 6 E 7m\nb HINFO x y\nc RP a. b.\nd TYPE65280 \\# 0\ne FOO x"),
    [
      "2: record type LOC is not one Route 53 can host: remove this record",
      "3: record type HINFO is not one Route 53 can host: remove this record",
      "4: record type RP is not one Route 53 can host: remove this record",
      "5: record type TYPE65280 is not one Route 53 can host: remove this record",
      '6: unknown record type "FOO": Route 53 hosts A AAAA CAA CNAME DS HTTPS MX NAPTR NS PTR SOA SPF SRV SSHFP SVCB TLSA TXT',
    ],
  );
});

Deno.test("parseZone() refuses $INCLUDE and unknown directives", () => {
  eq(errors("$INCLUDE /etc/passwd\n$FOO x"), [
    "1: $INCLUDE is not allowed: zone files come from untrusted repositories; put the records in this file",
    "2: unknown directive $FOO",
  ]);
});

Deno.test("parseZone() reports malformed addresses and numbers with their line", () => {
  eq(errors("$TTL 1\na A 01.2.3.4\nb A 1.2.3\nc AAAA 1::2::3\nd MX 65536 x.\ne MX ten x."), [
    '2: "01.2.3.4" is not an IPv4 address: write four numbers 0-255 without leading zeros',
    '3: "1.2.3" is not an IPv4 address: write four numbers 0-255 without leading zeros',
    '4: "1::2::3" is not an IPv6 address',
    '5: MX preference "65536" is above 65535',
    '6: MX preference "ten" is not a number 0-65535',
  ]);
});

Deno.test("parseZone() reports more values in a set than the limit", () => {
  const lines = ["$TTL 1"];
  for (let i = 0; i < 5; i++) lines.push(`a A 192.0.2.${i}`);
  const r = parseZone(lines.join("\n"), { zone: "shop.test", limits: { maxValuesPerSet: 4 } });
  eq(r.errors, [{
    line: 2,
    message: "A set at a.shop.test. has 5 values; Route 53 allows 4",
  }]);
});

Deno.test("parseZone() reports more record sets than the limit, once", () => {
  const lines = ["$TTL 1"];
  for (let i = 0; i < 6; i++) lines.push(`h${i} A 192.0.2.1`);
  const r = parseZone(lines.join("\n"), { zone: "shop.test", limits: { maxRecordSets: 4 } });
  eq(r.errors.length, 1);
  ok(r.errors[0]?.message.startsWith("more than 4 record sets"));
});

Deno.test("parseZone() refuses a file over the byte limit without reading it", () => {
  const r = parseZone("$TTL 1\na A 192.0.2.1\n", { zone: "shop.test", limits: { maxBytes: 10 } });
  eq(r.rrsets, []);
  eq(r.errors, [{ line: 0, message: "file is 21 bytes; the limit is 10" }]);
});

Deno.test("parseZone() collects every error of a file in line order", () => {
  const e = errors("$TTL 1\na A x\nb AAAA y\nc MX 1\n");
  eq(e.map((x) => x.split(":")[0]), ["2", "3", "4"]);
});

Deno.test("parseZone() returns the zone as given, lower-case, without trailing dot", () => {
  eq(parseZone("", { zone: "Shop.Test." }).zone, "shop.test");
});

Deno.test("parseZone() counts escaped newlines as lines", () => {
  eq(errors('$TTL 1\nt TXT "a\\\nb"\nu A x'), [
    '4: "x" is not an IPv4 address: write four numbers 0-255 without leading zeros',
  ]);
  eq(errors("$TTL 1\nt TXT a\\\nb\nu A x"), [
    '4: "x" is not an IPv4 address: write four numbers 0-255 without leading zeros',
  ]);
});

Deno.test("parseZone() reads a repeated owner again after $ORIGIN changes", () => {
  assertParses("$TTL 1\nw A 192.0.2.1\n$ORIGIN sub.shop.test.\nw A 192.0.2.2", [
    "w.sub.shop.test. A 1 192.0.2.2",
    "w.shop.test. A 1 192.0.2.1",
  ]);
});

Deno.test("parseZone() ignores a UTF-8 byte-order mark at the start", () => {
  assertParses("\ufeff$TTL 1\nw A 192.0.2.1", ["w.shop.test. A 1 192.0.2.1"]);
});

Deno.test("parseZone() reports a TXT value over Route 53's 4000 characters", () => {
  const s = `"${"x".repeat(250)}" `.repeat(16).trim(); // 16 * 253 - 1 = 4047 characters
  eq(errors(`$TTL 1\nt TXT ${s}`), [
    "2: TXT value of 4047 characters is over Route 53's 4000",
  ]);
});

Deno.test("parseZone() reports wildcard NS, DS at the apex and SOA below it", () => {
  eq(errors("$TTL 1\n*.d NS ns.x.\n@ DS 1 8 2 " + "ab".repeat(32) + "\nsub SOA a. b. 1 2 3 4 5"), [
    "2: NS records cannot be wildcards in Route 53",
    "3: DS record at the zone apex: it belongs in the parent zone",
    "4: SOA record not at the zone apex shop.test.",
  ]);
});

Deno.test("parseZone() warns when a blank owner follows $ORIGIN (it keeps the old owner)", () => {
  const r = parse('$TTL 1\nfoo A 192.0.2.1\n$ORIGIN sub.shop.test.\n  TXT "x"\n');
  eq(setLines(r), ["foo.shop.test. A 1 192.0.2.1", 'foo.shop.test. TXT 1 "x"']);
  eq(r.warnings.map((w) => w.line), [4]);
});
