/**
 * End to end, symlinks and ignored files (issue 9, items 7, 9 and 13): a zone file that
 * is a link follows its target (in and out of zones/, through chains, with non-ASCII
 * link text); thousands of nested files cost one log line; a `zones` directory that is
 * a link out of the repository fails the job with that reason.
 */
import assert from "node:assert/strict";
import { createWorld, sets, type World } from "../testing/world.ts";

async function pushAndWait(world: World, clone: string) {
  const push = await world.push(clone);
  assert.equal(push.code, 0, push.output);
  assert.ok(push.uuid, `no queued line in:\n${push.output}`);
  return { push, job: await world.waitFinal(push.uuid) };
}

function messages(job: { log: { message: string }[] }): string {
  return job.log.map((l) => l.message).join("\n");
}

const a = (zone: string, ip: string) =>
  sets([{ name: `${zone}.`, type: "A", ttl: 300, values: [ip] }]);

Deno.test("symlinked zone files follow their target, nested files cost one line, a zones link out of the repository fails the job", async (t) => {
  const world = await createWorld();
  try {
    for (const user of ["lena", "omar"]) await world.addUser(user);
    const worker = world.startWorker();
    await worker.waitForEvent((e) => e.event === "started");
    const lena = await world.clone("lena");

    await t.step("a change to a link's target alone syncs the zone again", async () => {
      // Outside zones/, a chain through common/, and links inside zones/ whose text is
      // not ASCII (git reports link sizes in bytes) ahead of a plain one.
      await Deno.mkdir(`${lena}/zones`, { recursive: true });
      await Deno.mkdir(`${lena}/common`, { recursive: true });
      await Deno.symlink("../common/shop.db", `${lena}/zones/shop.test`);
      await Deno.symlink("shop.db", `${lena}/common/link.db`);
      await Deno.symlink("../common/link.db", `${lena}/zones/chain.test`);
      await Deno.symlink("café.test", `${lena}/zones/alias.test`);
      await Deno.symlink("gamma.test", `${lena}/zones/beta.test`);
      await world.commit(lena, {
        "common/shop.db": "@ 300 IN A 192.0.2.1\n",
        "zones/café.test": "@ 300 IN A 192.0.2.2\n",
        "zones/gamma.test": "@ 300 IN A 192.0.2.3\n",
      });
      const first = await pushAndWait(world, lena);
      assert.equal(first.job.status, "succeeded", messages(first.job));
      assert.deepEqual(await world.managedSets("shop.test"), a("shop.test", "192.0.2.1"));
      assert.deepEqual(await world.managedSets("chain.test"), a("chain.test", "192.0.2.1"));
      assert.deepEqual(await world.managedSets("beta.test"), a("beta.test", "192.0.2.3"));

      await world.commit(lena, {
        "common/shop.db": "@ 300 IN A 192.0.2.11\n",
        "zones/gamma.test": "@ 300 IN A 192.0.2.13\n",
        "zones/café.test": "@ 300 IN A 192.0.2.12\n",
      });
      const second = await pushAndWait(world, lena);
      const text = messages(second.job);
      assert.equal(second.job.status, "succeeded", text);
      assert.doesNotMatch(text, /nothing to do/, text);
      for (const zone of ["shop.test", "chain.test", "alias.test", "beta.test", "gamma.test"]) {
        assert.match(text, new RegExp(`^${zone.replace(".", "\\.")}: \\+0 ~1 -0`, "m"), text);
      }
      assert.deepEqual(await world.managedSets("shop.test"), a("shop.test", "192.0.2.11"));
      assert.deepEqual(await world.managedSets("chain.test"), a("chain.test", "192.0.2.11"));
      assert.deepEqual(await world.managedSets("alias.test"), a("alias.test", "192.0.2.12"));
      assert.deepEqual(await world.managedSets("beta.test"), a("beta.test", "192.0.2.13"));
      assert.deepEqual(await world.managedSets("gamma.test"), a("gamma.test", "192.0.2.13"));
    });

    await t.step("a link moved to another target syncs the zone to the new target", async () => {
      await Deno.remove(`${lena}/common/link.db`);
      await Deno.symlink("other.db", `${lena}/common/link.db`);
      await world.commit(lena, { "common/other.db": "@ 300 IN A 192.0.2.21\n" });
      const { job } = await pushAndWait(world, lena);
      assert.equal(job.status, "succeeded", messages(job));
      assert.match(messages(job), /^chain\.test: \+0 ~1 -0/m, messages(job));
      assert.deepEqual(await world.managedSets("chain.test"), a("chain.test", "192.0.2.21"));
      assert.doesNotMatch(messages(job), /^shop\.test: /m, "a zone whose target stayed is quiet");
      assert.deepEqual(await world.managedSets("shop.test"), a("shop.test", "192.0.2.11"));
    });

    await t.step("2,000 nested files are one line in the push output and in the log", async () => {
      const files: Record<string, string> = {};
      for (let i = 0; i < 2000; i++) files[`zones/old/f${String(i).padStart(4, "0")}`] = "x\n";
      files["zones/shop.test"] = "@ 300 IN A 192.0.2.31\n";
      await Deno.remove(`${lena}/zones/shop.test`);
      await world.commit(lena, files);
      const { push, job } = await pushAndWait(world, lena);
      const line = "zones/: 2,000 files in subdirectories ignored (zone files live directly " +
        "in zones/), e.g. old/f0000, old/f0001, old/f0002";
      const text = messages(job);
      assert.equal(job.status, "succeeded", text);
      assert.equal(job.log.filter((l) => l.message.includes("old/f")).length, 1, text);
      assert.ok(job.log.some((l) => l.message === line), text);
      assert.ok(job.log.length < 20, `${job.log.length} log lines`);
      const remote = push.output.split("\n").filter((l) => l.includes("old/f"));
      assert.deepEqual(remote.map((l) => l.trimEnd()), [`remote: ${line}`], push.output);
      assert.deepEqual(await world.managedSets("shop.test"), a("shop.test", "192.0.2.31"));
    });

    await t.step(
      "a zones directory that links out of the repository fails with that reason",
      async () => {
        const omar = await world.clone("omar");
        await world.commit(omar, { "README.md": "mine\n" });
        await Deno.symlink("/etc", `${omar}/zones`);
        await world.commit(omar, {});
        const { job } = await pushAndWait(world, omar);
        const reason = "zones: not synced: zones is a symlink that leads outside the repository; " +
          "zone files live directly in a zones/ directory of the repository";
        assert.equal(job.status, "failed", messages(job));
        assert.ok(job.log.some((l) => l.level === "error" && l.message === reason), messages(job));
        assert.doesNotMatch(messages(job), /passwd|hostname/);

        await Deno.remove(`${omar}/zones`);
        await Deno.symlink("../../../../../../../../tmp", `${omar}/zones`);
        await world.commit(omar, {});
        const again = await pushAndWait(world, omar);
        assert.equal(again.job.status, "failed", messages(again.job));
        assert.ok(again.job.log.some((l) => l.message === reason), messages(again.job));

        await Deno.remove(`${omar}/zones`);
        await Deno.symlink("dns", `${omar}/zones`);
        await world.commit(omar, { "dns/omar.test": "@ 300 IN A 192.0.2.41\n" });
        const inside = await pushAndWait(world, omar);
        assert.equal(inside.job.status, "failed", messages(inside.job));
        assert.ok(
          inside.job.log.some((l) =>
            l.message === "zones: not synced: zones is a symlink; zone files live directly in a " +
                "zones/ directory of the repository (move the files there rather than link to them)"
          ),
          messages(inside.job),
        );
        assert.equal(await world.recordSets("omar.test"), null);
      },
    );
  } finally {
    await world.close();
  }
});
