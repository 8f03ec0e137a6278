/**
 * End to end, a pathological zone file in the worker: bad lines until the parser's
 * time budget (5 s) stops the read. The worker is a real `main.ts run` subprocess
 * (testing/world.ts); the repository's pre-receive hook is removed, as in
 * tests/e2e_hostile.test.ts, so the file reaches the worker. What is asserted is the
 * order of events and the outcomes; bench/pathological_push.ts measures the times.
 */
import assert from "node:assert/strict";
import { createWorld, sets } from "../testing/world.ts";

// 10 MB of the costliest bad line known (an unknown type: 10-30 µs a line), so the
// 5 s budget is reached on any machine (read in full, it takes 25-80 s).
const JUNK = "a b\n".repeat(2_500_000);
const OK = "$TTL 300\n@ IN A 192.0.2.7\n";

Deno.test("a pathological push: SIGTERM is honoured mid-parse, the file is refused with a reason, the other zone syncs", async (t) => {
  const world = await createWorld();
  try {
    await world.addUser("mallory");
    await Deno.remove(`${world.reposRoot}/mallory/hooks/pre-receive`);
    const clone = await world.clone("mallory");
    await world.commit(clone, { "zones/junk.test": JUNK, "zones/fine.test": OK });
    const push = await world.push(clone);
    assert.equal(push.code, 0, push.output);
    const uuid = push.uuid;
    assert.ok(uuid, push.output);

    await t.step(
      "SIGTERM while the worker reads the file: exit 0, the job handed back",
      async () => {
        const worker = world.startWorker({ env: { DNSAPI_SHUTDOWN_SECONDS: "0.5" } });
        await worker.waitForEvent((e) => e.event === "start" && e.uuid === uuid);
        worker.kill("SIGTERM");
        assert.equal((await worker.status).code, 0, worker.output());
        const events = worker.events().map((e) => e.event);
        assert.ok(events.includes("abandoned"), events.join(","));
        assert.ok(!events.includes("done"), "stopped before the sync finished");
        assert.notEqual((await world.logs(uuid))?.status, "succeeded");
      },
    );

    await t.step(
      "the next worker refuses the file naming the line reached, and syncs the rest",
      async () => {
        const worker = world.startWorker();
        const job = await world.waitFinal(uuid, 60_000);
        assert.equal(job.status, "failed", JSON.stringify(job));
        const log = job.log.map((l) => l.message).join("\n");
        assert.match(
          log,
          /zones\/junk\.test: reading this file took longer than 5 s; stopped at line \d+: fix the errors listed/,
        );
        assert.deepEqual(
          await world.managedSets("fine.test"),
          sets([{ name: "fine.test.", type: "A", ttl: 300, values: ["192.0.2.7"] }]),
        );
        assert.equal(
          await world.managedSets("junk.test"),
          null,
          "nothing of the junk reached Route 53",
        );
        worker.kill("SIGTERM");
        assert.equal((await worker.status).code, 0, worker.output());
      },
    );
  } finally {
    await world.close();
  }
});

Deno.test("a push of many pathological files costs one bounded sync: the files past the sync's 10 s are refused unread", async () => {
  const world = await createWorld();
  try {
    await world.addUser("mallory");
    await Deno.remove(`${world.reposRoot}/mallory/hooks/pre-receive`);
    const clone = await world.clone("mallory");
    const files: Record<string, string> = {};
    for (const n of [1, 2, 3, 4]) files[`zones/junk${n}.test`] = JUNK;
    await world.commit(clone, files);
    const push = await world.push(clone);
    assert.equal(push.code, 0, push.output);
    assert.ok(push.uuid, push.output);
    const worker = world.startWorker();
    const job = await world.waitFinal(push.uuid, 60_000);
    worker.kill("SIGTERM");
    assert.equal((await worker.status).code, 0, worker.output());
    assert.equal(job.status, "failed", JSON.stringify(job));
    const log = job.log.map((l) => l.message).join("\n");
    // junk1 spends the file's 5 s; junk2 what is left of the sync's 10 s; the rest wait.
    assert.match(
      log,
      /zones\/junk1\.test: reading this file took longer than 5 s; stopped at line/,
    );
    assert.match(
      log,
      /junk4\.test: not synced: this sync's zone files took longer than 10 s to read in total, before zones\/junk4\.test/,
    );
  } finally {
    await world.close();
  }
});
