/**
 * `check [--json] FILE...`: validates zone files as pre-receive and the worker would.
 *
 * Each FILE is a zone file or a directory of them (a repository's `zones/`), chosen by
 * the worker's own rules (lib/zones/files.ts): in a directory, samples (`example.*`),
 * dot-files, `README*`, `LICENSE*` and `CHANGELOG*` are skipped with a notice and files
 * in subdirectories are reported as ignored; a FILE named like a non-zone is skipped
 * too. The zone of each file is its base name, Unicode labels as A-labels. Exit code 0
 * when every file checked is valid, 1 when any has an error (or cannot be read), 2 for
 * a usage error. Without `--json` each problem prints as `file:line: message` (warnings
 * as `file:line: warning: message`), followed by one summary line per file; notices
 * come first.
 *
 * @module
 */

import {
  checkZoneFile,
  DEFAULT_ZONE_LIMITS,
  fileNameKind,
  nestedNotice,
  recordSetJson,
  sampleNotice,
  showName,
  skippedNotice,
  zoneFilesOf,
  type ZoneLimits,
  zoneOfPath,
  type ZoneProblem,
} from "../lib/zones.ts";
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

/** Reads and checks one zone file; read and decoding failures become line-0 errors. */
export async function checkFile(
  file: string,
  limits: ZoneLimits = DEFAULT_ZONE_LIMITS,
): Promise<CheckedZone> {
  const zone = zoneOfPath(file);
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
    if (info.size > limits.maxBytes) {
      return fail(`file is ${info.size} bytes; the limit is ${limits.maxBytes}`);
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
  const r = checkZoneFile(file, text, limits);
  return {
    zone: r.zone,
    file,
    ok: r.errors.length === 0,
    errors: r.errors,
    warnings: r.warnings,
    rrsets: r.rrsets,
  };
}

/** Every file below `dir` as `dir/rel` paths (`.git` left out), for the worker's selection. */
async function listFiles(dir: string): Promise<{ path: string; type: string }[]> {
  const out: { path: string; type: string }[] = [];
  const walk = async (at: string) => {
    const names: { name: string; isDirectory: boolean }[] = [];
    for await (const e of Deno.readDir(at)) names.push(e);
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of names) {
      const path = `${at}/${e.name}`;
      if (!e.isDirectory) out.push({ path, type: "blob" });
      else if (e.name !== ".git") await walk(path);
    }
  };
  await walk(dir);
  return out;
}

/** Checks the zone files of a directory as the worker selects them; notices for the rest. */
async function checkDir(
  dir: string,
  notices: string[],
  limits: ZoneLimits,
): Promise<CheckedZone[]> {
  const { files, ignored, skipped } = zoneFilesOf(await listFiles(dir), dir);
  for (const notice of [nestedNotice(ignored, dir), skippedNotice(skipped)]) {
    if (notice) notices.push(notice);
  }
  const zones: CheckedZone[] = [];
  for (const f of files) {
    if (fileNameKind(f.path.slice(dir.length + 1)) === "sample") notices.push(sampleNotice(f.path));
    else zones.push(await checkFile(f.path, limits));
  }
  return zones;
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

/**
 * Runs a `check` the command line asked for, to the operator's zone limits (the
 * configuration's `zoneLimits`); exit code 0 when every file is valid.
 */
export async function checkZones(
  { values: { json }, args: [files] }: Invocation<"check">,
  out: CheckOutput,
  limits: ZoneLimits = DEFAULT_ZONE_LIMITS,
): Promise<number> {
  const zones: CheckedZone[] = [];
  const notices: string[] = [];
  const skipped: string[] = [];
  for (const arg of files) {
    const isDir = await Deno.stat(arg).then((i) => i.isDirectory, () => false);
    const kind = fileNameKind(arg.slice(arg.lastIndexOf("/") + 1));
    if (isDir) zones.push(...await checkDir(arg.replace(/(.)\/+$/, "$1"), notices, limits));
    else if (kind === "hidden" || kind === "not-zone") skipped.push(arg);
    else zones.push(await checkFile(arg, limits));
  }
  const notice = skippedNotice(skipped);
  if (notice) notices.push(notice);
  if (json) {
    // alias sets show as { name, type, alias } (README, "check")
    const shown = zones.map((z) => ({ ...z, rrsets: z.rrsets.map(recordSetJson) }));
    out.stdout(
      JSON.stringify(notices.length > 0 ? { zones: shown, notices } : { zones: shown }) + "\n",
    );
  } else {
    let text = "";
    for (const n of notices) text += `${n}\n`;
    for (const z of zones) {
      for (const e of z.errors) text += `${where(z.file, e.line)}: ${e.message}\n`;
      for (const w of z.warnings) text += `${where(z.file, w.line)}: warning: ${w.message}\n`;
      text += z.ok
        ? `${z.file}: ok, zone ${
          showName(z.zone)
        }, ${z.rrsets.length} record sets, ${z.warnings.length} warnings\n`
        : `${z.file}: ${z.errors.length} errors, ${z.warnings.length} warnings in zone ${
          showName(z.zone)
        }\n`;
    }
    out.stdout(text);
  }
  return zones.every((z) => z.ok) ? 0 : 1;
}
