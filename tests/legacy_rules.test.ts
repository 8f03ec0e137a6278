/**
 * The legacy dns-api format, one test per rule of README's "Legacy format" paragraph: the
 * original service's parser (TinyDNS::Reader 0.7.7) as it behaved, with an error where it
 * dropped a line and a warning where it quietly changed a value.
 */

import { deepStrictEqual as eq, ok } from "node:assert/strict";
import { detectFormat, parseZone, type ZoneParseResult } from "../lib/zones.ts";
import { setLines } from "../testing/zone_sets.ts";

function read(text: string): ZoneParseResult {
  return parseZone(text, { zone: "shop.test" });
}

/** The lines of some problems. */
function lines(ps: { line: number; message: string }[]): number[] {
  return ps.map((p) => p.line);
}

/** Asserts one warning per listed line, each naming the listed text. */
function warned(r: ZoneParseResult, expect: [number, string][]): void {
  eq(lines(r.warnings), expect.map(([l]) => l));
  expect.forEach(([, text], i) => {
    const m = r.warnings[i]?.message ?? "";
    ok(m.includes(text), `warning ${i} "${m}" should name ${text}`);
  });
}

Deno.test("legacy rule: lines end at \\n, \\r\\n or a lone \\r", () => {
  for (const eol of ["\n", "\r\n", "\r"]) {
    const r = read(["+www:192.0.2.1", "# c", "Xbad:1", '  Tk:"v"'].join(eol) + eol);
    eq(setLines(r), ['k.shop.test. TXT 3600 "v"', "www.shop.test. A 300 192.0.2.1"]);
    eq(lines(r.errors), [3], JSON.stringify(eol));
  }
});

Deno.test("legacy rule: # starts a comment anywhere on the line", () => {
  const r = read(
    "+www:192.0.2.1:600 # web server\n@:mail.shop.test:10#mx\n!:0:issue:ca.test # CA\n" +
      "Cblog:ghs.example.org. # a CNAME\n_sip._tcp:sip.shop.test:5060:600 # short form\n",
  );
  eq(r.errors, []);
  eq(r.warnings, []);
  eq(setLines(r), [
    'shop.test. CAA 300 0 issue "ca.test"',
    "shop.test. MX 300 10 mail.shop.test.",
    "_sip._tcp.shop.test. SRV 600 1 10 5060 sip.shop.test.",
    "blog.shop.test. CNAME 300 ghs.example.org.",
    "www.shop.test. A 600 192.0.2.1",
  ]);
});

Deno.test("legacy rule: a # inside TXT quotes is text; the comment after the text may hold quotes", () => {
  const r = read(
    'Ta:"color #fff":600 # the "a" record\nTb:"x#y" # "b"\nTc:"p#q":::600#c\nTd:"e "#" f"\n',
  );
  eq(r.errors, []);
  eq(setLines(r), [
    'a.shop.test. TXT 600 "color #fff"',
    'b.shop.test. TXT 3600 "x#y"',
    'c.shop.test. TXT 600 "p#q"',
    'd.shop.test. TXT 3600 "e \\"#\\" f"',
  ]);
});

Deno.test("legacy rule: blanks around a line are stripped (indented records are valid); blank and comment-only lines are nothing", () => {
  const r = read(
    '\n   \n\t+www:192.0.2.1  \n    # indented comment\n  Tk:"v w"\t\n   @:mx.shop.test:5\n',
  );
  eq(r.errors, []);
  eq(r.format, "legacy");
  eq(setLines(r), [
    "shop.test. MX 300 5 mx.shop.test.",
    'k.shop.test. TXT 3600 "v w"',
    "www.shop.test. A 300 192.0.2.1",
  ]);
});

Deno.test("legacy rule: the type character is case-insensitive", () => {
  const r = read('cwww:web.shop.test\nCftp:web.shop.test\ntk:"v"\nTl:"w"\nzshop.test:ns.x.:h.x.\n');
  eq(setLines(r), [
    "ftp.shop.test. CNAME 300 web.shop.test.",
    'k.shop.test. TXT 3600 "v"',
    'l.shop.test. TXT 3600 "w"',
    "www.shop.test. CNAME 300 web.shop.test.",
  ]);
  eq(r.errors.map((e) => `${e.line}: ${e.message}`), [
    `5: line starts with "z", tinydns' SOA line: Route 53 keeps the SOA itself; remove the line`,
  ]);
});

Deno.test("legacy rule: trailing empty fields vanish (+www:ip:300: is three fields, +api:ip: two)", () => {
  const r = read("+www:192.0.2.1:600:\n+api:192.0.2.2:\n+ftp:192.0.2.3::::\n");
  eq(r.errors, []);
  eq(r.warnings, []);
  eq(setLines(r), [
    "api.shop.test. A 300 192.0.2.2",
    "ftp.shop.test. A 300 192.0.2.3",
    "www.shop.test. A 600 192.0.2.1",
  ]);
});

Deno.test("legacy rule: fields beyond the ones a type uses are ignored, with a warning", () => {
  const r = read(
    "+www:192.0.2.1:600:4000000060f0a0b0:lo\nCa:b.shop.test:60:x\n" +
      "_s._tcp:t.shop.test:1:2:3:60:lo\n!:0:issue:ca.test:60:x\n&sub::ns.x:60:lo\n" +
      '6v6:20010db8000000000000000000000001:60:x\nTk:"v":60:x\n',
  );
  eq(r.errors, []);
  warned(r, [
    [1, "4000000060f0a0b0:lo"],
    [2, '"x"'],
    [3, '"lo"'],
    [4, '"x"'],
    [5, '"lo"'],
    [6, '"x"'],
    [7, '"x"'],
  ]);
  eq(setLines(r), [
    'shop.test. CAA 60 0 issue "ca.test"',
    "_s._tcp.shop.test. SRV 60 2 3 1 t.shop.test.",
    "a.shop.test. CNAME 60 b.shop.test.",
    'k.shop.test. TXT 60 "v"',
    "sub.shop.test. NS 60 ns.x.",
    "v6.shop.test. AAAA 60 2001:db8::1",
    "www.shop.test. A 600 192.0.2.1",
  ]);
});

Deno.test("legacy rule: a set's TTL is its first line's; a later line that differs warns", () => {
  const r = read("+www:192.0.2.1:600\n+www:192.0.2.2:60\n+www:192.0.2.3\n");
  eq(setLines(r), ["www.shop.test. A 600 192.0.2.1|192.0.2.2|192.0.2.3"]);
  warned(r, [[2, "TTL 60"], [3, "TTL 300"]]);
});

Deno.test("legacy rule: identical lines collapse into one record", () => {
  const r = read("+www:192.0.2.1\n+www:192.0.2.1\n+www.shop.test:192.0.2.1\n");
  eq(r.errors, []);
  eq(r.warnings, []);
  eq(setLines(r), ["www.shop.test. A 300 192.0.2.1"]);
});

Deno.test("legacy rule: an empty name is the zone apex", () => {
  const r = read(
    '+:192.0.2.1\n@:mail.shop.test:15\nT:"v"\n!:0:issue:ca.test\n6:20010db8000000000000000000000001\n',
  );
  eq(r.errors, []);
  eq(setLines(r), [
    "shop.test. A 300 192.0.2.1",
    "shop.test. AAAA 300 2001:db8::1",
    'shop.test. CAA 300 0 issue "ca.test"',
    "shop.test. MX 300 15 mail.shop.test.",
    'shop.test. TXT 3600 "v"',
  ]);
});

Deno.test("legacy rule: a name equal to the zone or ending in .zone is qualified; any other is relative", () => {
  const r = read(
    "+shop.test:192.0.2.1\n+www.shop.test:192.0.2.2\n+www:192.0.2.3\n+myshop.test:192.0.2.4\n",
  );
  eq(r.errors, []);
  eq(setLines(r), [
    "shop.test. A 300 192.0.2.1",
    "myshop.test.shop.test. A 300 192.0.2.4",
    "www.shop.test. A 300 192.0.2.2|192.0.2.3",
  ]);
  warned(r, [[4, "myshop.test.shop.test"]]);
});

Deno.test("legacy rule: a relative name that looks like another domain, or the zone's own label, warns", () => {
  const r = read('+www.other.com:192.0.2.1\nTshop:"v=spf1 -all"\n+mail.eu:192.0.2.2\n');
  eq(r.errors, []);
  eq(setLines(r), [
    "www.other.com.shop.test. A 300 192.0.2.1",
    "mail.eu.shop.test. A 300 192.0.2.2",
    'shop.shop.test. TXT 3600 "v=spf1 -all"',
  ]);
  warned(r, [
    [1, "www.other.com.shop.test"],
    [2, "for the apex leave the name empty"],
    [3, "mail.eu.shop.test"],
  ]);
});

Deno.test("legacy rule: owner names are case-insensitive", () => {
  const r = read("+WWW:192.0.2.1\n+www.SHOP.Test:192.0.2.2\n");
  eq(r.errors, []);
  eq(setLines(r), ["www.shop.test. A 300 192.0.2.1|192.0.2.2"]);
});

Deno.test("legacy rule: targets are domain names as written (absolute, trailing dot optional)", () => {
  const r = read(
    "Cblog:acme.ghost.io\n@:mx.other.org.:10\n_x._tcp:srv.other.org:80\n^ptr:host.other.org\n&sub::ns1.dns.org\n",
  );
  eq(r.errors, []);
  eq(setLines(r), [
    "shop.test. MX 300 10 mx.other.org.",
    "_x._tcp.shop.test. SRV 300 1 10 80 srv.other.org.",
    "blog.shop.test. CNAME 300 acme.ghost.io.",
    "ptr.shop.test. PTR 300 host.other.org.",
    "sub.shop.test. NS 300 ns1.dns.org.",
  ]);
});

Deno.test("legacy rule: TTL defaults to 300 for every type except TXT, whose default is 3600", () => {
  const r = read(
    "+a:192.0.2.1\n6a:20010db8000000000000000000000001\n@a:mx.shop.test:10\nCc:a.shop.test\n" +
      '^p:a.shop.test\n&ns::ns.x\n_s._tcp:a.shop.test:1\n!a:0:issue:ca.test\nTa:"v"\n',
  );
  eq(r.errors, []);
  eq(r.warnings, []);
  eq(r.rrsets.map((s) => `${s.type} ${s.ttl}`).sort(), [
    "A 300",
    "AAAA 300",
    "CAA 300",
    "CNAME 300",
    "MX 300",
    "NS 300",
    "PTR 300",
    "SRV 300",
    "TXT 3600",
  ]);
});

Deno.test("legacy rule: TTL 0, empty or not all digits is the default, with a warning naming the value", () => {
  const r = read(
    '+a:192.0.2.1:0\n+b:192.0.2.1::x\n+c:192.0.2.1:1h\n+d:192.0.2.1:300s\nTe:"v":0\nTf:"v":1h\n' +
      "_g._tcp:t.shop.test:80:00\n",
  );
  eq(r.errors, []);
  eq(setLines(r), [
    "_g._tcp.shop.test. SRV 300 1 10 80 t.shop.test.",
    "a.shop.test. A 300 192.0.2.1",
    "b.shop.test. A 300 192.0.2.1",
    "c.shop.test. A 300 192.0.2.1",
    "d.shop.test. A 300 192.0.2.1",
    'e.shop.test. TXT 3600 "v"',
    'f.shop.test. TXT 3600 "v"',
  ]);
  warned(r, [
    [1, 'TTL "0" read as 300'],
    [2, '"x"'],
    [2, 'TTL "" read as 300'],
    [3, 'TTL "1h" read as 300'],
    [4, 'TTL "300s" read as 300'],
    [5, 'TTL "0" read as 3600'],
    [6, 'TTL "1h" read as 3600'],
    [7, 'TTL "00" read as 300'],
  ]);
});

Deno.test("legacy rule: a TTL above 2147483647 is an error (2147483647 itself is the largest)", () => {
  const r = read('+a:192.0.2.1:2147483647\n+b:192.0.2.1:2147483648\nTc:"v":99999999999\n');
  eq(setLines(r), ["a.shop.test. A 2147483647 192.0.2.1"]);
  eq(r.errors.map((e) => `${e.line}: ${e.message}`), [
    '2: TTL "2147483648" is not a number 0..2147483647',
    '3: TTL "99999999999" is not a number 0..2147483647',
  ]);
});

Deno.test("legacy rule: + and = are A records (= makes no PTR); an invalid address is an error", () => {
  const r = read("+a:192.0.2.1\n=b:192.0.2.2\n+c:192.0.2\n=d\n");
  eq(setLines(r), ["a.shop.test. A 300 192.0.2.1", "b.shop.test. A 300 192.0.2.2"]);
  eq(lines(r.errors), [3, 4]);
});

Deno.test("legacy rule: AAAA is 32 hex digits cut into groups; the colon form is an error; 3 is no type", () => {
  const r = read(
    "6a:200141C8010B01030000000000000111\n6www:2001:db8::1\n6b:2001db8\n3c:20010db8000000000000000000000001\n",
  );
  eq(setLines(r), ["a.shop.test. AAAA 300 2001:41c8:10b:103::111"]);
  eq(lines(r.errors), [2, 3, 4]);
  ok(r.errors[0]?.message.startsWith('"2001:db8::1" is an IPv6 address with colons'));
  ok(r.errors[0]?.message.includes('published "2001"'));
  eq(r.errors[1]?.message, '"2001db8" is not an IPv6 address as 32 hex digits');
  ok(r.errors[2]?.message.startsWith(`line starts with "3", tinydns' AAAA line`));
});

Deno.test("legacy rule: MX priority empty or 0 becomes 15 (0 with a warning)", () => {
  const r = read("@:mx1.shop.test::600\n@:mx2.shop.test:0\n@:mx3.shop.test:20\n");
  eq(r.errors, []);
  eq(setLines(r), ["shop.test. MX 600 15 mx1.shop.test.|15 mx2.shop.test.|20 mx3.shop.test."]);
  warned(r, [[2, "MX priority 0 read as 15"], [2, "TTL 300 differs"], [3, "TTL 300 differs"]]);
});

Deno.test("legacy rule: MX lines of 2 or 5 fields (the original published nothing) are errors", () => {
  const r = read("@:mail.host\n@:mail.host:\n@x:192.0.2.1:mx:10:300\n@only\n@:a:1:2:3:4\n");
  eq(r.rrsets, []);
  eq(lines(r.errors), [1, 2, 3, 4, 5]);
  ok(r.errors[0]?.message.startsWith("MX line without a priority field"));
  ok(r.errors[2]?.message.startsWith("MX line of 5 fields (tinydns' name:ip:exchange"));
  ok(r.errors.every((e) => e.message.includes("write name:exchange:priority[:ttl]")));
});

Deno.test("legacy rule: & below the apex is a synced delegation (ip ignored); at the apex it is skipped with a warning", () => {
  const r = read(
    "&sub:192.0.2.9:ns1.dns.org:600\n&sub::ns2.dns.org:600\n&:192.0.2.1:ns.other.org\n&shop.test::ns9.x\n&nosrv:192.0.2.1\n",
  );
  eq(setLines(r), ["sub.shop.test. NS 600 ns1.dns.org.|ns2.dns.org."]);
  warned(r, [[3, "NS line at the zone apex skipped"], [4, "NS line at the zone apex skipped"]]);
  eq(lines(r.errors), [5]);
});

Deno.test("legacy rule: C is CNAME and ^ is PTR, name:target[:ttl]", () => {
  const r = read("Cwww:web.shop.test:60\n^1:host.shop.test:60\nCempty\n");
  eq(setLines(r), [
    "1.shop.test. PTR 60 host.shop.test.",
    "www.shop.test. CNAME 60 web.shop.test.",
  ]);
  eq(lines(r.errors), [3]);
});

Deno.test('legacy rule: TXT is not split on ":": the text is between the first :" and the last "', () => {
  const r = read('Tk:"v=spf1 ip4:192.0.2.0/24 include:_spf.x.org ~all":600\nTq:"say "hi"":60\n');
  eq(r.errors, []);
  eq(setLines(r), [
    'k.shop.test. TXT 600 "v=spf1 ip4:192.0.2.0/24 include:_spf.x.org ~all"',
    'q.shop.test. TXT 60 "say \\"hi\\""',
  ]);
});

Deno.test('legacy rule: ":" may repeat before a TXT TTL (Tkey:"v":::600 is TTL 600)', () => {
  const r = read('Tkey:"v":::600\nTk2:"w":::\n');
  eq(r.errors, []);
  eq(r.warnings, []);
  eq(setLines(r), ['k2.shop.test. TXT 3600 "w"', 'key.shop.test. TXT 600 "v"']);
});

Deno.test("legacy rule: Route 53's escapes apply to TXT text (\\072 is :, \\\" a quote, \\\\ a backslash)", () => {
  const r = read('Tk:"a\\072b \\"q\\" c\\\\d"\n');
  eq(r.errors, []);
  eq(setLines(r), ['k.shop.test. TXT 3600 "a:b \\"q\\" c\\\\d"']);
});

Deno.test("legacy rule: TXT text over 255 bytes is split into 255-byte strings", () => {
  const text = "p=" + "k".repeat(600);
  const r = read(`Tsel._domainkey:"${text}":600\n`);
  eq(r.errors, []);
  eq(setLines(r), [
    `sel._domainkey.shop.test. TXT 600 "${text.slice(0, 255)}" "${text.slice(255, 510)}" "${
      text.slice(510)
    }"`,
  ]);
});

Deno.test('legacy rule: a TXT with an empty name is the apex; "" is an empty text', () => {
  const r = read('T:"v=spf1 -all"\nTempty:"":60\n');
  eq(r.errors, []);
  eq(setLines(r), ['shop.test. TXT 3600 "v=spf1 -all"', 'empty.shop.test. TXT 60 ""']);
});

Deno.test("legacy rule: unquoted TXT text is an error", () => {
  const r = read('Ta:v=spf1 -all\nTb:"open\nTc:"v"x\nTd:e:"v"\n');
  eq(r.rrsets, []);
  eq(lines(r.errors), [1, 2, 3, 4]);
  eq(r.errors[0]?.message, "TXT text must be written in double quotes");
});

Deno.test("legacy rule: SRV short form: exactly four fields, priority 1, weight 10, the fourth field the TTL", () => {
  const r = read("_sip._tcp:sip.shop.test:5060:600\n_xmpp._tcp:x.shop.test:5222:900:\n");
  eq(r.errors, []);
  eq(setLines(r), [
    "_sip._tcp.shop.test. SRV 600 1 10 5060 sip.shop.test.",
    "_xmpp._tcp.shop.test. SRV 900 1 10 5222 x.shop.test.",
  ]);
  // the trailing empty field made line 2 the short form: say so
  warned(r, [[2, "short form"]]);
});

Deno.test("legacy rule: SRV long form: any other count; empty or 0 priority is 1, weight 10", () => {
  const r = read(
    "_a._tcp:t.shop.test:80\n_b._tcp:t.shop.test:80:5:20\n_c._tcp:t.shop.test:80:5:20:600\n" +
      "_d._tcp:t.shop.test:80:::600\n_e._tcp:t.shop.test:80:0:0:600\n_f._tcp:t.shop.test\n",
  );
  eq(setLines(r), [
    "_a._tcp.shop.test. SRV 300 1 10 80 t.shop.test.",
    "_b._tcp.shop.test. SRV 300 5 20 80 t.shop.test.",
    "_c._tcp.shop.test. SRV 600 5 20 80 t.shop.test.",
    "_d._tcp.shop.test. SRV 600 1 10 80 t.shop.test.",
    "_e._tcp.shop.test. SRV 600 1 10 80 t.shop.test.",
  ]);
  warned(r, [[5, "SRV priority 0 read as 1"], [5, "SRV weight 0 read as 10"]]);
  eq(lines(r.errors), [6]);
});

Deno.test("legacy rule: the SRV owner is _ plus the first field; the value is priority weight port target", () => {
  const r = read("_sip._udp.shop.test:sip.shop.test:5060:1:2:60\n");
  eq(r.errors, []);
  eq(r.rrsets, [{
    name: "_sip._udp.shop.test.",
    type: "SRV",
    ttl: 60,
    values: ["1 2 5060 sip.shop.test."],
  }]);
});

Deno.test("legacy rule: CAA is !name:flags:tag:value[:ttl], tags issue, issuewild, iodef, value quoted", () => {
  const r = read(
    '!:0:issue:letsencrypt.org\n!:0:issuewild:";"\n!:128:iodef:"mailto:sec@shop.test":60\n!:0:tbs:x\n',
  );
  eq(setLines(r), [
    'shop.test. CAA 300 0 issue "letsencrypt.org"|0 issuewild ";"|128 iodef "mailto:sec@shop.test"',
  ]);
  eq(r.errors.map((e) => `${e.line}: ${e.message}`), [
    '4: CAA tag "tbs" is not one of issue, issuewild, iodef',
  ]);
});

Deno.test("legacy rule: . : Z % - ' digits and unknown characters are errors naming the line and character", () => {
  const r = read(
    "+www:192.0.2.1\n.shop.test::ns1.x\n:a:16:xyz\nZshop.test:ns.x.:h.x.\n%lo:192.0.2\n-old:192.0.2.1\n" +
      "'t:text\n3a:20010db8000000000000000000000001\n9x:y\nXfoo:bar\n",
  );
  eq(setLines(r), ["www.shop.test. A 300 192.0.2.1"]);
  eq(lines(r.errors), [2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const chars = [".", ":", "Z", "%", "-", "'", "3", "9", "X"];
  r.errors.forEach((e, i) => ok(e.message.includes(`"${chars[i]}"`), e.message));
});

Deno.test("legacy rule (ours): a name with a trailing dot is absolute; outside the zone it is an error", () => {
  const r = read("+www.shop.test.:192.0.2.1\n+x.other.test.:192.0.2.2\n");
  eq(setLines(r), ["www.shop.test. A 300 192.0.2.1"]);
  eq(r.errors.map((e) => `${e.line}: ${e.message}`), [
    "2: x.other.test. is outside the zone shop.test.: Route 53 cannot hold it",
  ]);
});

Deno.test("detectFormat(): legacy type characters are case-insensitive, and indented legacy lines are legacy", () => {
  eq(detectFormat("cwww:web.x.\n"), "legacy");
  eq(detectFormat('tk:"v"\n'), "legacy");
  eq(detectFormat("   +www:192.0.2.1 # web\n"), "legacy");
  eq(detectFormat("\t@:mail.x:10\n"), "legacy");
  eq(detectFormat("&sub::ns.x\n"), "legacy");
  eq(detectFormat("Zshop.test:ns.x.:h.x.\n"), "legacy");
});

Deno.test("detectFormat(): lines end at \\r too, so a comment line does not hide the first record", () => {
  eq(detectFormat("# c\r+www:192.0.2.1\r"), "legacy");
  eq(detectFormat("; c\r\n$TTL 60\r\n"), "bind");
  eq(detectFormat("# c\r\rjunk\r"), {
    line: 3,
    message: (detectFormat("junk") as { message: string }).message,
  });
});

Deno.test("detectFormat(): BIND files stay BIND, indented or with : in their data", () => {
  eq(detectFormat("  A 192.0.2.1\n"), "bind");
  eq(detectFormat('\tTXT "a:b"\n'), "bind");
  eq(detectFormat('  600 IN TXT "v:1"\n'), "bind");
  eq(detectFormat("www 300 IN AAAA 2001:db8::1\n"), "bind");
  eq(detectFormat("_sip._tcp SRV 0 0 5060 sip\n"), "bind");
  eq(detectFormat('Txt IN TXT "x:y"\n'), "bind");
});
