import { deepStrictEqual as eq, ok } from "node:assert/strict";
import { detectFormat } from "../lib/zones.ts";
import { parseZone } from "../lib/zones.ts";
import { setLines } from "../testing/zone_sets.ts";

Deno.test("legacy: the fully qualified example of the format's description", () => {
  const text = `# mail for the domain goes to mail.example.com, priority 10, TTL one hour
@example.com:mail.example.com:10:3600
+mail.example.com:192.0.2.25:3600
6mail.example.com:20010db8000000000000000000000025:3600
Cwebmail.example.com:mail.example.com:3600
Texample.com:"v=spf1 mx -all":3600
+example.com:192.0.2.80
+www.example.com:192.0.2.80
_xmpp._tcp.example.com:chat.example.com:5222:3600
!example.com:0:issue:letsencrypt.org
`;
  const r = parseZone(text, { zone: "example.com" });
  eq(r.format, "legacy");
  eq(r.errors, []);
  eq(setLines(r), [
    "example.com. A 300 192.0.2.80",
    'example.com. CAA 300 0 issue "letsencrypt.org"',
    "example.com. MX 3600 10 mail.example.com.",
    'example.com. TXT 3600 "v=spf1 mx -all"',
    "_xmpp._tcp.example.com. SRV 3600 1 10 5222 chat.example.com.",
    "mail.example.com. A 3600 192.0.2.25",
    "mail.example.com. AAAA 3600 2001:db8::25",
    "webmail.example.com. CNAME 3600 mail.example.com.",
    "www.example.com. A 300 192.0.2.80",
  ]);
});

Deno.test("legacy: the unqualified example gives what the format's description says", () => {
  const text = `@:mail.example.net:15
+:192.0.2.81:300
+www:192.0.2.81:300
6www:20010db8000000000000000000000081:300
Texample:"v=spf1 ip4:192.0.2.0/24 ?all":300
`;
  const r = parseZone(text, { zone: "example.net" });
  eq(r.errors, []);
  eq(setLines(r), [
    "example.net. A 300 192.0.2.81",
    "example.net. MX 300 15 mail.example.net.",
    'example.example.net. TXT 300 "v=spf1 ip4:192.0.2.0/24 ?all"',
    "www.example.net. A 300 192.0.2.81",
    "www.example.net. AAAA 300 2001:db8::81",
  ]);
});

Deno.test("legacy: long TXT (a DKIM key) is split into 255-byte strings", () => {
  const key = "k".repeat(300);
  const r = parseZone(`Tsel._domainkey:"v=DKIM1; p=${key}"\n`, { zone: "shop.test" });
  eq(r.errors, []);
  const value = r.rrsets[0]?.values[0] ?? "";
  const full = `v=DKIM1; p=${key}`;
  eq(value, `"${full.slice(0, 255)}" "${full.slice(255)}"`);
});

Deno.test("legacy: MX priority defaults to 15; tinydns' name:ip:x:dist:ttl form is an error", () => {
  const r = parseZone("@:mx2.shop.test:20:600\n@:mx3::600\n@:192.0.2.5:mx4:20:600\n", {
    zone: "shop.test",
  });
  eq(r.errors.map((e) => e.line), [3]);
  eq(setLines(r), ["shop.test. MX 600 15 mx3.|20 mx2.shop.test."]);
});

Deno.test("legacy: CAA value is quoted when written without quotes; quoted kept", () => {
  const r = parseZone('!:0:issue:ca.test\n!:0:iodef:"mailto:a@shop.test"\n', { zone: "shop.test" });
  eq(r.errors, []);
  eq(setLines(r), ['shop.test. CAA 300 0 iodef "mailto:a@shop.test"|0 issue "ca.test"']);
});

Deno.test("legacy: errors name the line: unknown type character, bad fields, bad TTL", () => {
  const r = parseZone(
    "+www:192.0.2.1\nXfoo:bar\n+a:999.0.0.1\n6b:2001\n+c:192.0.2.1:99999999999\nTd:no quotes\n+x.other.test.:192.0.2.1\n",
    { zone: "shop.test" },
  );
  eq(r.errors.map((e) => `${e.line}: ${e.message}`), [
    '2: unknown record type character "X": legacy lines start with + = 6 @ & C T ^ _ or !',
    '3: "999.0.0.1" is not an IPv4 address: write four numbers 0-255 without leading zeros',
    '4: "2001" is not an IPv6 address as 32 hex digits',
    '5: TTL "99999999999" is not a number 0..2147483647',
    "6: TXT text must be written in double quotes",
    "7: x.other.test. is outside the zone shop.test.: Route 53 cannot hold it",
  ]);
});

Deno.test("legacy: a name with a dot outside the zone is read relative, with a warning", () => {
  const r = parseZone("+www.other:192.0.2.1\n", { zone: "shop.test" });
  eq(setLines(r), ["www.other.shop.test. A 300 192.0.2.1"]);
  eq(r.warnings.map((w) => w.line), [1]);
});

Deno.test("detectFormat() decides by the first significant line, never guesses", () => {
  eq(detectFormat("# comment\n\n+www:192.0.2.1\n"), "legacy");
  eq(detectFormat('Texample:"x"\n'), "legacy");
  eq(detectFormat("_sip._tcp:sip.x.:5060\n"), "legacy");
  eq(detectFormat("; c\n$TTL 60\n"), "bind");
  eq(detectFormat("www 60 IN A 192.0.2.1\n"), "bind");
  eq(detectFormat("@ IN MX 10 mail\n"), "bind");
  eq(detectFormat("_sip._tcp SRV 0 0 5060 sip\n"), "bind");
  eq(detectFormat("   A 192.0.2.1\n"), "bind");
  eq(detectFormat(""), "bind");
  const neither = detectFormat("\n\njunk\n");
  eq(typeof neither === "string" ? neither : neither.line, 3);
  const r = parseZone("garbage\n+www:192.0.2.1\n", { zone: "shop.test" });
  eq(r.rrsets, []);
  eq(r.errors.length, 1);
  ok(r.errors[0]?.message.startsWith("cannot tell the file's format"));
});

Deno.test("legacy: tinydns SOA lines are errors that say why; & below the apex is a delegation", () => {
  const r = parseZone("+www:192.0.2.1\nZshop.test:ns.x.:h.x.\n&sub:192.0.2.9:ns.sub\n", {
    zone: "shop.test",
  });
  eq(r.errors.map((e) => e.line), [2]);
  ok(r.errors[0]?.message.startsWith(`line starts with "Z", tinydns' SOA line`));
  eq(setLines(r), ["sub.shop.test. NS 300 ns.sub.", "www.shop.test. A 300 192.0.2.1"]);
});

Deno.test("legacy: a TXT over Route 53's 4000 characters is an error", () => {
  const r = parseZone(`Tbig:"${"x".repeat(3990)}"\n`, { zone: "shop.test" });
  eq(r.errors.map((e) => `${e.line}: ${e.message}`), [
    "1: TXT value of 4037 characters is over Route 53's 4000",
  ]);
});
