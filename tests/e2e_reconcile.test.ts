/**
 * End to end, the scheduled reconcile (lib/worker/reconcile.ts): with a tiny
 * DNSAPI_FULL_SYNC_HOURS, the worker reconciles a zone without a push. A zone without
 * drift gets a job of its own saying nothing had changed; a record changed by hand in
 * Route 53 is restored, and the customer's log for that job (`logs UUID`) says
 * "changed outside the repository, restored: …" with the change.
 */
import assert from "node:assert/strict";
import {
  ChangeResourceRecordSetsCommand,
  ListHostedZonesByNameCommand,
} from "@aws-sdk/client-route-53";
import { localClient } from "../testing/route53_local/fixture.ts";
import { createWorld, sets, type WorkerProcess, type World } from "../testing/world.ts";

function messages(job: { log: { message: string }[] }): string {
  return job.log.map((l) => l.message).join("\n");
}

/** Waits for reconcile jobs of `zone` in turn until one's log matches `pattern`. */
async function reconcileMatching(
  world: World,
  worker: WorkerProcess,
  zone: string,
  pattern: RegExp,
  seen: Set<string>,
) {
  for (;;) {
    const event = await worker.waitForEvent((e) =>
      e.event === "reconcile" && e.zone === zone && !seen.has(String(e.uuid))
    );
    const uuid = String(event.uuid);
    seen.add(uuid);
    const job = await world.waitFinal(uuid);
    if (pattern.test(messages(job))) return job;
  }
}

Deno.test("a zone changed by hand in Route 53 is restored by the scheduled reconcile, without a push", async (t) => {
  // 0.0003 h ≈ 1 s: every zone is overdue a second after its last full reconcile.
  const world = await createWorld({ env: { DNSAPI_FULL_SYNC_HOURS: "0.0003" } });
  const client = localClient(world.route53.url);
  try {
    await world.addUser("bob");
    const worker = world.startWorker();
    await worker.waitForEvent((e) => e.event === "started");
    const bob = await world.clone("bob");
    await world.commit(bob, { "zones/drift.test": "www 300 IN A 192.0.2.8\n" });
    const push = await world.push(bob);
    assert.equal(push.code, 0, push.output);
    assert.ok(push.uuid, push.output);
    assert.equal((await world.waitFinal(push.uuid)).status, "succeeded");
    const wanted = sets([{ name: "www.drift.test.", type: "A", ttl: 300, values: ["192.0.2.8"] }]);
    const seen = new Set<string>([push.uuid]);

    await t.step("a zone without drift gets a reconcile job saying nothing changed", async () => {
      const job = await reconcileMatching(world, worker, "drift.test", /./, seen);
      assert.equal(job.status, "succeeded", JSON.stringify(job));
      assert.match(
        messages(job),
        /^drift\.test: reconciled with Route 53; nothing had changed outside the repository$/m,
      );
      assert.deepEqual(await world.managedSets("drift.test"), wanted);
    });

    await t.step("a record changed by hand is restored and the customer is told", async () => {
      const zones = await client.send(new ListHostedZonesByNameCommand({ DNSName: "drift.test" }));
      const zoneId = zones.HostedZones?.find((z) => z.Name === "drift.test.")?.Id;
      assert.ok(zoneId);
      await client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: {
            Changes: [{
              Action: "UPSERT",
              ResourceRecordSet: {
                Name: "www.drift.test.",
                Type: "A",
                TTL: 300,
                ResourceRecords: [{ Value: "192.0.2.99" }],
              },
            }],
          },
        }),
      );
      const job = await reconcileMatching(
        world,
        worker,
        "drift.test",
        /changed outside the repository/,
        seen,
      );
      assert.equal(job.status, "succeeded", JSON.stringify(job));
      assert.match(
        messages(job),
        /^drift\.test: changed outside the repository, restored: ~ www\.drift\.test\. 300 A 192\.0\.2\.99 -> 300 192\.0\.2\.8$/m,
      );
      assert.deepEqual(await world.managedSets("drift.test"), wanted);
      // Its own job: a new uuid, not the push's, shown by `logs` like any other.
      const shown = await world.cli(["logs", job.uuid]);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /changed outside the repository, restored: ~ www\.drift\.test\./);
    });
  } finally {
    client.destroy();
    await world.close();
  }
});
