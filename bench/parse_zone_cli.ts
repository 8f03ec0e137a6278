/**
 * Whole-process parse benchmark subject: reads one zone file, parses and normalises it
 * with lib/zones.ts (limits raised so a 1M-record zone is allowed), prints the number
 * of record sets and records, and exits. Timed from outside by bench/parse_bench.sh,
 * so Deno's start-up is part of the measurement, as it is for a customer's push.
 *
 * Usage: `deno run --allow-read bench/parse_zone_cli.ts ZONE FILE`
 *
 * @module
 */

import { parseZone } from "../lib/zones.ts";

/** Limits high enough for the largest generated zone (1M records, about 50 MB). */
export const BENCH_LIMITS = {
  maxBytes: 1 << 30,
  maxRecordSets: 10_000_000,
  maxValuesPerSet: 1_000_000,
  maxParseMs: 600_000,
};

async function main(): Promise<void> {
  const [zone, file] = Deno.args;
  if (zone === undefined || file === undefined) {
    console.error("usage: parse_zone_cli.ts ZONE FILE");
    Deno.exitCode = 2;
    return;
  }
  const text = await Deno.readTextFile(file);
  const result = parseZone(text, { zone, limits: BENCH_LIMITS });
  let records = 0;
  for (const set of result.rrsets) records += set.values.length;
  console.log(
    `${file}: ${result.rrsets.length} sets, ${records} records, ` +
      `${result.errors.length} errors, ${result.warnings.length} warnings`,
  );
  for (const e of result.errors.slice(0, 5)) console.error(`${file}:${e.line}: ${e.message}`);
  if (result.errors.length > 0) Deno.exitCode = 1;
}

if (import.meta.main) await main();
