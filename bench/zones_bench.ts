/**
 * In-process parse + normalise speed of lib/zones.ts on generated zones of 10k and
 * 100k records (`deno bench -A bench/zones_bench.ts`). The zone text is generated in
 * memory once, so only parseZone is measured; whole-process numbers (start-up, file
 * read, peak memory) come from bench/parse_bench.sh.
 *
 * @module
 */

import { zoneLines } from "./gen_zone.ts";
import { BENCH_LIMITS } from "./parse_zone_cli.ts";
import { parseZone } from "../lib/zones.ts";

const ZONE = "bench.test";
const text10k = [...zoneLines({ zone: ZONE, records: 10_000, seed: 1 })].join("\n") + "\n";
const text100k = [...zoneLines({ zone: ZONE, records: 100_000, seed: 1 })].join("\n") + "\n";

function parseOrThrow(text: string): number {
  const result = parseZone(text, { zone: ZONE, limits: BENCH_LIMITS });
  if (result.errors.length > 0) {
    throw new Error(`Cannot benchmark: generated zone has errors: ${result.errors[0]?.message}`);
  }
  return result.rrsets.length;
}

Deno.bench({ name: "parseZone 10k records", group: "parse", baseline: true }, () => {
  parseOrThrow(text10k);
});

Deno.bench({ name: "parseZone 100k records", group: "parse", n: 20 }, () => {
  parseOrThrow(text100k);
});
