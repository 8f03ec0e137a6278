/**
 * Times short-lived commands interleaved (A B C A B C …), so load that changes during a
 * run on a shared machine falls on every command alike; prints each command's median
 * wall time in milliseconds as JSON (`{"name": ms, …}`). Each run starts the command
 * directly (no shell), stdin from a file, stdout and stderr discarded; the first
 * `--warmup` rounds are not counted. A command that exits non-zero stops the benchmark.
 *
 * Usage: `deno run --allow-run --allow-read bench/interleave.ts --runs N --warmup N
 *   --stdin FILE NAME=COMMAND…` (COMMAND split on spaces).
 *
 * @module
 */

import { parseArgs } from "node:util";

/** The median of `values` (which it sorts). */
export function median(values: number[]): number {
  const v = values.sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

async function timeOnce(argv: string[], stdinFile: string): Promise<number> {
  const [cmd = "", ...args] = argv;
  const input = await Deno.open(stdinFile);
  const start = performance.now();
  const child = new Deno.Command(cmd, {
    args,
    stdin: "piped",
    stdout: "null",
    stderr: "null",
  }).spawn();
  await input.readable.pipeTo(child.stdin);
  const status = await child.status;
  const elapsed = performance.now() - start;
  if (!status.success) throw new Error(`Cannot time ${argv.join(" ")}: exit ${status.code}`);
  return elapsed;
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: {
      runs: { type: "string", default: "40" },
      warmup: { type: "string", default: "3" },
      stdin: { type: "string" },
    },
    allowPositionals: true,
  });
  const commands = positionals.map((p) => {
    const eq = p.indexOf("=");
    if (eq < 1) throw new TypeError(`Cannot read command ${JSON.stringify(p)}: not NAME=COMMAND`);
    return { name: p.slice(0, eq), argv: p.slice(eq + 1).split(" ").filter(Boolean) };
  });
  if (!values.stdin) throw new TypeError("Cannot time: --stdin FILE is required");
  const runs = Number(values.runs);
  const warmup = Number(values.warmup);
  const times = new Map(commands.map((c) => [c.name, [] as number[]]));
  for (let round = 0; round < warmup + runs; round++) {
    for (const { name, argv } of commands) {
      const ms = await timeOnce(argv, values.stdin);
      if (round >= warmup) times.get(name)!.push(ms);
    }
  }
  console.log(JSON.stringify(Object.fromEntries([...times].map(([n, v]) => [n, median(v)]))));
}
