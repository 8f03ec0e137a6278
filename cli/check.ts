/**
 * `check [--json] FILE...`: validates zone files as the worker would read them.
 *
 * The zone of each file is its base name. Exit code 0 when every file is valid, 1 when
 * any has an error (or cannot be read), 2 for a usage error. Without `--json` each
 * problem prints as `file:line: message` (warnings as `file:line: warning: message`),
 * followed by one summary line per file.
 *
 * @module
 */

import { basename } from "node:path";
import { DEFAULT_ZONE_LIMITS, parseZone, recordSetJson, type ZoneProblem } from "../lib/zones.ts";
import type { RecordSet } from "../lib/zones.ts";
import { messageOf } from "../lib/errors.ts";
import { answer, readCommand } from "./command_line.ts";
import type { Invocation } from "./commands.ts";

/** Where {@linkcode runCheck} writes; each call is one chunk of text. */
export interface CheckOutput {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

/** One file's result, as printed by `--json`. */
export interface CheckedZone {
  zone: string;
  file: string;
  ok: boolean;
  errors: ZoneProblem[];
  warnings: ZoneProblem[];
  rrsets: RecordSet[];
}

/** Reads and parses one file; read and decoding failures become line-0 errors. */
export async function checkFile(file: string): Promise<CheckedZone> {
  const zone = basename(file).toLowerCase().replace(/\.$/, "");
  const fail = (message: string): CheckedZone => ({
    zone,
    file,
    ok: false,
    errors: [{ line: 0, message }],
    warnings: [],
    rrsets: [],
  });
  let bytes: Uint8Array;
  try {
    const info = await Deno.stat(file);
    if (!info.isFile) return fail("not a regular file");
    if (info.size > DEFAULT_ZONE_LIMITS.maxBytes) {
      return fail(`file is ${info.size} bytes; the limit is ${DEFAULT_ZONE_LIMITS.maxBytes}`);
    }
    bytes = await Deno.readFile(file);
  } catch (e) {
    return fail(`cannot read the file: ${messageOf(e)}`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return fail("the file is not valid UTF-8: save it as UTF-8 (or plain ASCII)");
  }
  const r = parseZone(text, { zone });
  return {
    zone: r.zone,
    file,
    ok: r.errors.length === 0,
    errors: r.errors,
    warnings: r.warnings,
    rrsets: r.rrsets,
  };
}

function where(file: string, line: number): string {
  return line > 0 ? `${file}:${line}` : file;
}

/**
 * Runs `check` with the arguments after the subcommand and returns the exit code
 * (`--help` and usage errors are answered from the command table).
 *
 * @example
 * ```ts
 * const code = await runCheck(["zones/shop.test"], {
 *   stdout: (s) => console.log(s.trimEnd()),
 *   stderr: (s) => console.error(s.trimEnd()),
 * });
 * ```
 */
export async function runCheck(args: string[], out: CheckOutput): Promise<number> {
  const read = readCommand("check", args);
  return "code" in read ? answer(read, out) : await checkZones(read, out);
}

/** Runs a `check` the command line asked for; exit code 0 when every file is valid. */
export async function checkZones(
  { values: { json }, args: [files] }: Invocation<"check">,
  out: CheckOutput,
): Promise<number> {
  const zones: CheckedZone[] = [];
  for (const f of files) zones.push(await checkFile(f));
  if (json) {
    // alias sets show as { name, type, alias } (README, "check")
    const shown = zones.map((z) => ({ ...z, rrsets: z.rrsets.map(recordSetJson) }));
    out.stdout(JSON.stringify({ zones: shown }) + "\n");
  } else {
    let text = "";
    for (const z of zones) {
      for (const e of z.errors) text += `${where(z.file, e.line)}: ${e.message}\n`;
      for (const w of z.warnings) text += `${where(z.file, w.line)}: warning: ${w.message}\n`;
      text += z.ok
        ? `${z.file}: ok, zone ${z.zone}, ${z.rrsets.length} record sets, ${z.warnings.length} warnings\n`
        : `${z.file}: ${z.errors.length} errors, ${z.warnings.length} warnings in zone ${z.zone}\n`;
    }
    out.stdout(text);
  }
  return zones.every((z) => z.ok) ? 0 : 1;
}
