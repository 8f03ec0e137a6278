import assert from "node:assert/strict";
import { createWorld } from "../testing/world.ts";

Deno.test("status shows why a recent job failed, also for a safety-gate refusal", async () => {
  const world = await createWorld();
  try {
    await world.addUser("rex");
    const clone = await world.clone("rex");
    const many = Array.from({ length: 12 }, (_, i) => `h${i} IN A 192.0.2.${i + 1}`);
    await world.commit(clone, { "zones/gate.test": `$TTL 300\n${many.join("\n")}\n` });
    const worker = world.startWorker();
    await worker.waitForEvent((e) => e.event === "started");
    const first = await world.push(clone);
    assert.equal((await world.waitFinal(first.uuid!)).status, "succeeded", first.output);
    await world.commit(clone, { "zones/gate.test": "$TTL 300\nh0 IN A 192.0.2.1\n" });
    const second = await world.push(clone);
    const job = await world.waitFinal(second.uuid!);
    assert.equal(job.status, "failed", second.output);
    const status = await world.cli(["status"]);
    assert.equal(status.code, 0, status.stderr);
    const line = status.stdout.split("\n").find((l) => l.includes(`failed ${second.uuid}`));
    assert.ok(line, status.stdout);
    assert.match(line, /gate\.test: refused: /);
    worker.kill("SIGTERM");
    await worker.status;
  } finally {
    await world.close();
  }
});
