/**
 * Shared set-up of the route53_sync_* tests: a local Route 53 server, a real SDK client
 * pointed at it, and the adapter context; all closed afterwards.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Route53Client } from "@aws-sdk/client-route-53";
import {
  type Route53Local,
  type Route53LocalOptions,
  startRoute53Local,
} from "../testing/route53_local/server.ts";
import { createHostedZone, listRecordSets, type Route53Api, route53Api } from "../lib/route53.ts";
import { parseZone } from "../lib/zones.ts";
import type { RecordSet } from "../lib/zones.ts";
import { planZone, type SyncResult, syncZone } from "../lib/route53.ts";

/** What a test body gets. */
export interface SyncEnv {
  server: Route53Local;
  client: Route53Client;
  api: Route53Api;
}

/**
 * Runs `body` against a fresh local server; the adapter's retries back off in
 * milliseconds, not seconds. `sdkMaxAttempts: 1` leaves every retry to the adapter.
 */
export async function withSyncEnv(
  options: Route53LocalOptions & { sdkMaxAttempts?: number },
  body: (env: SyncEnv) => Promise<void>,
): Promise<void> {
  const { sdkMaxAttempts, ...serverOptions } = options;
  const server = await startRoute53Local({ log: () => {}, ...serverOptions });
  const client = new Route53Client({
    endpoint: server.url,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
    ...(sdkMaxAttempts === undefined ? {} : { maxAttempts: sdkMaxAttempts }),
  });
  try {
    await body({
      server,
      client,
      api: route53Api(client, { backoff: { baseMs: 5, capMs: 50, maxAttempts: 10 } }),
    });
  } finally {
    client.destroy();
    await server.close();
  }
}

/** Creates the zone through the adapter and returns its id. */
export async function newZone(api: Route53Api, zone: string): Promise<string> {
  return (await createHostedZone(api, zone)).zone.id;
}

/** Parses zone text, failing the test on any parse error. */
export function parse(text: string, zone: string): RecordSet[] {
  const result = parseZone(text, { zone });
  assert.deepEqual(result.errors, []);
  return result.rrsets;
}

/**
 * Syncs `desired` with a full reconcile, then checks convergence: a second full plan is
 * empty and what Route 53 lists, normalised, equals `desired` exactly.
 */
export async function assertConverges(
  api: Route53Api,
  zone: string,
  zoneId: string,
  desired: RecordSet[],
  jobId = "job-1",
): Promise<SyncResult> {
  const result = await syncZone(api, {
    zone,
    zoneId,
    desired,
    previous: null,
    jobId,
    force: true,
  });
  const again = await planZone(api, { zone, zoneId, desired, previous: null });
  assert.deepEqual(again.plan.changes, [], "the second plan must be empty");
  const live = await listRecordSets(api, zoneId, zone);
  const byKey = (a: RecordSet, b: RecordSet) =>
    `${a.name} ${a.type}` < `${b.name} ${b.type}` ? -1 : 1;
  const plain = live.sets.map(({ name, type, ttl, values }) => ({ name, type, ttl, values }));
  assert.deepEqual(plain.sort(byKey), [...desired].sort(byKey));
  return result;
}

/** Difference of two stats snapshots, only the operations that moved. */
export function statsDelta(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [operation, count] of Object.entries(after)) {
    const moved = count - (before[operation] ?? 0);
    if (moved !== 0) delta[operation] = moved;
  }
  return delta;
}

/**
 * {@linkcode assertConverges} for a file with alias sets: the live zone, aliases
 * included (they are managed once the file has one), equals `desired`.
 */
export async function assertConvergesWithAliases(
  api: Route53Api,
  zone: string,
  zoneId: string,
  desired: RecordSet[],
): Promise<SyncResult> {
  const result = await syncZone(api, { zone, zoneId, desired, previous: null, jobId: "job-1" });
  const again = await planZone(api, { zone, zoneId, desired, previous: null });
  assert.deepEqual(again.plan.changes, [], "the second plan must be empty");
  const live = await listRecordSets(api, zoneId, zone);
  const aliases = live.unmanaged.filter((u) => u.alias !== undefined)
    .map(({ name, type, alias }) => ({ name, type, ttl: 0, values: [], alias }));
  const key = (s: RecordSet) => `${s.name} ${s.type}`;
  const sorted = (list: RecordSet[]) => [...list].sort((a, b) => key(a) < key(b) ? -1 : 1);
  assert.deepEqual(sorted([...live.sets, ...aliases] as RecordSet[]), sorted(desired));
  return result;
}
