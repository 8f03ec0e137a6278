/**
 * End to end, workers that die or are stopped mid-job. The local Route 53 server
 * answers slowly here (latencyMs) so a sync takes several seconds and the signal lands
 * while it runs; the lease is 3 s (testing/world.ts).
 */
import assert from "node:assert/strict";
import { createWorld, sets, type World } from "../testing/world.ts";

const LATENCY_MS = 700;

function zone(name: string, last: number): string {
  return `$TTL 300\n@ IN A 192.0.2.${last}\nwww IN CNAME ${name}.\n`;
}

function expected(name: string, last: number) {
  return sets([
    { name: `${name}.`, type: "A", ttl: 300, values: [`192.0.2.${last}`] },
    { name: `www.${name}.`, type: "CNAME", ttl: 300, values: [`${name}.`] },
  ]);
}

async function pushZone(world: World, clone: string, name: string, last: number) {
  await world.commit(clone, { [`zones/${name}`]: zone(name, last) });
  const push = await world.push(clone);
  assert.equal(push.code, 0, push.output);
  assert.ok(push.uuid, push.output);
  return push.uuid;
}

Deno.test("workers killed or stopped mid-job lose no job and leave Route 53 correct", async (t) => {
  const world = await createWorld({ route53: { latencyMs: LATENCY_MS } });
  try {
    await world.addUser("erin");
    const clone = await world.clone("erin");

    await t.step(
      "kill -9 mid-sync: another worker takes the job over after the lease",
      async () => {
        const doomed = world.startWorker();
        const uuid = await pushZone(world, clone, "crash.test", 1);
        await doomed.waitForEvent((e) => e.event === "start" && e.uuid === uuid);
        // Let it get into its Route 53 calls (each takes LATENCY_MS).
        await new Promise((r) => setTimeout(r, LATENCY_MS * 1.5));
        doomed.kill("SIGKILL");
        const status = await doomed.status;
        assert.equal(status.signal, "SIGKILL");
        assert.ok(!doomed.events().some((e) => e.event === "done"), "killed before it finished");
        const midway = await world.logs(uuid);
        assert.ok(midway && midway.status !== "succeeded", JSON.stringify(midway));

        const rescuer = world.startWorker();
        const job = await world.waitFinal(uuid);
        assert.equal(job.status, "succeeded", JSON.stringify(job));
        const start = await rescuer.waitForEvent((e) => e.event === "start" && e.uuid === uuid);
        assert.equal(start.attempt, 2, "the rescuer's attempt counts the dead worker's");
        assert.deepEqual(await world.managedSets("crash.test"), expected("crash.test", 1));
        rescuer.kill("SIGTERM");
        assert.equal((await rescuer.status).code, 0, rescuer.output());
      },
    );

    await t.step(
      "SIGTERM mid-sync: the job in hand finishes, then the worker exits 0",
      async () => {
        const worker = world.startWorker();
        const uuid = await pushZone(world, clone, "crash.test", 2);
        await worker.waitForEvent((e) => e.event === "start" && e.uuid === uuid);
        worker.kill("SIGTERM");
        assert.equal((await worker.status).code, 0, worker.output());
        const events = worker.events().map((e) => e.event);
        assert.ok(events.indexOf("done") < events.indexOf("stopped"), events.join(","));
        const job = await world.waitFinal(uuid, 10_000);
        assert.equal(job.status, "succeeded", JSON.stringify(job));
        assert.deepEqual(await world.managedSets("crash.test"), expected("crash.test", 2));
      },
    );

    await t.step(
      "SIGTERM past the shutdown deadline: exit 0, the job is handed back and done by the next worker",
      async () => {
        const worker = world.startWorker({ env: { DNSAPI_SHUTDOWN_SECONDS: "0.2" } });
        // A new zone: hosted zone creation and the first write take several slow calls.
        const uuid = await pushZone(world, clone, "late.test", 3);
        await worker.waitForEvent((e) => e.event === "start" && e.uuid === uuid);
        worker.kill("SIGTERM");
        assert.equal((await worker.status).code, 0, worker.output());
        assert.ok(
          worker.events().some((e) => e.event === "abandoned"),
          `the deadline passed mid-sync:\n${worker.output()}`,
        );
        assert.notEqual((await world.logs(uuid))?.status, "succeeded");
        const next = world.startWorker();
        const job = await world.waitFinal(uuid);
        assert.equal(job.status, "succeeded", JSON.stringify(job));
        assert.deepEqual(await world.managedSets("late.test"), expected("late.test", 3));
        assert.deepEqual(await world.managedSets("crash.test"), expected("crash.test", 2));
        next.kill("SIGTERM");
        assert.equal((await next.status).code, 0, next.output());
      },
    );
  } finally {
    await world.close();
  }
});
