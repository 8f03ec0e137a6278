/**
 * End to end, one customer: real `git push` through the hook `user add` installed,
 * real Redis and MariaDB, the worker daemon as a subprocess, the local Route 53 server
 * read back through the AWS SDK.
 */
import assert from "node:assert/strict";
import { createWorld, sets } from "../testing/world.ts";

const FIRST = `$TTL 300
@        IN A     192.0.2.10
www      IN A     192.0.2.1
www      IN A     192.0.2.2
mail 600 IN MX    10 mx.shop.test.
txt      IN TXT   "hello world"
`;

const SECOND = `$TTL 300
@        IN A     192.0.2.10
www      IN A     192.0.2.3
mail 600 IN MX    10 mx.shop.test.
api  60  IN CNAME www.shop.test.
`;

const REWRITTEN = `$TTL 120
@        IN A     198.51.100.7
`;

Deno.test("a customer's pushes reach Route 53 exactly, through hook, queue, worker and MySQL", async (t) => {
  const world = await createWorld();
  try {
    await world.addUser("alice");
    const clone = await world.clone("alice");
    const worker = world.startWorker();
    await worker.waitForEvent((e) => e.event === "started");

    let firstCommit = "";
    await t.step(
      "a first push queues a job whose sync writes every record set of the file",
      async () => {
        firstCommit = await world.commit(clone, { "zones/shop.test": FIRST }, "first zone");
        const push = await world.push(clone);
        assert.equal(push.code, 0, push.output);
        assert.ok(push.uuid, `no queued line in:\n${push.output}`);
        const job = await world.waitFinal(push.uuid);
        assert.equal(job.status, "succeeded", JSON.stringify(job));
        assert.equal(job.user, "alice");
        assert.equal(job.commit, firstCommit);
        assert.ok(
          job.log.some((l) => l.message === "shop.test: +4 ~0 -0"),
          JSON.stringify(job.log),
        );
        assert.deepEqual(
          await world.managedSets("shop.test"),
          sets([
            { name: "shop.test.", type: "A", ttl: 300, values: ["192.0.2.10"] },
            { name: "mail.shop.test.", type: "MX", ttl: 600, values: ["10 mx.shop.test."] },
            { name: "txt.shop.test.", type: "TXT", ttl: 300, values: ['"hello world"'] },
            { name: "www.shop.test.", type: "A", ttl: 300, values: ["192.0.2.1", "192.0.2.2"] },
          ]),
        );
        const all = await world.recordSets("shop.test");
        assert.ok(all?.some((s) => s.name === "shop.test." && s.type === "NS"), "apex NS kept");
      },
    );

    await t.step(
      "a second push that changes records creates, updates and deletes exactly those",
      async () => {
        const commit = await world.commit(clone, { "zones/shop.test": SECOND }, "change");
        const push = await world.push(clone);
        assert.ok(push.uuid, push.output);
        const job = await world.waitFinal(push.uuid);
        assert.equal(job.status, "succeeded", JSON.stringify(job));
        assert.equal(job.commit, commit);
        assert.ok(
          job.log.some((l) => l.message === "shop.test: +1 ~1 -1"),
          JSON.stringify(job.log),
        );
        assert.deepEqual(
          await world.managedSets("shop.test"),
          sets([
            { name: "shop.test.", type: "A", ttl: 300, values: ["192.0.2.10"] },
            { name: "api.shop.test.", type: "CNAME", ttl: 60, values: ["www.shop.test."] },
            { name: "mail.shop.test.", type: "MX", ttl: 600, values: ["10 mx.shop.test."] },
            { name: "www.shop.test.", type: "A", ttl: 300, values: ["192.0.2.3"] },
          ]),
        );
      },
    );

    await t.step(
      "a push that touches no zone file succeeds without a single Route 53 change call",
      async () => {
        const before = await world.managedSets("shop.test");
        world.route53.resetStats();
        await world.commit(clone, { "README": "my zones\n" }, "readme only");
        const push = await world.push(clone);
        assert.ok(push.uuid, push.output);
        const job = await world.waitFinal(push.uuid);
        assert.equal(job.status, "succeeded", JSON.stringify(job));
        const stats = world.route53.stats();
        assert.equal(stats.ChangeResourceRecordSets ?? 0, 0, JSON.stringify(stats));
        assert.equal(stats.CreateHostedZone ?? 0, 0, JSON.stringify(stats));
        assert.ok(
          job.log.some((l) => /nothing to do/.test(l.message)),
          JSON.stringify(job.log),
        );
        world.route53.resetStats();
        assert.deepEqual(await world.managedSets("shop.test"), before);
      },
    );

    await t.step("a force push that rewrites history syncs the rewritten commit", async () => {
      const reset = await world.git(["reset", "-q", "--hard", firstCommit], clone);
      assert.equal(reset.code, 0, reset.stderr);
      const rewritten = await world.commit(
        clone,
        { "zones/shop.test": REWRITTEN },
        "rewritten history",
      );
      const refused = await world.push(clone);
      assert.notEqual(refused.code, 0, "a non-fast-forward push without --force is refused");
      const push = await world.push(clone, ["--force", "origin", "main"]);
      assert.equal(push.code, 0, push.output);
      assert.ok(push.uuid, push.output);
      const job = await world.waitFinal(push.uuid);
      assert.equal(job.status, "succeeded", JSON.stringify(job));
      assert.equal(job.commit, rewritten);
      assert.deepEqual(
        await world.managedSets("shop.test"),
        sets([{ name: "shop.test.", type: "A", ttl: 120, values: ["198.51.100.7"] }]),
      );
    });

    await t.step("the daemon stops on SIGTERM with exit code 0", async () => {
      worker.kill("SIGTERM");
      const status = await worker.status;
      assert.equal(status.code, 0, worker.output());
      assert.ok(worker.events().some((e) => e.event === "stopped"), worker.output());
    });
  } finally {
    await world.close();
  }
});
