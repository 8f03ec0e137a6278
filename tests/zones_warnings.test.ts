/**
 * The warnings for the classic zone-file mistakes: each with a literal zone, its line
 * and its message; a good file for each that gets none; what is published unchanged;
 * and the whole corpus, where no file gets one of these warnings unless listed below.
 *
 * @module
 */
import { deepStrictEqual as eq } from "node:assert/strict";
import { join } from "node:path";
import { apexNsIgnored, apexNsMismatch, parseZone, type ZoneParseResult } from "../lib/zones.ts";
import { setLines } from "../testing/zone_sets.ts";

function parse(text: string, zone = "shop.test"): ZoneParseResult {
  return parseZone(text, { zone });
}

/** The warnings as `line: message`. */
function warnings(text: string, zone = "shop.test"): string[] {
  const r = parse(text, zone);
  eq(r.errors, [], JSON.stringify(r.errors));
  return r.warnings.map((w) => `${w.line}: ${w.message}`);
}

// --- relative targets that look absolute -------------------------------------------

Deno.test("a CNAME target without its trailing dot that ends in a TLD is warned about, and published as BIND reads it", () => {
  const text = "$TTL 300\nwww A 192.0.2.1\nblog CNAME acme.ghost.io\n";
  eq(warnings(text, "acme-widgets.com"), [
    '3: CNAME target "acme.ghost.io" has no trailing dot, so it means ' +
    'acme.ghost.io.acme-widgets.com.; did you mean "acme.ghost.io."? ' +
    "(a name outside this zone ends with a dot)",
  ]);
  eq(setLines(parse(text, "acme-widgets.com")), [
    "blog.acme-widgets.com. CNAME 300 acme.ghost.io.acme-widgets.com.",
    "www.acme-widgets.com. A 300 192.0.2.1",
  ]);
});

Deno.test("a relative target that already ends in the zone's name is warned about, whatever its TLD", () => {
  eq(warnings("$TTL 300\nwww CNAME web.shop.test\nweb A 192.0.2.1\n"), [
    '2: CNAME target "web.shop.test" has no trailing dot, so it means ' +
    'web.shop.test.shop.test.; did you mean "web.shop.test."? ' +
    "(a name outside this zone ends with a dot)",
  ]);
});

Deno.test("MX, NS, PTR and SRV targets get the same warning, on their own lines", () => {
  const text = [
    "$TTL 300",
    "@ MX 10 aspmx.l.google.com",
    "sub NS ns1.provider.net",
    "_sip._tcp SRV 10 60 5060 sip.example.net",
  ].join("\n");
  eq(warnings(text).map((w) => w.slice(0, w.indexOf(" has"))), [
    '2: MX target "aspmx.l.google.com"',
    '3: NS target "ns1.provider.net"',
    '4: SRV target "sip.example.net"',
  ]);
  eq(warnings("$TTL 300\n1 PTR host.example.com\n", "2.0.192.in-addr.arpa"), [
    '2: PTR target "host.example.com" has no trailing dot, so it means ' +
    'host.example.com.2.0.192.in-addr.arpa.; did you mean "host.example.com."? ' +
    "(a name outside this zone ends with a dot)",
  ]);
});

Deno.test("ordinary relative and absolute targets get no warning", () => {
  const text = [
    "$TTL 300",
    "mail A 192.0.2.25",
    "www.sub A 192.0.2.26",
    "a CNAME mail", // one label
    "b CNAME www.sub", // its last label is no TLD
    "c CNAME acme.ghost.io.", // absolute
    "d CNAME @",
    "@ MX 10 mail",
    "@ MX 20 mx.example.net.",
    "e CNAME lb.eu", // "eu" is a TLD, but the file defines lb.eu
    "lb.eu A 192.0.2.27",
    "_ldap._tcp.uk SRV 5 5 389 ldap.uk", // the file uses the uk subtree
    "f CNAME a\\.b.io", // escaped: left alone
  ].join("\n");
  eq(warnings(text), []);
});

Deno.test("a $GENERATE line with a target that looks absolute gets one warning, not one per record", () => {
  eq(warnings("$TTL 300\n$GENERATE 1-50 h$ CNAME h$.cdn.example.com\n").length, 1);
});

// --- TXT words without quotes -------------------------------------------------------

Deno.test("unquoted TXT words that became several strings are warned about, with the quoted fix", () => {
  const text = "$TTL 300\n@ TXT v=spf1 include:_spf.google.com ~all\n";
  eq(warnings(text), [
    "2: this TXT record has words outside quotes, so it became 3 strings " +
    '("v=spf1" "include:_spf.google.com" "~all"), which SPF and DKIM readers join ' +
    "without spaces; to publish the text as written, quote it: " +
    '"v=spf1 include:_spf.google.com ~all"',
  ]);
  eq(setLines(parse(text)), ['shop.test. TXT 300 "v=spf1" "include:_spf.google.com" "~all"']);
});

Deno.test("an unquoted DKIM key with escaped semicolons gets the warning, its fix shortened", () => {
  const key = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC" + "x".repeat(200);
  const [w] = warnings(`$TTL 300\nsel._domainkey TXT v=DKIM1\\; k=rsa\\; p=${key}\n`);
  eq(
    w,
    '2: this TXT record has words outside quotes, so it became 3 strings ("v=DKIM1\\;" ' +
      `"k=rsa\\;" "p=${key.slice(0, 58)}…"), which SPF and DKIM readers join without ` +
      `spaces; to publish the text as written, quote it: "v=DKIM1\\; k=rsa\\; p=${
        key.slice(0, 40)
      }…" (in pieces of at most 255 characters: it is longer)`,
  );
});

Deno.test("quoted strings, one unquoted word, the generic form and $GENERATE get no TXT warning", () => {
  const text = [
    "$TTL 300",
    'a TXT "v=spf1 include:x ~all"',
    'b TXT "v=DKIM1; k=rsa; " "p=MIGf"',
    "c TXT v=spf1",
    "d TXT \\# 4 03616263",
    'e SPF "v=spf1 -all"',
    '$GENERATE 1-2 g$ TXT "price $"',
  ].join("\n");
  eq(warnings(text), []);
});

// --- TXT cut at an unquoted ";" ------------------------------------------------------

Deno.test("a TXT value cut at an unquoted ';' is warned about, naming what was cut", () => {
  const text = "$TTL 300\nsel._domainkey TXT v=DKIM1; k=rsa; p=MIGfMA0G\n";
  eq(warnings(text), [
    '2: the TXT value stops at the ";" after "v=DKIM1": an unquoted ";" starts a comment ' +
    'in a zone file, so " k=rsa; p=MIGfMA0G" was not published; put the whole value in ' +
    'quotes: "v=DKIM1; k=rsa; p=MIGfMA0G"',
  ]);
  eq(setLines(parse(text)), ['sel._domainkey.shop.test. TXT 300 "v=DKIM1"']);
});

Deno.test("a cut inside parentheses is reported on the line of the ';'", () => {
  const text = "$TTL 300\nsel._domainkey TXT ( v=DKIM1;k=rsa\n  p=MIGf )\n";
  eq(warnings(text), [
    '2: the TXT value stops at the ";" after "v=DKIM1": an unquoted ";" starts a comment ' +
    'in a zone file, so "k=rsa" was not published; put the whole value in quotes: ' +
    '"v=DKIM1;k=rsa p=MIGf"',
  ]);
  eq(warnings('$TTL 300\nx TXT ( "v=DKIM1"\n  k=rsa;p=x\n )\n').map((w) => w.slice(0, 2)), [
    "3:",
  ]);
});

Deno.test("comments after a blank or a quote, and on other types, are not taken for a cut value", () => {
  const text = [
    "$TTL 300",
    'a TXT "v=spf1 -all" ; a comment',
    'b TXT "v=spf1 -all";no blank, but after the quote',
    "c TXT word ; a comment",
    "d A 192.0.2.2;no space before the comment",
    "e TXT word;",
  ].join("\n");
  eq(warnings(text), []);
});

// --- SOA and apex NS -----------------------------------------------------------------

Deno.test("an apex SOA is warned about as ignored", () => {
  eq(warnings("$TTL 300\n@ SOA ns.x. h.x. 1 2 3 4 5\nwww A 192.0.2.1\n"), [
    "2: the SOA record is ignored: Route 53 keeps its own SOA for the zone",
  ]);
});

Deno.test("an SOA whose MINIMUM became the default TTL gets one warning saying both", () => {
  eq(warnings("@ SOA ns.x. h.x. 1 2 3 4 500\nwww A 192.0.2.1\n"), [
    "1: the SOA record is ignored: Route 53 keeps its own SOA for the zone; but with no TTL " +
    'on it and no $TTL before it, its MINIMUM 500 became the default TTL, as in BIND: write "$TTL 500" ' +
    "at the top to say so",
  ]);
});

Deno.test("an apex NS set is warned about once, on its first line, as ignored", () => {
  const r = parse("$TTL 300\nwww A 192.0.2.1\n@ NS ns1.old.example.\n@ NS ns2.old.example.\n");
  eq(r.warnings, [{
    line: 3,
    message: "the NS records at the zone apex are ignored: Route 53 serves the zone from its " +
      "own name servers, and those are what your registrar must list (the job log of the " +
      "push names them if these differ)",
  }]);
  eq(r.apexNs, { line: 3, values: ["ns1.old.example.", "ns2.old.example."] });
  eq(setLines(r), ["www.shop.test. A 300 192.0.2.1"]);
});

Deno.test("with warnApexNs false the apex NS set is returned for the caller and not warned about", () => {
  const r = parseZone("$TTL 300\nwww A 192.0.2.1\n@ NS ns1.old.example.\n", {
    zone: "shop.test",
    warnApexNs: false,
  });
  eq(r.warnings, []);
  eq(r.apexNs, { line: 3, values: ["ns1.old.example."] });
  eq(r.apexNs && apexNsIgnored(r.apexNs).line, 3);
});

Deno.test("apexNsMismatch() names the servers Route 53 does not use and what to set at the registrar", () => {
  const route53 = ["ns-1.awsdns-01.org", "ns-2.awsdns-02.net", "ns-3.awsdns-03.com"];
  eq(apexNsMismatch({ line: 3, values: ["ns-1.awsdns-01.org.", "ns1.old.example."] }, route53), {
    line: 3,
    message: "the apex NS records name ns1.old.example., which is not among this zone's " +
      "Route 53 name servers; apex NS records are not synced: set ns-1.awsdns-01.org, " +
      "ns-2.awsdns-02.net, ns-3.awsdns-03.com at your registrar",
  });
  // Route 53's own servers (any case, with or without the dot), or some of them: nothing to say.
  eq(apexNsMismatch({ line: 3, values: ["NS-2.awsdns-02.NET."] }, route53), null);
  eq(apexNsMismatch({ line: 3, values: route53 }, route53), null);
});

Deno.test("a file without SOA and apex NS gets neither warning, and a delegation is no apex NS", () => {
  const r = parse("$TTL 300\nsub NS ns1.provider.example.\nwww A 192.0.2.1\n");
  eq(r.warnings, []);
  eq(r.apexNs, null);
});

// --- the corpus ----------------------------------------------------------------------

/** The warnings this file adds, told by how each starts. */
const NEW_KINDS = [
  /^the SOA record is ignored/,
  /^the NS records at the zone apex are ignored/,
  /^\w+ target ".*" has no trailing dot/,
  /^this (TXT|SPF) record has words outside quotes/,
  /^the (TXT|SPF) value stops at the ";"/,
];

/**
 * Every corpus file that gets one of them, with its lines; every other file gets none.
 * Each is accepted: the file holds exactly the case the warning is about.
 */
const ACCEPTED: Record<string, number[]> = {
  // an apex SOA (line 4) and apex NS (line 10), as hand-written named zones have
  "classic_named_zone.zone": [4, 10],
  // a provider export with its SOA (5) and apex NS (7)
  "export_absolute_names.zone": [5, 7],
  // the apex NS beside a delegation
  "ns_delegation_glue.zone": [3],
  // an exported SOA (3) and apex NS (4)
  "soa_in_file.zone": [3, 4],
  // "a TXT hello world": two strings, the case of the warning
  "txt_unquoted.zone": [3],
};

Deno.test("across tests/corpus/ only the listed files get these warnings, on the listed lines", async () => {
  const corpus = join(import.meta.dirname ?? ".", "corpus");
  const found: Record<string, number[]> = {};
  const files = [...Deno.readDirSync(corpus)].map((e) => e.name).filter((n) => n.endsWith(".zone"))
    .sort();
  for (const file of files) {
    const r = parse(await Deno.readTextFile(join(corpus, file)));
    const lines = r.warnings.filter((w) => NEW_KINDS.some((k) => k.test(w.message)))
      .map((w) => w.line);
    if (lines.length > 0) found[file] = lines;
  }
  eq(found, ACCEPTED);
});
