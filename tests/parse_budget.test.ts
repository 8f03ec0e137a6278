import { deepStrictEqual as eq } from "node:assert/strict";
import { parseZone } from "../lib/zones.ts";

// maxParseMs: 0 makes every clock reading late, so the file stops at the first one
// (the 256th line or generated record): the outcome, not the time, is asserted.
const spent = { maxParseMs: 0 };

Deno.test("a BIND file that outlasts its time budget is refused, naming the line reached", () => {
  const r = parseZone("junk line here\n".repeat(5000), { zone: "shop.test", limits: spent });
  eq(r.errors[0], {
    line: 0,
    message:
      "reading this file took longer than 0 s; stopped at line 256: fix the errors listed (or split the file) and push again",
  });
  eq(r.rrsets.length <= 256, true);
});

Deno.test("a legacy file is held to the same time budget", () => {
  const r = parseZone("+www:999.1.1.1\n".repeat(5000), { zone: "shop.test", limits: spent });
  eq(r.format, "legacy");
  eq(r.errors[0]?.line, 0);
  eq(r.errors[0]?.message.includes("stopped at line 256:"), true);
});

Deno.test("$GENERATE stops inside its expansion when the budget is spent", () => {
  const r = parseZone("$TTL 60\n$GENERATE 1-5000 h$ A 10.0.0.1\n", {
    zone: "shop.test",
    limits: spent,
  });
  eq(r.errors.map((e) => e.line), [0]);
  eq(r.errors[0]?.message.includes("stopped at line 2:"), true);
  eq(r.rrsets.length < 256, true);
});

Deno.test("a file read within its budget has no time error", () => {
  const r = parseZone("$TTL 60\n" + "www A 192.0.2.1\n".repeat(200), {
    zone: "shop.test",
    limits: spent,
  });
  eq(r.errors, []);
});
