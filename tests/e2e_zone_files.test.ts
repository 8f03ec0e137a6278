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

Deno.test("a push with classic mistakes is published as written, and the push output and the job log warn with file:line", async () => {
  const world = await createWorld();
  try {
    await world.addUser("omar");
    const clone = await world.clone("omar");
    await world.commit(clone, {
      "zones/acme-widgets.com": "$TTL 300\n" +
        "@ NS ns1.old-host.example.\n" +
        "blog CNAME acme.ghost.io\n" +
        "www A 192.0.2.10\n",
    });
    const push = await world.push(clone);
    assert.ok(push.uuid, push.output);
    const cname = 'CNAME target "acme.ghost.io" has no trailing dot';
    assert.ok(
      push.output.includes(`remote: zones/acme-widgets.com:3: warning: ${cname}`),
      push.output,
    );
    const worker = world.startWorker({ args: ["--until-idle"] });
    assert.equal((await worker.status).code, 0, worker.output());
    const job = await world.waitFinal(push.uuid);
    assert.equal(job.status, "succeeded", JSON.stringify(job.log));
    const warned = job.log.filter((l) => l.level === "warn").map((l) => l.message);
    assert.ok(
      warned.some((m) => m.startsWith(`zones/acme-widgets.com:3: ${cname}`)),
      warned.join("\n"),
    );
    assert.ok(
      warned.some((m) =>
        m.startsWith("zones/acme-widgets.com:2: the apex NS records name ns1.old-host.example.")
      ),
      warned.join("\n"),
    );
    // Published exactly as BIND reads the file: the warning changes nothing.
    assert.deepEqual(await world.managedSets("acme-widgets.com"), [
      {
        name: "blog.acme-widgets.com.",
        type: "CNAME",
        ttl: 300,
        values: ["acme.ghost.io.acme-widgets.com."],
      },
      { name: "www.acme-widgets.com.", type: "A", ttl: 300, values: ["192.0.2.10"] },
    ]);
  } finally {
    await world.close();
  }
});
