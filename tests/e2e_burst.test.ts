/**
 * End to end, a customer pushing in a burst while two worker processes run: at most
 * two syncs (the one running when the burst starts, and one for everything pushed
 * during it), never two at once, and every uuid final with a log naming its sync.
 */
import assert from "node:assert/strict";
import { createWorld, sets } from "../testing/world.ts";

const PUSHES = 20;

function zone(i: number): string {
  return `$TTL 300\n@ IN A 192.0.2.${i}\nburst IN TXT "push ${i}"\n`;
}

Deno.test("a burst of 20 pushes by one user with 2 workers costs at most 2 syncs and every uuid ends final", async () => {
  // A long lease: the first sync is held (SIGSTOP) for the whole burst below, as a
  // slow sync would be; it must keep its lock, not be taken over.
  const world = await createWorld({ env: { DNSAPI_LEASE_SECONDS: "120" } });
  try {
    await world.addUser("dave");
    const clone = await world.clone("dave");
    const workers = [world.startWorker(), world.startWorker()];
    await Promise.all(workers.map((w) => w.waitForEvent((e) => e.event === "started")));

    await world.commit(clone, { "zones/burst.test": zone(1) }, "push 1");
    const first = await world.push(clone);
    assert.ok(first.uuid, first.output);
    const firstUuid = first.uuid;
    // Whichever worker took the first push is frozen mid-sync while the burst arrives.
    const busy = await Promise.any(
      workers.map((w) =>
        w.waitForEvent((e) => e.event === "start" && e.uuid === firstUuid).then(() => w)
      ),
    );
    Deno.kill(busy.pid, "SIGSTOP");
    const uuids = [firstUuid];
    try {
      for (let i = 2; i <= PUSHES; i++) {
        await world.commit(clone, { "zones/burst.test": zone(i) }, `push ${i}`);
        const push = await world.push(clone);
        assert.equal(push.code, 0, push.output);
        assert.ok(push.uuid, push.output);
        uuids.push(push.uuid);
      }
    } finally {
      Deno.kill(busy.pid, "SIGCONT");
    }
    assert.equal(new Set(uuids).size, PUSHES);

    const jobs = [];
    for (const uuid of uuids) jobs.push(await world.waitFinal(uuid));
    for (const job of jobs) assert.equal(job.status, "succeeded", JSON.stringify(job));

    const starts = workers.flatMap((w) =>
      w.events().filter((e) => e.event === "start" && e.user === "dave")
    );
    // A worker prints "done" after it has published the result the loop above waited
    // for, so its line may still be on its way: wait for it before counting.
    await Promise.all(
      workers.flatMap((w) =>
        w.events().filter((e) => e.event === "start" && e.user === "dave").map((s) =>
          w.waitForEvent((e) => e.event === "done" && e.uuid === s.uuid)
        )
      ),
    );
    const dones = workers.flatMap((w) =>
      w.events().filter((e) => e.event === "done" && e.user === "dave")
    );
    // At most 2; here exactly 2, since the first was reserved before the burst began.
    assert.equal(starts.length, 2, `syncs: ${JSON.stringify(starts)}`);
    assert.equal(dones.length, starts.length);
    // Never two at once: each sync starts after the previous one is done.
    const spans = starts.map((s) => {
      const done = dones.find((d) => d.uuid === s.uuid);
      assert.ok(done, `sync ${String(s.uuid)} finished`);
      return { start: String(s.ts), done: String(done.ts), uuid: String(s.uuid) };
    }).sort((a, b) => a.start.localeCompare(b.start));
    for (let i = 1; i < spans.length; i++) {
      assert.ok(
        spans[i]!.start >= spans[i - 1]!.done,
        `overlapping syncs ${JSON.stringify(spans)}`,
      );
    }

    // Covered pushes say which sync covered them; each sync's own job says how many.
    const syncIds = new Set(spans.map((s) => s.uuid));
    assert.ok(syncIds.has(firstUuid), "the first push was synced by its own job");
    assert.ok(syncIds.has(uuids[PUSHES - 1]!), "the last push's job ran the covering sync");
    const covering = jobs[PUSHES - 1]!.log.map((l) => l.message);
    assert.ok(covering.includes(`this sync covered ${PUSHES - 1} pushes`), covering.join("\n"));
    for (const job of jobs) {
      const text = job.log.map((l) => l.message).join("\n");
      if (syncIds.has(job.uuid)) {
        assert.match(text, /synced by this job|this sync covered \d+ pushes/, text);
      } else {
        const m = /covered by the sync of job ([0-9a-f-]{36})/.exec(text);
        assert.ok(m, `job ${job.uuid} names its sync: ${text}`);
        assert.ok(syncIds.has(m[1]!), `${m[1]} is one of the syncs that ran`);
      }
    }
    assert.deepEqual(
      await world.managedSets("burst.test"),
      sets([
        { name: "burst.test.", type: "A", ttl: 300, values: [`192.0.2.${PUSHES}`] },
        { name: "burst.burst.test.", type: "TXT", ttl: 300, values: [`"push ${PUSHES}"`] },
      ]),
    );
    for (const w of workers) w.kill("SIGTERM");
    for (const w of workers) assert.equal((await w.status).code, 0, w.output());
  } finally {
    await world.close();
  }
});
