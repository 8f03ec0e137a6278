/**
 * CLI of the local Route 53 server:
 * `deno task route53-local --port N [--state FILE] [--throttle-rate F] [--busy-rate F]
 * [--latency-ms N] [--insync-after-ms N] [--seed N] [--max-rrsets N] [--reserved-names]
 * [--delegation-set ID=NS1,NS2,NS3,NS4 …] [--hostname H]`.
 * Prints `listening on http://HOST:PORT` as its first line and runs until SIGINT/SIGTERM.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { startRoute53Local } from "./server.ts";

function number(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n)) {
    throw new TypeError(`Cannot start route53-local: --${flag} must be a number, got '${text}'`);
  }
  return n;
}

/** `ID=NS1,NS2,NS3,NS4` flags as delegation sets (checked by the server). */
function delegationSets(flags: string[]): Record<string, string[]> {
  const sets: Record<string, string[]> = {};
  for (const flag of flags) {
    const eq = flag.indexOf("=");
    if (eq < 1) {
      throw new TypeError(
        `Cannot start route53-local: --delegation-set must be ID=NS1,NS2,NS3,NS4, got '${flag}'`,
      );
    }
    sets[flag.slice(0, eq)] = flag.slice(eq + 1).split(",");
  }
  return sets;
}

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      port: { type: "string" },
      hostname: { type: "string" },
      state: { type: "string" },
      "throttle-rate": { type: "string" },
      "busy-rate": { type: "string" },
      "latency-ms": { type: "string" },
      "insync-after-ms": { type: "string" },
      seed: { type: "string" },
      "max-rrsets": { type: "string" },
      "reserved-names": { type: "boolean" },
      "delegation-set": { type: "string", multiple: true },
      help: { type: "boolean" },
    },
  });
  if (values.help === true) {
    console.log(
      "usage: route53-local --port N [--state FILE] [--throttle-rate F] [--busy-rate F]\n" +
        "  [--latency-ms N] [--insync-after-ms N] [--seed N] [--max-rrsets N] [--reserved-names]\n" +
        "  [--delegation-set ID=NS1,NS2,NS3,NS4 …] [--hostname H]",
    );
    return 0;
  }
  const server = await startRoute53Local({
    port: number("port", values.port) ?? 0,
    hostname: values.hostname ?? "127.0.0.1",
    ...(values.state === undefined ? {} : { statePath: values.state }),
    throttleRate: number("throttle-rate", values["throttle-rate"]) ?? 0,
    busyRate: number("busy-rate", values["busy-rate"]) ?? 0,
    latencyMs: number("latency-ms", values["latency-ms"]) ?? 0,
    insyncAfterMs: number("insync-after-ms", values["insync-after-ms"]) ?? 0,
    maxRecordSetsPerZone: number("max-rrsets", values["max-rrsets"]) ?? 10_000,
    reservedNames: values["reserved-names"] === true,
    delegationSets: delegationSets(values["delegation-set"] ?? []),
    ...(values.seed === undefined ? {} : { seed: number("seed", values.seed) }),
  });
  console.log(`listening on ${server.url}`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    Deno.addSignalListener("SIGINT", stop);
    Deno.addSignalListener("SIGTERM", stop);
  });
  await server.close();
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    Deno.exit(2);
  }
}
