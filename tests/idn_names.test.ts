import { deepStrictEqual as eq, ok, throws } from "node:assert/strict";
import { domainToASCII, parseName, parseZone, showName, toALabel, toULabel } from "../lib/zones.ts";

Deno.test("toALabel() applies UTS #46 as browsers do: case folding, NFC, non-transitional", () => {
  eq(toALabel("café"), "xn--caf-dma");
  eq(toALabel("CAFÉ"), "xn--caf-dma");
  eq(toALabel("cafe\u0301"), "xn--caf-dma"); // NFD, as macOS writes file names
  eq(toALabel("faß"), "xn--fa-hia"); // ß kept (transitional processing would give "fass")
  eq(toALabel("bücher"), "xn--bcher-kva");
  eq(toALabel("日本語"), "xn--wgv71a119e");
  eq(toALabel("Shop"), "shop");
});

Deno.test("toALabel() refuses what is not an IDN, saying which label and why", () => {
  throws(() => toALabel("1عربي"), /the label "1عربي" is not a valid internationalised name/);
  throws(() => toALabel("\u0301a"), /not a valid internationalised name/); // leading mark
  throws(() => toALabel("é%41"), /only letters, digits, "-" and "_" may stand \(not "%"\)/);
  throws(() => toALabel("\u00ad"), /maps to nothing/);
  throws(() => toALabel("a\u3002b"), /maps to a dot/);
  // Fullwidth digits map to "123": still a label, never read as an IPv4 address.
  eq(toALabel("１２３é"), "xn--123-dma");
});

Deno.test("toULabel() and showName() give the Unicode form beside the A-label", () => {
  eq(toULabel("xn--caf-dma"), "café");
  eq(toULabel("xn--zz"), null); // not valid punycode
  eq(toULabel("shop"), null);
  eq(showName("xn--caf-dma.test"), "café.test (xn--caf-dma.test)");
  eq(showName("www.xn--caf-dma.test."), "www.café.test. (www.xn--caf-dma.test.)");
  eq(showName("shop.test"), "shop.test");
  eq(showName("xn--zz.test"), "xn--zz.test");
  eq(domainToASCII("Café.Test."), "xn--caf-dma.test.");
});

Deno.test("parseName() converts a label written in Unicode to its A-label", () => {
  eq(parseName("café", "shop.test.", false), "xn--caf-dma.shop.test.");
  eq(parseName("WWW.Café.Test.", ".", false), "www.xn--caf-dma.test.");
  eq(parseName("*.bücher", "shop.test.", false), "*.xn--bcher-kva.shop.test.");
  eq(parseName("café", "shop.test.", true), "xn--caf-dma.shop.test."); // legacy files too
});

Deno.test("parseName() keeps \\DDD-escaped bytes as bytes (BIND) and refuses a label mixing both", () => {
  eq(parseName("caf\\195\\169", "t.", false), "caf\\303\\251.t.");
  eq(parseName("caf\\195\\169.café", "t.", false), "caf\\303\\251.xn--caf-dma.t.");
  throws(() => parseName("café\\032x", "t.", false), /mixes \\ escapes with non-ASCII/);
});

Deno.test("parseName() measures an IDN label by its A-label", () => {
  throws(
    () => parseName("日本語".repeat(30), "t.", false),
    /octets as its A-label xn--.*limit is 63/,
  );
  eq(parseName("é".repeat(40), "t.", false).length <= 64 + 2, true);
});

Deno.test("parseZone() publishes Unicode owners and targets as A-labels, and names the line of a bad IDN", () => {
  const r = parseZone(
    "$TTL 300\ncafé A 192.0.2.1\nwww CNAME café\nm MX 10 bücher.test.\nbad\u0301\u200d A 192.0.2.2\n" +
      "raw\\195\\169 TXT x\n",
    { zone: "shop.test" },
  );
  eq(r.rrsets.map((s) => [s.name, s.type, s.values]), [
    ["m.shop.test.", "MX", ["10 xn--bcher-kva.test."]],
    ["raw\\303\\251.shop.test.", "TXT", ['"x"']],
    ["www.shop.test.", "CNAME", ["xn--caf-dma.shop.test."]],
    ["xn--caf-dma.shop.test.", "A", ["192.0.2.1"]],
  ]);
  eq(r.errors.length, 1);
  eq(r.errors[0]?.line, 5);
  ok(r.errors[0]?.message.includes("is not a valid internationalised name"), r.errors[0]?.message);
});

Deno.test("parseZone() reads a zone named in Unicode under its A-label", () => {
  const r = parseZone("www 300 A 192.0.2.1\n", { zone: "café.test" });
  eq(r.rrsets[0]?.name, "www.xn--caf-dma.test.");
});
