import { deepStrictEqual as eq } from "node:assert/strict";
import { parseZone } from "../lib/zones.ts";
import { resultLines } from "../lib/worker.ts";

// These files take a second or two to read; the time budget is not what they test, and a
// busy machine must not turn a count of errors into a time-out.
const UNTIMED = { maxParseMs: Number.POSITIVE_INFINITY };

function badLines(n: number): string {
  return "$TTL 60\n" + "www A 999.1.1.1\n".repeat(n);
}

Deno.test("parseZone() keeps the first 100 errors of a file, then one '… and N more'", () => {
  const r = parseZone(badLines(100_000), { zone: "shop.test", limits: UNTIMED });
  eq(r.errors.length, 101);
  eq(r.errors.slice(0, 100).map((e) => e.line), Array.from({ length: 100 }, (_, i) => i + 2));
  eq(r.errors[100], {
    line: 102,
    message:
      "… and 99900 more errors from this line on (only the first 100 are listed): fix these and check again",
  });
});

Deno.test("parseZone() keeps the errors of the first lines, whatever order they came in", () => {
  // the CNAME-beside-data errors are found at the end, on lines before the bad addresses
  const text = "$TTL 60\nc CNAME x.test.\nc A 192.0.2.1\n" + "www A 999.1.1.1\n".repeat(300);
  const r = parseZone(text, { zone: "shop.test", limits: UNTIMED });
  eq(r.errors.length, 101);
  eq(r.errors[0]?.line, 3);
  eq(r.errors[100]?.line, 103);
  eq(r.errors[100]?.message.startsWith("… and 201 more errors from this line on"), true);
});

Deno.test("a legacy file of 100,000 bad lines gives 101 problems too", () => {
  const r = parseZone("+www:999.1.1.1\n".repeat(100_000), { zone: "shop.test", limits: UNTIMED });
  eq(r.format, "legacy");
  eq(r.errors.length, 101);
  eq(r.errors[100]?.message.startsWith("… and 99900 more errors"), true);
});

Deno.test("parseZone() keeps 100 warnings and counts the rest the same way", () => {
  const r = parseZone("www 60 A 192.0.2.1\n" + "www 61 A 192.0.2.1\n".repeat(1000), {
    zone: "shop.test",
  });
  eq(r.errors, []);
  eq(r.warnings.length, 101);
  eq(r.warnings[100]?.message.startsWith("… and 900 more warnings from this line on"), true);
});

Deno.test("100,000 identical records read into one value", () => {
  const r = parseZone("$TTL 60\n" + "www A 192.0.2.1\n".repeat(100_000), {
    zone: "shop.test",
    limits: UNTIMED,
  });
  eq(r.errors, []);
  eq(r.rrsets, [{ name: "www.shop.test.", type: "A", ttl: 60, values: ["192.0.2.1"] }]);
});

/** Elements Array.prototype.includes and indexOf look at while `f` runs. */
function elementsScanned(f: () => void): number {
  const proto = Array.prototype as unknown as Record<string, unknown>;
  const originals = { includes: proto.includes, indexOf: proto.indexOf };
  let scanned = 0;
  for (const [name, original] of Object.entries(originals)) {
    proto[name] = function (this: unknown[], ...args: unknown[]) {
      scanned += this.length;
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
  try {
    f();
  } finally {
    Object.assign(proto, originals);
  }
  return scanned;
}

Deno.test("resultLines() de-duplicates error lines in linear work, keeping their order", () => {
  const result = (n: number) => ({
    user: "steve",
    commit: null,
    zones: [{
      zone: "shop.test",
      file: "zones/shop.test",
      status: "invalid" as const,
      summary: "s",
    }],
    log: Array.from({ length: n }, (_, i) => ({
      level: "error" as const,
      message: i % 2 === 0 ? "s" : `zones/shop.test:${i}: bad`,
    })),
    ok: false,
  });
  let lines: string[] = [];
  const small = elementsScanned(() => resultLines(result(10_000)));
  const big = elementsScanned(() => lines = resultLines(result(100_000)));
  eq(lines.length, 50_001);
  eq(lines.slice(0, 3), ["s", "zones/shop.test:1: bad", "zones/shop.test:3: bad"]);
  // ten times the lines, at most ten times the elements compared (quadratic was 100 times)
  eq(big <= 10 * small + 10, true, `scanned ${small} then ${big}`);
});
