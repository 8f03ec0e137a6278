/**
 * End to end: a customer pushes an apex alias to a load balancer and a `$self` alias;
 * the local Route 53 then holds exactly those alias sets, and a second push of an
 * unrelated change leaves them as they are.
 */
import assert from "node:assert/strict";
import { createWorld, sets } from "../testing/world.ts";

const FILE = `$TTL 300
@    AWS ALIAS A dualstack.my-lb-1234.us-east-1.elb.amazonaws.com. Z35SXDOTRQ7X7K false
api  IN A 192.0.2.1
www  AWS ALIAS A api $self false
`;

Deno.test("a pushed apex alias to a load balancer and a $self alias reach Route 53 exactly", async () => {
  const world = await createWorld();
  try {
    await world.addUser("alice");
    const clone = await world.clone("alice");
    const worker = world.startWorker();
    await worker.waitForEvent((e) => e.event === "started");
    await world.commit(clone, { "zones/shop.test": FILE }, "aliases");
    const push = await world.push(clone);
    assert.ok(push.uuid, push.output);
    const job = await world.waitFinal(push.uuid);
    assert.equal(job.status, "succeeded", JSON.stringify(job));
    const held = await world.managedSets("shop.test");
    const zoneId = held?.find((s) => s.name === "www.shop.test.")?.alias?.zoneId ?? "";
    assert.match(zoneId, /^Z[A-Z0-9]+$/);
    const expected = sets([
      {
        name: "shop.test.",
        type: "A",
        ttl: null,
        values: [],
        alias: {
          zoneId: "Z35SXDOTRQ7X7K",
          target: "dualstack.my-lb-1234.us-east-1.elb.amazonaws.com.",
          evaluateTargetHealth: false,
        },
      },
      { name: "api.shop.test.", type: "A", ttl: 300, values: ["192.0.2.1"] },
      {
        name: "www.shop.test.",
        type: "A",
        ttl: null,
        values: [],
        alias: { zoneId, target: "api.shop.test.", evaluateTargetHealth: false },
      },
    ]);
    assert.deepEqual(held, expected);

    await world.commit(clone, { "zones/shop.test": FILE + "; a comment only\n" }, "again");
    const second = await world.push(clone);
    assert.ok(second.uuid, second.output);
    const again = await world.waitFinal(second.uuid);
    assert.equal(again.status, "succeeded", JSON.stringify(again));
    assert.ok(
      again.log.some((l) => l.message === "shop.test: +0 ~0 -0"),
      JSON.stringify(again.log),
    );
    assert.deepEqual(await world.managedSets("shop.test"), expected);
  } finally {
    await world.close();
  }
});
