import assert from "node:assert/strict";
import { leaseHeld } from "../lib/worker.ts";

Deno.test("leaseHeld() is true while the lease was renewed recently and never reported lost", () => {
  assert.equal(leaseHeld(false, 1000, 1000, 30_000), true);
  assert.equal(leaseHeld(false, 1000, 1000 + 23_999, 30_000), true);
});

Deno.test("leaseHeld() is false once renewals stopped for most of the lease (Redis unreachable)", () => {
  assert.equal(leaseHeld(false, 1000, 1000 + 24_000, 30_000), false);
  assert.equal(leaseHeld(false, 1000, 1000 + 60_000, 30_000), false);
});

Deno.test("leaseHeld() is false as soon as a heartbeat reports the lock lost", () => {
  assert.equal(leaseHeld(true, 1000, 1000, 30_000), false);
});
