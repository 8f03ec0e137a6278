import { deepStrictEqual as eq } from "node:assert/strict";
import { formatZone, octalToZoneEscapes } from "../lib/zones.ts";
import { parseZone } from "../lib/zones.ts";

Deno.test("octalToZoneEscapes() turns Route 53's \\ooo into zone-file decimal \\DDD", () => {
  eq(octalToZoneEscapes("a\\040b.shop.test."), "a\\032b.shop.test.");
  eq(octalToZoneEscapes('"\\377\\"\\\\"'), '"\\255\\"\\\\"');
  eq(octalToZoneEscapes("plain"), "plain");
});

Deno.test("formatZone() prints comments, $ORIGIN and one line per value", () => {
  const text = formatZone("shop.test", [
    { name: "*.shop.test.", type: "A", ttl: 60, values: ["192.0.2.1", "192.0.2.2"] },
    { name: "t\\040x.shop.test.", type: "TXT", ttl: 5, values: ['"a\\303\\251"'] },
  ], { comments: ["exported", "two lines\nhere"] });
  eq(
    text,
    "; exported\n; two lines\n; here\n$ORIGIN shop.test.\n" +
      "*.shop.test. 60 IN A 192.0.2.1\n*.shop.test. 60 IN A 192.0.2.2\n" +
      't\\032x.shop.test. 5 IN TXT "a\\195\\169"\n',
  );
  eq(parseZone(text, { zone: "shop.test" }).rrsets.map((s) => s.name), [
    "*.shop.test.",
    "t\\040x.shop.test.",
  ]);
});
