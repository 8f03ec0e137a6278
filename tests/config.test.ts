import assert from "node:assert/strict";
import { loadConfig } from "../lib/config.ts";

Deno.test("loadConfig() gives docs/design.md's defaults for an empty environment", () => {
  const config = loadConfig({});
  assert.equal(config.redisUrl, "redis://127.0.0.1:6379");
  assert.equal(config.reposRoot, "/repos");
  assert.equal(config.workRoot, "/git");
  assert.equal(config.zonesDir, "zones");
  assert.equal(config.hookWaitSeconds, 10);
  assert.equal(config.safety.maxDeleteFraction, 0.3);
  assert.equal(config.pruneDeletedZones, false);
});

Deno.test("loadConfig() reads overrides and strips a trailing slash from paths", () => {
  const config = loadConfig({
    REPOS_ROOT: "/srv/repos/",
    DNSAPI_PRUNE_DELETED_ZONES: "yes",
    METRICS_PORT: "9100",
    AWS_ENDPOINT_URL_ROUTE_53: "http://127.0.0.1:4000",
  });
  assert.equal(config.reposRoot, "/srv/repos");
  assert.equal(config.pruneDeletedZones, true);
  assert.equal(config.metricsPort, 9100);
  assert.equal(config.route53.endpoint, "http://127.0.0.1:4000");
});

Deno.test("loadConfig() names every bad variable in one error", () => {
  assert.throws(
    () => loadConfig({ REDIS_URL: "localhost:6379", REPOS_ROOT: "repos", METRICS_PORT: "x" }),
    (error: unknown) => {
      assert.ok(error instanceof TypeError);
      assert.match(error.message, /REDIS_URL: must start with redis:\/\//);
      assert.match(error.message, /REPOS_ROOT: must be an absolute path/);
      assert.match(error.message, /METRICS_PORT/);
      return true;
    },
  );
});

Deno.test("loadConfig() treats an empty variable as unset", () => {
  assert.equal(loadConfig({ REDIS_URL: "" }).redisUrl, "redis://127.0.0.1:6379");
});

Deno.test("loadConfig() reads the hook's wait as DNSAPI_HOOK_WAIT or the old DNS_API_HOOK_WAIT", () => {
  assert.equal(loadConfig({ DNS_API_HOOK_WAIT: "30" }).hookWaitSeconds, 30);
  assert.equal(loadConfig({ DNSAPI_HOOK_WAIT: "20" }).hookWaitSeconds, 20);
  assert.equal(
    loadConfig({ DNSAPI_HOOK_WAIT: "20", DNS_API_HOOK_WAIT: "30" }).hookWaitSeconds,
    20,
    "the new name wins",
  );
  assert.throws(() => loadConfig({ DNSAPI_HOOK_WAIT: "121" }), /DNSAPI_HOOK_WAIT/);
});
