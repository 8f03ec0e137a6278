import assert from "node:assert/strict";
import { backoffMs } from "../lib/queue.ts";

const options = { baseMs: 5000, maxMs: 300_000 };

Deno.test("backoffMs() doubles from the base delay with each attempt", () => {
  assert.deepEqual([1, 2, 3, 4].map((a) => backoffMs(a, options)), [5000, 10_000, 20_000, 40_000]);
});

Deno.test("backoffMs() never exceeds the maximum, even for huge attempt numbers", () => {
  assert.equal(backoffMs(7, options), 300_000);
  assert.equal(backoffMs(10_000, options), 300_000);
});

Deno.test("backoffMs() takes off at most the jitter share, scaled by the random input", () => {
  const jittered = { ...options, jitter: 0.2 };
  assert.equal(backoffMs(2, jittered, 0), 10_000);
  assert.equal(backoffMs(2, jittered, 0.5), 9000);
  assert.equal(backoffMs(2, jittered, 0.999), 8002);
});
