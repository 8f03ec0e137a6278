/**
 * Counts the Route 53 API calls of an incremental sync and of a full reconcile, for
 * zones of 100, 1,000 and 10,000 record sets with 1, 100 and all sets changed, against
 * the local server (its per-operation request counts), beside the lower bound:
 * change requests packed to both per-request limits (UPSERT counted twice) plus
 * ⌈listed sets / 300⌉ list pages for a reconcile.
 *
 * Run: `deno run -A bench/route53_calls.ts` (prints a Markdown table).
 *
 * @module
 */
import { Route53Client } from "@aws-sdk/client-route-53";
import { startRoute53Local } from "../testing/route53_local/server.ts";
import { minimumBatchCount } from "../lib/route53.ts";
import { planIncremental } from "../lib/route53.ts";
import type { RecordSet } from "../lib/zones.ts";
import { createHostedZone, route53Api } from "../lib/route53.ts";
import { syncZone } from "../lib/route53.ts";

const ZONE = "bench.test.";
const PAGE = 300;
/** Every hosted zone also holds its apex SOA and NS, and a reconcile lists them too. */
const APEX_SETS = 2;

/** What each set holds: a short A value (the record limit binds) or a long TXT one. */
export type Workload = "A" | "TXT";

/**
 * `count` single-value sets; the first `changed` of them carry another value. A TXT value
 * is 250 characters with its quotes, so an UPSERT of it costs 500 of the 32,000.
 */
function zoneSets(workload: Workload, count: number, changed: number): RecordSet[] {
  return Array.from({ length: count }, (_, i) => {
    const version = i < changed ? 2 : 1;
    if (workload === "A") {
      return {
        name: `h${i}.${ZONE}`,
        type: "A" as const,
        ttl: 300,
        values: [`10.${Math.floor(i / 250)}.${i % 250}.${version}`],
      };
    }
    const body = `v=${version} ${String(i).padStart(6, "0")} `.padEnd(248, "x");
    return { name: `t${i}.${ZONE}`, type: "TXT" as const, ttl: 300, values: [`"${body}"`] };
  });
}

/** One row of the table. */
export interface CallRow {
  workload: Workload;
  sets: number;
  changed: number;
  incremental: number;
  incrementalMinimum: number;
  full: number;
  fullMinimum: number;
}

function total(stats: Record<string, number>, before: Record<string, number>): number {
  let sum = 0;
  for (const [operation, count] of Object.entries(stats)) {
    if (["Throttled", "Busy", "Unsupported"].includes(operation)) continue;
    sum += count - (before[operation] ?? 0);
  }
  return sum;
}

/** Measures one (zone size, changed sets) pair on a fresh server. */
export async function measure(
  workload: Workload,
  sets: number,
  changed: number,
): Promise<CallRow> {
  const server = await startRoute53Local({ log: () => {}, maxRecordSetsPerZone: 20_000 });
  const client = new Route53Client({
    endpoint: server.url,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  try {
    const api = route53Api(client);
    const v1 = zoneSets(workload, sets, 0);
    const v2 = zoneSets(workload, sets, changed);
    const base = { zone: ZONE, jobId: "bench", force: true };
    const sync = async (zoneId: string, previous: RecordSet[] | null) => {
      const before = server.stats();
      await syncZone(api, { ...base, zoneId, desired: v2, previous });
      return total(server.stats(), before);
    };

    const incrementalZone = (await createHostedZone(api, ZONE)).zone.id;
    await syncZone(api, { ...base, zoneId: incrementalZone, desired: v1, previous: null });
    const incremental = await sync(incrementalZone, v1);

    const fullZone = (await createHostedZone(api, ZONE)).zone.id;
    await syncZone(api, { ...base, zoneId: fullZone, desired: v1, previous: null });
    const full = await sync(fullZone, null);

    const changeMinimum = minimumBatchCount(planIncremental(ZONE, v1, v2).changes);
    return {
      workload,
      sets,
      changed,
      incremental,
      incrementalMinimum: changeMinimum,
      full,
      fullMinimum: changeMinimum + Math.ceil((sets + APEX_SETS) / PAGE),
    };
  } finally {
    client.destroy();
    await server.close();
  }
}

/** The Markdown table of the rows. */
export function formatRows(rows: CallRow[]): string {
  const lines = [
    "| sets hold | record sets | changed | incremental calls | minimum | full reconcile calls | minimum |",
    "|---|---:|---:|---:|---:|---:|---:|",
  ];
  for (const row of rows) {
    lines.push(
      `| ${
        row.workload === "A" ? "A, 1 short value" : "TXT, 250 chars"
      } | ${row.sets} | ${row.changed} | ${row.incremental} | ${row.incrementalMinimum} | ` +
        `${row.full} | ${row.fullMinimum} |`,
    );
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const rows: CallRow[] = [];
  for (const workload of ["A", "TXT"] as const) {
    for (const sets of [100, 1000, 10000]) {
      for (const changed of [...new Set([1, 100, sets])]) {
        rows.push(await measure(workload, sets, changed));
      }
    }
  }
  console.log(formatRows(rows));
  const equal = rows.every((r) =>
    r.incremental === r.incrementalMinimum && r.full === r.fullMinimum
  );
  console.log(equal ? "\nevery row equals its minimum" : "\nSOME ROWS EXCEED THEIR MINIMUM");
}
