/**
 * End to end, the servers behind the worker going away for a while: a Redis restart
 * (a private redis-server on a free port, never the shared one) and MySQL unreachable
 * (the worker reaches MariaDB through a TCP proxy the test cuts and restores). Jobs
 * wait, then complete; the worker never exits, not even when started during an outage.
 */
import assert from "node:assert/strict";
import { createQueue } from "../lib/queue.ts";
import { createWorld, sets, type World } from "../testing/world.ts";
import { freePort, waitForPort } from "../testing/services.ts";

/** A redis-server of this test only, persisting to `dir` (AOF), so a restart keeps data. */
async function startRedis(dir: string, port: number): Promise<{ stop(): Promise<void> }> {
  const proc = new Deno.Command("redis-server", {
    args: [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--appendfsync",
      "always",
      "--save",
      "",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  await waitForPort(port);
  return {
    async stop() {
      try {
        proc.kill("SIGTERM");
      } catch {
        // already stopped
      }
      await proc.status;
    },
  };
}

/** A TCP proxy to MariaDB that the test can cut (connections dropped and refused). */
function startProxy(targetPort: number) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  let cut = false;
  let refused = 0;
  const closeQuietly = (c: Deno.Conn) => {
    open.delete(c);
    try {
      c.close();
    } catch {
      // already closed by the other side's end of the pipe
    }
  };
  const serve = async (client: Deno.Conn) => {
    if (cut) {
      refused++;
      return closeQuietly(client);
    }
    let server: Deno.Conn;
    try {
      server = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
    } catch {
      return closeQuietly(client);
    }
    open.add(client);
    open.add(server);
    await Promise.allSettled([
      client.readable.pipeTo(server.writable),
      server.readable.pipeTo(client.writable),
    ]);
    closeQuietly(client);
    closeQuietly(server);
  };
  const serving: Promise<void>[] = [];
  const accepting = (async () => {
    for await (const conn of listener) serving.push(serve(conn));
  })();
  return {
    port: listener.addr.port,
    /** Connections refused while cut. */
    get refused() {
      return refused;
    },
    cut() {
      cut = true;
      for (const c of [...open]) closeQuietly(c);
    },
    restore() {
      cut = false;
    },
    async close() {
      this.cut();
      listener.close();
      await accepting.catch(() => {});
      await Promise.allSettled(serving);
    },
  };
}

function zone(last: number): string {
  return `$TTL 300\n@ IN A 192.0.2.${last}\n`;
}

function expected(name: string, last: number) {
  return sets([{ name: `${name}.`, type: "A", ttl: 300, values: [`192.0.2.${last}`] }]);
}

async function pushZone(world: World, clone: string, name: string, last: number) {
  await world.commit(clone, { [`zones/${name}`]: zone(last) });
  const push = await world.push(clone);
  assert.equal(push.code, 0, push.output);
  assert.ok(push.uuid, push.output);
  return push.uuid;
}

Deno.test("a Redis restart while the worker runs: the job in hand and the queue survive, then work goes on", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dnsapi-redis-" });
  const port = freePort();
  let redis = await startRedis(dir, port);
  try {
    const world = await createWorld({
      redisUrl: `redis://127.0.0.1:${port}`,
      route53: { latencyMs: 500 },
    });
    try {
      await world.addUser("frank");
      const clone = await world.clone("frank");
      const worker = world.startWorker();
      const first = await pushZone(world, clone, "restart.test", 1);
      assert.equal((await world.waitFinal(first)).status, "succeeded");

      const uuid = await pushZone(world, clone, "restart.test", 2);
      await worker.waitForEvent((e) => e.event === "start" && e.uuid === uuid);
      await redis.stop();
      // The worker notices (its sync cannot be acknowledged, fetches fail) and waits.
      await worker.waitForEvent((e) => e.level === "error");
      await new Promise((r) => setTimeout(r, 1500));
      redis = await startRedis(dir, port);

      const queue = createQueue(world.redis, {
        reposRoot: world.reposRoot,
        prefix: world.prefix,
        legacyKey: world.legacyKey,
      });
      const deadline = Date.now() + 120_000;
      while ((await queue.jobState(uuid)) !== "succeeded") {
        assert.ok(Date.now() < deadline, `job ${uuid} never acknowledged:\n${worker.output()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal((await world.waitFinal(uuid)).status, "succeeded");
      assert.deepEqual(await world.managedSets("restart.test"), expected("restart.test", 2));

      const after = await pushZone(world, clone, "restart.test", 3);
      assert.equal((await world.waitFinal(after)).status, "succeeded");
      assert.deepEqual(await world.managedSets("restart.test"), expected("restart.test", 3));
      const stats = await queue.stats();
      assert.equal(stats.queuedJobs + stats.runningJobs + stats.deadJobs, 0, JSON.stringify(stats));
      assert.equal(worker.events().filter((e) => e.event === "started").length, 1);
      worker.kill("SIGTERM");
      assert.equal((await worker.status).code, 0, worker.output());
    } finally {
      await world.close();
    }
  } finally {
    await redis.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("MySQL unreachable for a while: the job waits with retries and completes once it is back", async () => {
  const proxy = startProxy(3306);
  try {
    const world = await createWorld({ env: { DNSAPI_MAX_ATTEMPTS: "20" } });
    try {
      await world.addUser("grace");
      const clone = await world.clone("grace");
      const worker = world.startWorker({
        env: { DATABASE_URL: `mysql://root@127.0.0.1:${proxy.port}/${world.database}` },
      });
      const first = await pushZone(world, clone, "outage.test", 1);
      assert.equal((await world.waitFinal(first)).status, "succeeded");

      proxy.cut();
      const uuid = await pushZone(world, clone, "outage.test", 2);
      // The worker takes the job, cannot reach MySQL, and schedules a retry.
      await worker.waitForEvent((e) => e.event === "error" && e.uuid === uuid);
      await worker.waitForEvent((e) => e.source === "queue" && e.event === "retry");
      const waiting = await world.logs(uuid);
      assert.ok(
        waiting && (waiting.status === "queued" || waiting.status === "running"),
        JSON.stringify(waiting),
      );
      await new Promise((r) => setTimeout(r, 2000));
      proxy.restore();

      const job = await world.waitFinal(uuid);
      assert.equal(job.status, "succeeded", JSON.stringify(job));
      assert.deepEqual(await world.managedSets("outage.test"), expected("outage.test", 2));
      const after = await pushZone(world, clone, "outage.test", 3);
      assert.equal((await world.waitFinal(after)).status, "succeeded");
      assert.deepEqual(await world.managedSets("outage.test"), expected("outage.test", 3));
      assert.equal(worker.events().filter((e) => e.event === "started").length, 1);
      worker.kill("SIGTERM");
      assert.equal((await worker.status).code, 0, worker.output());
    } finally {
      await world.close();
    }
  } finally {
    await proxy.close();
  }
});

Deno.test("a worker started while MySQL is down waits (/healthz 503, one line down, one up), then serves a job", async () => {
  const proxy = startProxy(3306);
  proxy.cut();
  try {
    const world = await createWorld();
    try {
      await world.addUser("heidi");
      const clone = await world.clone("heidi");
      const metricsPort = freePort();
      const worker = world.startWorker({
        env: {
          DATABASE_URL: `mysql://root@127.0.0.1:${proxy.port}/${world.database}`,
          METRICS_PORT: String(metricsPort),
        },
      });
      await worker.waitForEvent((e) => e.event === "outage" && e.state === "down");
      const health = await fetch(`http://127.0.0.1:${metricsPort}/healthz`);
      assert.equal(health.status, 503);
      const report = await health.json();
      assert.equal(report.checks.mysql.ok, false, JSON.stringify(report));
      // Several attempts fail (backoff between them), and none of them is logged again.
      while (proxy.refused < 4) await new Promise((r) => setTimeout(r, 50));
      proxy.restore();
      await worker.waitForEvent((e) => e.event === "started");

      const uuid = await pushZone(world, clone, "late.test", 1);
      assert.equal((await world.waitFinal(uuid)).status, "succeeded");
      assert.deepEqual(await world.managedSets("late.test"), expected("late.test", 1));
      const healthy = await fetch(`http://127.0.0.1:${metricsPort}/healthz`);
      await healthy.body?.cancel();
      assert.equal(healthy.status, 200);
      const outages = worker.events().filter((e) => e.event === "outage");
      assert.deepEqual(outages.map((e) => [e.service, e.state]), [["mysql", "down"], [
        "mysql",
        "up",
      ]]);
      worker.kill("SIGTERM");
      assert.equal((await worker.status).code, 0, worker.output());
    } finally {
      await world.close();
    }
  } finally {
    await proxy.close();
  }
});

Deno.test("a worker started while Redis is down waits (/healthz 503, one line down, one up), then serves a job", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dnsapi-redis-" });
  const port = freePort();
  let redis = await startRedis(dir, port);
  try {
    const world = await createWorld({ redisUrl: `redis://127.0.0.1:${port}` });
    try {
      await world.addUser("ivan");
      const clone = await world.clone("ivan");
      await redis.stop();
      const metricsPort = freePort();
      const worker = world.startWorker({ env: { METRICS_PORT: String(metricsPort) } });
      await worker.waitForEvent((e) => e.event === "outage" && e.state === "down");
      const health = await fetch(`http://127.0.0.1:${metricsPort}/healthz`);
      assert.equal(health.status, 503);
      const report = await health.json();
      assert.equal(report.checks.redis.ok, false, JSON.stringify(report));
      redis = await startRedis(dir, port);
      await worker.waitForEvent((e) => e.event === "started");

      const uuid = await pushZone(world, clone, "late.test", 1);
      assert.equal((await world.waitFinal(uuid)).status, "succeeded");
      const outages = worker.events().filter((e) => e.event === "outage");
      assert.deepEqual(outages.map((e) => [e.service, e.state]), [["redis", "down"], [
        "redis",
        "up",
      ]]);
      worker.kill("SIGTERM");
      assert.equal((await worker.status).code, 0, worker.output());
    } finally {
      await world.close();
    }
  } finally {
    await redis.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
