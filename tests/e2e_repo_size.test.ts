/**
 * End to end, what a sync fetches: only the deployed branch reaches the worker's
 * working copy, and a deployed history over DNSAPI_MAX_REPO_BYTES is refused with the
 * reason instead of filling WORK_ROOT.
 */
import assert from "node:assert/strict";
import { createWorld } from "../testing/world.ts";

/** Incompressible text of about `bytes` bytes (getRandomValues fills 64 KiB at a time). */
function noise(bytes: number): string {
  const buf = new Uint8Array(bytes / 2);
  for (let at = 0; at < buf.length; at += 65536) {
    crypto.getRandomValues(buf.subarray(at, Math.min(at + 65536, buf.length)));
  }
  return Array.from(buf, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function du(path: string): Promise<number> {
  let total = 0;
  for await (const entry of Deno.readDir(path)) {
    const p = `${path}/${entry.name}`;
    const info = await Deno.lstat(p);
    total += entry.isDirectory ? await du(p) : info.size;
  }
  return total;
}

Deno.test("a sync fetches only the deployed branch and refuses a deployed history over the limit", async (t) => {
  const world = await createWorld({ env: { DNSAPI_MAX_REPO_BYTES: String(512 * 1024) } });
  try {
    await world.addUser("erin");
    const clone = await world.clone("erin");
    const worker = world.startWorker();

    await t.step(
      "2 MiB pushed to a branch that is not deployed never reaches WORK_ROOT",
      async () => {
        await world.commit(clone, { "zones/erin.test": "erin.test. 300 IN A 192.0.2.70\n" });
        const first = await world.push(clone);
        assert.ok(first.uuid, first.output);
        assert.equal((await world.waitFinal(first.uuid)).status, "succeeded");
        await world.git(["checkout", "-q", "-b", "archive"], clone);
        await world.commit(clone, { "blob.txt": noise(2 * 1024 * 1024) }, "archive");
        const side = await world.push(clone, ["origin", "archive"]);
        assert.equal(side.code, 0, side.output);
        await world.git(["checkout", "-q", "main"], clone);
        await world.commit(clone, { "zones/erin.test": "erin.test. 300 IN A 192.0.2.71\n" });
        const push = await world.push(clone, ["origin", "main"]);
        assert.ok(push.uuid, push.output);
        const job = await world.waitFinal(push.uuid);
        assert.equal(job.status, "succeeded", JSON.stringify(job));
        const size = await du(`${world.workRoot}/erin`);
        assert.ok(size < 512 * 1024, `the working copy holds ${size} bytes`);
      },
    );

    await t.step("a deployed history over the limit fails the job with the reason", async () => {
      await world.commit(clone, { "blob.txt": noise(1024 * 1024) }, "big on main");
      const push = await world.push(clone, ["origin", "main"]);
      assert.ok(push.uuid, push.output);
      const job = await world.waitFinal(push.uuid);
      assert.equal(job.status, "failed");
      const text = job.log.map((l) => l.message).join("\n");
      assert.match(text, /history takes [\d.]+ [KM]iB, over the limit of 512 KiB/, text);
      assert.equal(
        await Deno.lstat(`${world.workRoot}/erin`).then(() => true, () => false),
        false,
        "the oversize working copy was removed",
      );
      assert.deepEqual(
        (await world.managedSets("erin.test"))?.map((s) => s.values),
        [["192.0.2.71"]],
        "Route 53 keeps the last synced records",
      );
    });

    worker.kill("SIGTERM");
    assert.equal((await worker.status).code, 0, worker.output());
  } finally {
    await world.close();
  }
});
