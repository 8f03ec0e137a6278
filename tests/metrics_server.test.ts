import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { createDnsApiRegistry, recordJob, setQueueDepth } from "../lib/worker.ts";
import {
  combineHealthChecks,
  type HealthReport,
  loopCheck,
  startMetricsServer,
} from "../lib/worker.ts";

const healthy = (): Promise<HealthReport> =>
  Promise.resolve({ ok: true, checks: { redis: { ok: true }, mysql: { ok: true } } });

Deno.test("GET /metrics serves the registry as Prometheus text over HTTP", async () => {
  const registry = createDnsApiRegistry();
  recordJob(registry, "succeeded");
  const server = startMetricsServer({ port: 0, registry, health: healthy });
  try {
    assert(server.port > 0);
    const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    assertEquals(response.status, 200);
    assert(response.headers.get("content-type")?.startsWith("text/plain; version=0.0.4"));
    const body = await response.text();
    assert(body.includes('dnsapi_jobs_total{outcome="succeeded"} 1\n'), body);
    assert(body.includes("# TYPE dnsapi_sync_duration_seconds histogram\n"), body);
  } finally {
    await server.close();
  }
});

Deno.test("GET /metrics samples gauges first, and still answers when sampling fails", async () => {
  const registry = createDnsApiRegistry();
  let depth = 3;
  let fail = false;
  const server = startMetricsServer({
    port: 0,
    registry,
    health: healthy,
    beforeScrape: () => {
      if (fail) return Promise.reject(new Error("redis down"));
      setQueueDepth(registry, depth);
      return Promise.resolve();
    },
  });
  try {
    const first = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    assert(first.includes("\ndnsapi_queue_depth 3\n"), first);
    depth = 9;
    fail = true;
    const second = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    assertEquals(second.status, 200);
    assert((await second.text()).includes("\ndnsapi_queue_depth 3\n"));
  } finally {
    await server.close();
  }
});

Deno.test("GET /healthz answers 200 with the checks as JSON when all pass", async () => {
  const server = startMetricsServer({ port: 0, registry: createDnsApiRegistry(), health: healthy });
  try {
    const response = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    assertEquals(response.status, 200);
    assertEquals(await response.json(), {
      ok: true,
      checks: { redis: { ok: true }, mysql: { ok: true } },
    });
  } finally {
    await server.close();
  }
});

Deno.test("GET /healthz answers 503 when one check fails, even if ok was claimed", async () => {
  const server = startMetricsServer({
    port: 0,
    registry: createDnsApiRegistry(),
    health: () =>
      Promise.resolve({
        ok: true,
        checks: { redis: { ok: true }, schema: { ok: false, detail: "migration 3 pending" } },
      }),
  });
  try {
    const response = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    assertEquals(response.status, 503);
    const body = await response.json();
    assertEquals(body.ok, false);
    assertEquals(body.checks.schema, { ok: false, detail: "migration 3 pending" });
  } finally {
    await server.close();
  }
});

Deno.test("GET /healthz answers 503 naming the error when the health function throws", async () => {
  const server = startMetricsServer({
    port: 0,
    registry: createDnsApiRegistry(),
    health: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:6379")),
  });
  try {
    const response = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    assertEquals(response.status, 503);
    const body = await response.json();
    assertEquals(body.ok, false);
    assert(JSON.stringify(body).includes("ECONNREFUSED"));
  } finally {
    await server.close();
  }
});

Deno.test("other paths answer 404 and other methods 405", async () => {
  const server = startMetricsServer({ port: 0, registry: createDnsApiRegistry(), health: healthy });
  try {
    const base = `http://127.0.0.1:${server.port}`;
    const missing = await fetch(`${base}/`);
    await missing.body?.cancel();
    assertEquals(missing.status, 404);
    const other = await fetch(`${base}/metrics/extra`);
    await other.body?.cancel();
    assertEquals(other.status, 404);
    const post = await fetch(`${base}/metrics`, { method: "POST" });
    await post.body?.cancel();
    assertEquals(post.status, 405);
  } finally {
    await server.close();
  }
});

Deno.test("GET /healthz answers 503 when the health function never settles", async () => {
  const server = startMetricsServer({
    port: 0,
    registry: createDnsApiRegistry(),
    health: () => new Promise<HealthReport>(() => {}),
    timeoutMs: 50,
  });
  try {
    const response = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    assertEquals(response.status, 503);
    assert(JSON.stringify(await response.json()).includes("timed out"));
  } finally {
    await server.close();
  }
});

Deno.test("combineHealthChecks() reports each check and fails overall when one throws", async () => {
  const health = combineHealthChecks({
    redis: () => Promise.resolve({ ok: true }),
    mysql: () => Promise.reject(new Error("Access denied for user 'dnsapi'")),
  });
  assertEquals(await health(), {
    ok: false,
    checks: {
      redis: { ok: true },
      mysql: { ok: false, detail: "Access denied for user 'dnsapi'" },
    },
  });
  const allGood = combineHealthChecks({ redis: () => Promise.resolve({ ok: true }) });
  assertEquals((await allGood()).ok, true);
});

Deno.test("loopCheck() passes while the loop ticked within the limit, then names the stuck loop", () => {
  assertEquals(loopCheck(1_000, 1_000, 90_000), { ok: true });
  assertEquals(loopCheck(1_000, 90_999, 90_000), { ok: true });
  const stuck = loopCheck(1_000, 91_000, 90_000);
  assertEquals(stuck.ok, false);
  assert(/has not ticked for 90 s \(limit 90 s\)/.test(stuck.detail ?? ""), String(stuck.detail));
});
