import { deepStrictEqual as eq, throws } from "node:assert/strict";
import { canonicalRoute53Value } from "../lib/route53.ts";
import { parseRdata, parseZone } from "../lib/zones.ts";

/** The values of the single set a one-record zone file gives. */
function zoneValue(type: string, rdata: string): string {
  const r = parseZone(`$TTL 60\nx ${type} ${rdata}\n`, { zone: "shop.test" });
  eq(r.errors, [], JSON.stringify(r.errors));
  return r.rrsets[0]?.values.join("|") ?? "";
}

function zoneError(type: string, rdata: string): string {
  const r = parseZone(`$TTL 60\nx ${type} ${rdata}\n`, { zone: "shop.test" });
  return r.errors.map((e) => e.message).join("|");
}

Deno.test("canonicalRoute53Value() keeps canonical A and compresses AAAA lower-case", () => {
  eq(canonicalRoute53Value("A", "192.0.2.1"), "192.0.2.1");
  eq(canonicalRoute53Value("AAAA", "2001:0DB8:0000:0:0:0:0:0001"), "2001:db8::1");
  eq(canonicalRoute53Value("AAAA", "2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");
  eq(canonicalRoute53Value("AAAA", "::FFFF:192.0.2.1"), "::ffff:192.0.2.1");
  eq(canonicalRoute53Value("AAAA", "1:0:0:2:0:0:0:3"), "1:0:0:2::3");
  throws(() => canonicalRoute53Value("A", "192.0.2"), SyntaxError);
  throws(() => canonicalRoute53Value("AAAA", "1::2::3"), SyntaxError);
});

Deno.test("canonicalRoute53Value() qualifies and lower-cases names, reads \\052 and octal", () => {
  eq(canonicalRoute53Value("CNAME", "WWW.Shop.test"), "www.shop.test.");
  eq(canonicalRoute53Value("CNAME", "\\052.shop.test."), "*.shop.test.");
  eq(canonicalRoute53Value("PTR", "a\\040b.test"), "a\\040b.test.");
  eq(canonicalRoute53Value("NS", "NS1.Example.NET"), "ns1.example.net.");
  eq(canonicalRoute53Value("MX", "10 MAIL.shop.test"), "10 mail.shop.test.");
  eq(canonicalRoute53Value("SRV", "10 5 80 Host.shop.test"), "10 5 80 host.shop.test.");
});

Deno.test("canonicalRoute53Value() splits adjacent TXT strings and keeps octal escapes", () => {
  eq(canonicalRoute53Value("TXT", '"a""b"'), '"a" "b"');
  eq(
    canonicalRoute53Value("TXT", '"v=spf1 ip4:192.0.2.0/24 "" ip4:198.51.100.0/24 -all"'),
    '"v=spf1 ip4:192.0.2.0/24 " " ip4:198.51.100.0/24 -all"',
  );
  eq(canonicalRoute53Value("TXT", '"ex\\344mple"'), '"ex\\344mple"');
  eq(canonicalRoute53Value("TXT", '"\\101"'), '"A"'); // octal 101, not decimal
  eq(canonicalRoute53Value("TXT", '"a\\"b\\\\c"'), '"a\\"b\\\\c"');
  eq(canonicalRoute53Value("TXT", '"a\\040b"'), '"a b"'); // space is written plainly
  eq(canonicalRoute53Value("SPF", '"v=spf1 -all"'), '"v=spf1 -all"');
  eq(canonicalRoute53Value("TXT", '""'), '""');
  throws(() => canonicalRoute53Value("TXT", `"${"x".repeat(256)}"`), /256 bytes is over 255/);
});

Deno.test("canonicalRoute53Value() reads CAA, NAPTR, DS, SSHFP, TLSA", () => {
  eq(canonicalRoute53Value("CAA", '0 issue "ca.example.net"'), '0 issue "ca.example.net"');
  eq(canonicalRoute53Value("CAA", '128 Issue "a;b"'), '128 Issue "a;b"');
  eq(
    canonicalRoute53Value(
      "NAPTR",
      '100 50 "u" "E2U+sip" "!^(\\\\+441632960083)$!sip:\\\\1@example.com!" .',
    ),
    '100 50 "u" "E2U+sip" "!^(\\\\+441632960083)$!sip:\\\\1@example.com!" .',
  );
  eq(canonicalRoute53Value("DS", "123 4 5 1234567890abcdef"), "123 4 5 1234567890ABCDEF");
  const sha1 = "0123456789abcdef0123456789abcdef01234567";
  eq(canonicalRoute53Value("SSHFP", `1 1 ${sha1}`), `1 1 ${sha1.toUpperCase()}`);
  const sha256 = "ab".repeat(32);
  eq(canonicalRoute53Value("TLSA", `3 1 1 ${sha256}`), `3 1 1 ${sha256.toUpperCase()}`);
  throws(() => canonicalRoute53Value("DS", "1 8 2 abcd"), /needs 32 bytes/);
});

Deno.test("canonicalRoute53Value() orders SVCB/HTTPS parameters by key number", () => {
  eq(
    canonicalRoute53Value(
      "HTTPS",
      "1 . port=443 alpn=h3,h2 ipv6hint=2001:DB8::0:1 mandatory=port,alpn",
    ),
    '1 . mandatory=alpn,port alpn="h3,h2" port=443 ipv6hint=2001:db8::1',
  );
  eq(canonicalRoute53Value("SVCB", "0 Svc.Shop.test"), "0 svc.shop.test.");
  eq(
    canonicalRoute53Value("HTTPS", '1 . key1="h2" key65000="x" ech=AAAA'),
    '1 . alpn="h2" ech=AAAA key65000="x"',
  );
  throws(() => canonicalRoute53Value("HTTPS", "1 . mandatory=port"), /not given/);
  throws(() => canonicalRoute53Value("HTTPS", "1 . port=1 port=2"), /twice/);
  throws(() => canonicalRoute53Value("HTTPS", "1 . no-default-alpn"), /needs an alpn/);
});

Deno.test("zone RDATA: TXT decimal escapes become octal, UTF-8 becomes octal bytes", () => {
  eq(zoneValue("TXT", '"a\\255" "\\"q\\"" b'), '"a\\377" "\\"q\\"" "b"');
  eq(zoneValue("TXT", '"café"'), '"caf\\303\\251"');
  eq(zoneValue("TXT", '"tab\\009x"'), '"tab\\011x"');
  eq(zoneValue("TXT", '"a;b" ( "c" )'), '"a;b" "c"');
});

Deno.test("zone RDATA: relative names in values take the origin", () => {
  eq(zoneValue("MX", "10 mail"), "10 mail.shop.test.");
  eq(zoneValue("SRV", "0 5 5060 sip"), "0 5 5060 sip.shop.test.");
  eq(zoneValue("CNAME", "@"), "shop.test.");
  eq(zoneValue("NAPTR", '10 20 "U" "E2U+sip" "" sip'), '10 20 "U" "E2U+sip" "" sip.shop.test.');
  eq(zoneValue("HTTPS", "1 svc alpn=h2"), '1 svc.shop.test. alpn="h2"');
});

Deno.test("zone RDATA: hex may be split by blanks and is written upper-case", () => {
  eq(
    zoneValue("DS", "60485 5 1 ( 2BB183AF5F22588179A53B0A 98631FAD1A292118 )"),
    "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118",
  );
  eq(
    zoneValue("SSHFP", "4 2 " + "cd".repeat(16) + " " + "ef".repeat(16)),
    "4 2 " + "CD".repeat(16) + "EF".repeat(16),
  );
});

Deno.test("zone RDATA: SOA timers take TTL units; CAA keeps tag case", () => {
  const r = parseZone("@ 60 SOA ns.x. h.x. 1 1h 15m 2w 5m\nsub 60 SOA a. b. 1 2 3 4 5\n", {
    zone: "shop.test",
  });
  eq(r.errors.map((e) => e.line), [2]); // SOA below the apex
  eq(zoneValue("CAA", "0 Issue ca.example.net"), '0 Issue "ca.example.net"');
});

Deno.test("zone RDATA: the generic \\# form is read for A, AAAA, TXT and the others", () => {
  eq(zoneValue("A", "\\# 4 C0000201"), "192.0.2.1");
  eq(zoneValue("TYPE1", "\\# 4 C0000201"), "192.0.2.1");
  eq(zoneValue("AAAA", "\\# 16 20010db8000000000000000000000001"), "2001:db8::1");
  eq(zoneValue("TXT", "\\# 5 0261620163"), '"ab" "c"');
  eq(zoneError("A", "\\# 3 C00002"), "generic RDATA of 3 bytes is not an IPv4 address");
  eq(zoneValue("MX", "\\# 3 000a00"), "10 .");
});

Deno.test("zone RDATA: malformed data gets messages naming the problem", () => {
  eq(zoneError("A", "1.2.3.4 5.6.7.8"), 'unexpected "5.6.7.8" after the A data');
  eq(zoneError("MX", "10"), "MX needs 2 fields, got 1");
  eq(zoneError("SRV", "1 2 70000 x."), 'SRV port "70000" is above 65535');
  eq(zoneError("CAA", "256 issue x"), 'CAA flags "256" is above 255');
  eq(zoneError("CAA", "0 is-sue x"), 'CAA tag "is-sue" must be 1-15 letters or digits');
  eq(zoneError("DS", "1 8 2 XYZ"), 'DS digest "XYZ" is not an even number of hex digits');
  eq(zoneError("TXT", ""), "TXT needs at least one string");
  eq(zoneError("HTTPS", "1 . foo=1"), 'unknown SVCB parameter "foo"');
});

Deno.test("zone RDATA: generic \\# data of each type reads to the usual form's canonical value", () => {
  eq(zoneValue("CNAME", "\\# 16 06546172676574074578616D706C6500"), "target.example.");
  eq(zoneValue("MX", "\\# 16 000A046D61696C076578616D706C6500"), "10 mail.example.");
  eq(zoneValue("SRV", "\\# 19 0001000A01BB03737276076578616D706C6500"), "1 10 443 srv.example.");
  eq(zoneValue("CAA", "\\# 17 0005697373756563612E6578616D706C65"), '0 issue "ca.example"');
  eq(zoneValue("DS", "\\# 24 30390D01" + "00".repeat(20)), "12345 13 1 " + "00".repeat(20));
  // an SOA is read only at the apex, where the zone drops it: read its data directly
  eq(
    parseRdata(
      "SOA",
      [
        "\\#",
        "44",
        "026E73076578616D706C6500" + "02686D076578616D706C6500" +
        "0000000100001C200000038400127500" + "0000012C",
      ],
      0,
      3,
      "shop.test.",
      false,
    ),
    "ns.example. hm.example. 1 7200 900 1209600 300",
  );
  eq(zoneValue("CNAME", "\\# 15 05612E622063076578616D706C6500"), "a\\056b\\040c.example.");
  eq(zoneValue("TYPE65", "\\# 9 0001000003000201BB"), "1 . port=443");
  eq(zoneValue("TYPE64", "\\# 3 000100"), "1 .");
});

Deno.test("zone RDATA: generic \\# data that is not valid for its type is refused", () => {
  eq(
    zoneError("CNAME", "\\# 6 03777777C00C"),
    "generic CNAME RDATA has a compressed name: write the name uncompressed (RFC 3597)",
  );
  eq(zoneError("MX", "\\# 4 000A0000"), "generic MX RDATA has 1 bytes after the MX data");
  eq(zoneError("MX", "\\# 4 000A0161"), "generic MX RDATA ends inside the exchange");
  eq(
    zoneError("SVCB", "\\# 16 00010000030002 01BB00010003026832"),
    "generic SVCB parameters must be in increasing key order: alpn follows port",
  );
  eq(zoneError("SVCB", "\\# 7 00010000030001"), "generic SVCB RDATA ends inside the port value");
  eq(zoneError("SVCB", "\\# 8 0001000003000150"), "generic SVCB port of 1 bytes: it needs 2");
});
