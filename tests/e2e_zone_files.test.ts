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

Deno.test("a push of Unicode names publishes A-labels, and pre-receive, check and the worker tell the same story", async () => {
  const world = await createWorld();
  try {
    await world.addUser("ines");
    const clone = await world.clone("ines");
    await world.commit(clone, {
      "zones/café.test": "$TTL 300\n@ A 192.0.2.1\nbücher A 192.0.2.2\nwww CNAME bücher\n",
      "zones/shop.test.zone": "@ 300 IN A 192.0.2.3\n",
      "zones/README.md": "# my zones\n",
      "zones/.gitkeep": "",
    });
    const notice = "zones/.gitkeep, zones/README.md: not zone files, skipped (README*, " +
      "LICENSE*, CHANGELOG* and dot-files are never synced)";
    const literally = "the zone is named literally after the file: zones/shop.test.zone is the " +
      "domain shop.test.zone; if you meant shop.test, rename the file: " +
      "git mv zones/shop.test.zone zones/shop.test";

    const push = await world.push(clone);
    assert.ok(push.uuid, push.output);
    // git pads each remote line with blanks (to clear the terminal's line).
    const remote = push.output.split("\n").map((l) => l.trimEnd()).filter((l) =>
      l.startsWith("remote: ")
    );
    assert.equal(remote.filter((l) => l === `remote: ${notice}`).length, 1, push.output);
    assert.ok(remote.includes(`remote: zones/shop.test.zone: warning: ${literally}`), push.output);

    const check = await world.cli(["check", `${clone}/zones`]);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.deepEqual(check.stdout.replaceAll(`${clone}/`, "").trimEnd().split("\n"), [
      notice,
      "zones/café.test: ok, zone café.test (xn--caf-dma.test), 3 record sets, 0 warnings",
      `zones/shop.test.zone: warning: ${literally}`,
      "zones/shop.test.zone: ok, zone shop.test.zone, 1 record sets, 1 warnings",
    ]);

    const worker = world.startWorker({ args: ["--until-idle"] });
    assert.equal((await worker.status).code, 0, worker.output());
    const job = await world.waitFinal(push.uuid);
    assert.equal(job.status, "succeeded", JSON.stringify(job.log));
    const messages = job.log.map((l) => l.message);
    assert.equal(messages.filter((m) => m === notice).length, 1, messages.join("\n"));
    assert.ok(messages.includes(`zones/shop.test.zone: ${literally}`), messages.join("\n"));
    assert.ok(messages.includes("café.test (xn--caf-dma.test): +3 ~0 -0"), messages.join("\n"));
    assert.ok(job.log.some((l) => l.zone === "xn--caf-dma.test"), "logged under the A-label");
    assert.deepEqual(await world.managedSets("xn--caf-dma.test"), [
      {
        name: "www.xn--caf-dma.test.",
        type: "CNAME",
        ttl: 300,
        values: ["xn--bcher-kva.xn--caf-dma.test."],
      },
      { name: "xn--bcher-kva.xn--caf-dma.test.", type: "A", ttl: 300, values: ["192.0.2.2"] },
      { name: "xn--caf-dma.test.", type: "A", ttl: 300, values: ["192.0.2.1"] },
    ]);
    assert.deepEqual(await world.managedSets("shop.test.zone"), [
      { name: "shop.test.zone.", type: "A", ttl: 300, values: ["192.0.2.3"] },
    ]);

    // The domain row is the A-label, so deleting the Unicode-named file is noticed.
    await world.commit(clone, { "zones/café.test": null });
    const removal = await world.push(clone);
    assert.ok(removal.uuid, removal.output);
    const again = world.startWorker({ args: ["--until-idle"] });
    assert.equal((await again.status).code, 0, again.output());
    const removed = (await world.waitFinal(removal.uuid)).log.map((l) => l.message);
    assert.ok(
      removed.some((m) =>
        m.startsWith("café.test (xn--caf-dma.test): zones/café.test was deleted; its records stay")
      ),
      removed.join("\n"),
    );
  } finally {
    await world.close();
  }
});

Deno.test("an invalid IDN file name is refused by pre-receive with the words check uses", async () => {
  const world = await createWorld();
  try {
    await world.addUser("omar");
    const clone = await world.clone("omar");
    await world.commit(clone, { "zones/1عربي.test": "@ 300 IN A 192.0.2.1\n" });
    const push = await world.push(clone);
    assert.notEqual(push.code, 0, push.output);
    assert.equal(push.uuid, null);
    const check = await world.cli(["check", `${clone}/zones`]);
    assert.equal(check.code, 1);
    const problem = check.stdout.split("\n")[0]?.replace(`${clone}/`, "") ?? "";
    assert.ok(
      problem.startsWith(
        'zones/1عربي.test: the file name must be the domain name: the label "1عربي"',
      ),
      problem,
    );
    const remote = push.output.split("\n").map((l) => l.trimEnd());
    assert.ok(remote.includes(`remote: ${problem}`), push.output);
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
