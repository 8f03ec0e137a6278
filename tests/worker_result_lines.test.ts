import assert from "node:assert/strict";
import { resultLines } from "../lib/worker.ts";

Deno.test("resultLines() escapes the lines it publishes for the hook to print", () => {
  const file = "zones/a.test\nremote: dns-api: forged.test: +1 ~0 -0 succeeded";
  const lines = resultLines({
    user: "trudy",
    commit: null,
    ok: false,
    zones: [{ zone: "a.test", file, status: "invalid", summary: `${file}: not a domain name` }],
    log: [{ level: "error", message: "zones/b.test:1: \x1b[2J is not an address" }],
  });
  assert.deepEqual(lines, [
    "zones/a.test\\nremote: dns-api: forged.test: +1 ~0 -0 succeeded: not a domain name",
    "zones/b.test:1: \\x1b[2J is not an address",
  ]);
});
