import { ok } from "node:assert/strict";
import { parseZone } from "../lib/zones.ts";
import { canonicalRoute53Value } from "../lib/route53.ts";
import { ROUTE53_TYPES } from "../lib/zones.ts";

/** Seeded linear congruential generator: a failure names its seed and input. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

const PIECES = [
  "$TTL",
  "$ORIGIN",
  "$GENERATE",
  "$INCLUDE",
  "@",
  "*",
  "www",
  "IN",
  "CH",
  "300",
  "1h",
  "A",
  "AAAA",
  "TXT",
  "MX",
  "SRV",
  "CAA",
  "NAPTR",
  "DS",
  "SSHFP",
  "TLSA",
  "SVCB",
  "HTTPS",
  "SOA",
  "NS",
  "CNAME",
  "PTR",
  "SPF",
  "TYPE1",
  "LOC",
  "\\#",
  "4",
  "c0000201",
  "(",
  ")",
  '"',
  '"a b"',
  ";",
  "\n",
  " ",
  "\t",
  "\\",
  "\\0",
  "\\999",
  "1.2.3.4",
  "::1",
  "alpn=h2",
  "mandatory=alpn",
  "port=x",
  "1-3",
  "${0,3,n}",
  "$",
  "é",
  "\r\n",
  ".",
  "..",
  "a.b.",
  "x".repeat(70),
  "0",
  "65536",
  "-1",
  "+www:",
  "T:",
  '"',
  ":",
];

Deno.test("parseZone() never throws: token soup becomes reported errors", () => {
  const r = rng(12345);
  for (let i = 0; i < 3000; i++) {
    let text = "";
    const len = 1 + Math.floor(r() * 40);
    for (let k = 0; k < len; k++) {
      text += PIECES[Math.floor(r() * PIECES.length)] + (r() < 0.7 ? " " : "");
    }
    const result = parseZone(text, { zone: "shop.test" });
    ok(Array.isArray(result.errors), JSON.stringify(text));
    const type = ROUTE53_TYPES[Math.floor(r() * ROUTE53_TYPES.length)] ?? "A";
    try {
      canonicalRoute53Value(type, text);
    } catch (e) {
      ok(e instanceof SyntaxError, `${type} ${JSON.stringify(text)}: ${e}`);
    }
  }
});

Deno.test("parseZone() never throws on random characters of both formats", () => {
  const r = rng(777);
  const alphabet = '+=6@CcTt^_!:"\\;()$ \t\n.*aAzZ09-#é\u0000\u00ff';
  for (let i = 0; i < 3000; i++) {
    let text = "";
    const len = Math.floor(r() * 80);
    for (let k = 0; k < len; k++) text += alphabet[Math.floor(r() * alphabet.length)];
    parseZone(text, { zone: "shop.test" });
  }
});
