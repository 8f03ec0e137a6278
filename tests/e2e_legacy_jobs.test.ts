/**
 * End to end, the jobs the original service's producers queued in `HOOK:JOBS`, byte for
 * byte as they wrote them (docs/design.md, "Legacy payload"): the original hook's RPUSH
 * `{"owner":…,"url":…,"uuid":…}` (Perl's JSON encoder, no spaces, a version-1 uuid) is
 * synced for the existing user; the webhook receiver's clone URLs and unknown names are
 * refused with the reason; a payload reusing another customer's job id changes nothing
 * of that job, even after Redis has forgotten it.
 */
import assert from "node:assert/strict";
import { createWorld, sets, type World } from "../testing/world.ts";

function messages(job: { log: { message: string }[] }): string {
  return job.log.map((l) => l.message).join("\n");
}

/** The original hook script's payload, as it wrote it. */
function originalHook(owner: string, url: string, uuid: string): string {
  return `{"owner":"${owner}","url":"${url}","uuid":"${uuid}"}`;
}

/**
 * Commits and pushes with our post-receive hook taken out, as on a host where only the
 * old producers queue. (Pointing the pusher's REDIS_URL elsewhere no longer stops it:
 * the installed hooks read their settings from the installation, not from the pusher.)
 */
async function pushWithoutOurHook(
  world: World,
  user: string,
  clone: string,
  files: Record<string, string>,
) {
  await Deno.remove(`${world.reposRoot}/${user}/hooks/post-receive`).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  await world.commit(clone, files);
  const pushed = await world.git(["push", "-q", "origin", "main"], clone);
  assert.equal(pushed.code, 0, pushed.stderr);
}

Deno.test("the original producers' HOOK:JOBS payloads are synced or refused with the reason", async (t) => {
  const world = await createWorld();
  try {
    await world.addUser("steve");
    await world.addUser("alice");
    const worker = world.startWorker();
    await worker.waitForEvent((e) => e.event === "started");
    const steve = await world.clone("steve");
    const alice = await world.clone("alice");

    await t.step(
      "the original hook's RPUSH for Steve is synced, and `logs` reports it",
      async () => {
        await pushWithoutOurHook(world, "steve", steve, {
          "zones/steve.test": "steve.test. 300 IN A 192.0.2.80\n",
        });
        const uuid = "6fa459ea-ee8a-11e0-a0b2-0800200c9a66";
        await world.redis.rpush(
          world.legacyKey,
          originalHook("Steve", `${world.reposRoot}/Steve`, uuid),
        );
        const job = await world.waitFinal(uuid);
        assert.equal(job.status, "succeeded", JSON.stringify(job));
        assert.equal(job.user, "steve");
        assert.deepEqual(
          await world.managedSets("steve.test"),
          sets([{ name: "steve.test.", type: "A", ttl: 300, values: ["192.0.2.80"] }]),
        );
        const logs = await world.cli(["logs", uuid]);
        assert.equal(logs.code, 0, logs.stderr);
        assert.match(logs.stdout, new RegExp(`^job ${uuid}  user steve  status succeeded`));
        assert.match(logs.stdout, /steve\.test/);
      },
    );

    await t.step("the webhook receiver's clone URL and an unknown name are refused", async () => {
      const remote = "7b2e14d0-ee8a-11e0-9b5f-0800200c9a66";
      const nobody = "8c3f25e1-ee8a-11e0-8c6a-0800200c9a66";
      await world.redis.rpush(
        world.legacyKey,
        originalHook("steve", "https://github.com/steve/dns.git", remote),
        originalHook("Nobody", `${world.reposRoot}/Nobody`, nobody),
      );
      const refused = await world.waitFinal(remote);
      assert.equal(refused.status, "failed");
      assert.match(
        messages(refused),
        /^job refused: remote repositories are not registered for steve; /m,
      );
      const unknown = await world.waitFinal(nobody);
      assert.equal(unknown.status, "failed");
      assert.match(messages(unknown), /^job refused: no user nobody exists/m);
    });

    await t.step(
      "a legacy payload reusing alice's finished job id leaves her job as it was",
      async () => {
        await world.commit(alice, { "zones/alice.test": "alice.test. 300 IN A 192.0.2.81\n" });
        const push = await world.push(alice);
        assert.ok(push.uuid, push.output);
        const before = await world.waitFinal(push.uuid);
        assert.equal(before.status, "succeeded", JSON.stringify(before));
        // Redis forgets results after an hour; MySQL keeps the job.
        await world.redis.del(
          `${world.prefix}result:${push.uuid}`,
          `${world.prefix}done:${push.uuid}`,
        );

        await pushWithoutOurHook(world, "steve", steve, {
          "zones/steve.test": "steve.test. 300 IN A 192.0.2.82\n",
        });
        const after = "9d4036f2-ee8a-11e0-bd7b-0800200c9a66";
        // The seed's form, which every version of the intake reads.
        const seed = (uuid: string) =>
          JSON.stringify({ uuid, user: "steve", repo: `${world.reposRoot}/steve` });
        await world.redis.rpush(world.legacyKey, seed(push.uuid), seed(after));
        // One intake pass reads the list in order: the job behind the reuse is its witness.
        assert.equal((await world.waitFinal(after)).status, "succeeded");
        assert.deepEqual(await world.logs(push.uuid), before);
        const invalid = await world.redis.lrange(`${world.prefix}invalid`, 0, -1);
        assert.ok(
          invalid.some((e) => e.includes(`job id ${push.uuid} is already in use`)),
          invalid.join("\n"),
        );
        assert.equal(await world.redis.llen(world.legacyKey), 0);
      },
    );

    worker.kill("SIGTERM");
    assert.equal((await worker.status).code, 0, worker.output());
  } finally {
    await world.close();
  }
});
