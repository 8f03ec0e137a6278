/**
 * End to end, a repository hosted elsewhere: the operator registers it, the provider's
 * signed push event reaches the receiver (`main.ts webhooks`, a real subprocess), and
 * the worker syncs the zones from the registered remote (served by `git daemon`) —
 * never from a URL in the request. A replayed delivery queues nothing.
 */
import assert from "node:assert/strict";
import { createWorld, sets } from "../testing/world.ts";
import { freePort, gitDaemon } from "../testing/git_daemon.ts";
import { waitForPort } from "../testing/services.ts";
import { workerTaskFlags } from "../testing/worker_flags.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

async function hmacHex(secret: string, body: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(body)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A GitHub push event for `after` on main, signed with `secret`. */
async function githubPush(url: string, secret: string, after: string, delivery: string) {
  const body = JSON.stringify({
    ref: "refs/heads/main",
    before: "0".repeat(40),
    after,
    // A URL in the payload is never fetched: this one points nowhere.
    repository: { full_name: "steve/zones", clone_url: "https://example.invalid/x.git" },
    pusher: { name: "steve" },
  });
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-GitHub-Event": "push",
      "X-GitHub-Delivery": delivery,
      "X-Hub-Signature-256": `sha256=${await hmacHex(secret, body)}`,
    },
    body,
  });
  return { status: response.status, json: await response.json() as Record<string, string> };
}

Deno.test("a signed push event for a registered remote is synced from that remote; a replay queues nothing", async () => {
  const world = await createWorld({ env: { DNSAPI_REMOTE_INSECURE_HOSTS: "127.0.0.1" } });
  let daemon: Deno.ChildProcess | undefined;
  let receiver: Deno.ChildProcess | undefined;
  try {
    await world.addUser("steve");
    const work = `${world.root}/elsewhere-work`;
    const base = `${world.root}/elsewhere`;
    await Deno.mkdir(work, { recursive: true });
    await Deno.mkdir(base, { recursive: true });
    const git = async (args: string[], cwd = work) => {
      const r = await world.git(args, cwd);
      assert.equal(r.code, 0, `git ${args.join(" ")}: ${r.stderr}`);
      return r.stdout.trim();
    };
    await git(["init", "-q", "-b", "main"]);
    const first = await world.commit(work, {
      "zones/steve.test": "steve.test. 300 IN A 192.0.2.1\n",
    });
    await git(["clone", "-q", "--bare", work, `${base}/zones.git`], world.root);
    const gitPort = freePort();
    daemon = await gitDaemon(base, gitPort);

    const set = await world.cli([
      "user",
      "remote",
      "set",
      "steve",
      `git://127.0.0.1:${gitPort}/zones.git`,
    ]);
    assert.equal(set.code, 0, set.stderr);
    const secret = /^webhook secret: ([0-9a-f]{64})$/m.exec(set.stdout)?.[1];
    assert.ok(secret, set.stdout);

    const hookPort = freePort();
    receiver = new Deno.Command(Deno.execPath(), {
      args: ["run", ...workerTaskFlags(), MAIN, "webhooks", "--port", String(hookPort)],
      cwd: world.root,
      env: world.env,
      clearEnv: true,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    await waitForPort(hookPort, 30_000, "the webhook receiver");
    const url = `http://127.0.0.1:${hookPort}/webhooks/steve`;
    const worker = world.startWorker();

    const delivery = crypto.randomUUID();
    const queued = await githubPush(url, secret, first, delivery);
    assert.equal(queued.status, 202, JSON.stringify(queued.json));
    const uuid = queued.json.queued;
    assert.ok(uuid);
    const job = await world.waitFinal(uuid);
    assert.equal(job.status, "succeeded", JSON.stringify(job));
    assert.equal(job.commit, first);
    assert.ok(
      job.log.some((l) => l.message.includes(`from git://127.0.0.1:${gitPort}/zones.git`)),
      "the log names the remote",
    );
    assert.deepEqual(
      await world.managedSets("steve.test"),
      sets([{ name: "steve.test.", type: "A", ttl: 300, values: ["192.0.2.1"] }]),
    );

    const replay = await githubPush(url, secret, first, delivery);
    assert.deepEqual(replay, { status: 200, json: { duplicate: uuid } });
    const forged = await githubPush(url, "0".repeat(64), first, crypto.randomUUID());
    assert.equal(forged.status, 401);

    // The customer pushes to their own host; the event makes the next sync.
    const second = await world.commit(work, {
      "zones/steve.test": "steve.test. 300 IN A 192.0.2.2\n",
    });
    await git(["push", "-q", `${base}/zones.git`, "main"]);
    const next = await githubPush(url, secret, second, crypto.randomUUID());
    assert.equal(next.status, 202, JSON.stringify(next.json));
    const synced = await world.waitFinal(next.json.queued!);
    assert.equal(synced.status, "succeeded", JSON.stringify(synced));
    assert.equal(synced.commit, second);
    assert.deepEqual(
      await world.managedSets("steve.test"),
      sets([{ name: "steve.test.", type: "A", ttl: 300, values: ["192.0.2.2"] }]),
    );

    worker.kill("SIGTERM");
    assert.equal((await worker.status).code, 0, worker.output());
  } finally {
    for (const proc of [receiver, daemon]) {
      if (!proc) continue;
      proc.kill("SIGTERM");
      await proc.status;
    }
    await world.close();
  }
});
