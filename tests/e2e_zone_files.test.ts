import assert from "node:assert/strict";
import { createWorld } from "../testing/world.ts";

Deno.test("two files naming one zone are both refused, and the other zones still sync", async () => {
  const world = await createWorld();
  try {
    await world.addUser("dina");
    const clone = await world.clone("dina");
    await world.commit(clone, {
      "zones/Twin.test": "@ 300 IN A 192.0.2.1\n",
      "zones/twin.test": "@ 300 IN A 192.0.2.2\n",
      "zones/solo.test": "@ 300 IN A 192.0.2.3\n",
      "zones/.gitkeep": "",
      "zones/example.com": "@ 300 IN A 192.0.2.4\n",
    });
    const push = await world.push(clone);
    assert.ok(push.uuid, push.output);
    const worker = world.startWorker({ args: ["--until-idle"] });
    assert.equal((await worker.status).code, 0, worker.output());
    const job = await world.waitFinal(push.uuid);
    assert.equal(job.status, "failed");
    const messages = job.log.map((l) => l.message);
    assert.ok(
      messages.includes(
        "twin.test: not synced: zones/Twin.test and zones/twin.test both name this zone; keep one",
      ),
      messages.join("\n"),
    );
    assert.equal(await world.recordSets("twin.test"), null);
    assert.deepEqual(await world.managedSets("solo.test"), [
      { name: "solo.test.", type: "A", ttl: 300, values: ["192.0.2.3"] },
    ]);
    assert.equal(await world.recordSets("example.com"), null, "example.* files are samples");
    assert.ok(messages.includes("zones/example.com: sample file, skipped"), messages.join("\n"));
  } finally {
    await world.close();
  }
});
