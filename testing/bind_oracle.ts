/**
 * BIND as the reference parser: loads a customer's zone file with `named-checkzone`
 * and reports what BIND accepted, rejected and dumped.
 *
 * Customers' files usually have no apex SOA or NS, which BIND requires, so the file is
 * loaded through a wrapper (`$ORIGIN`, `$INCLUDE` of the file by absolute path, a fake
 * SOA and NS). The file keeps its own name and line numbers inside BIND's messages,
 * so every message is mapped back to a line of the customer's file.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { commandRuns } from "./services.ts";

/** Flags that switch off checks Route 53 does not make, and every DNS lookup. */
const CHECK_FLAGS = [
  "-k",
  "ignore",
  "-i",
  "none",
  "-m",
  "ignore",
  "-M",
  "ignore",
  "-n",
  "ignore",
  "-r",
  "ignore",
  "-S",
  "ignore",
  "-T",
  "ignore",
  "-W",
  "ignore",
  "-D",
  "-s",
  "full",
];

const FAKE_SOA = "@ 3600 IN SOA ns.invalid. hostmaster.invalid. 1 7200 900 1209600 300";
const FAKE_NS = "@ 3600 IN NS ns.invalid.";

/** One message of BIND's, with the customer's line when BIND named one in their file. */
export interface BindMessage {
  /** Line in the customer's file, or null when BIND named none (or the wrapper). */
  line: number | null;
  message: string;
}

/** One record of BIND's `-D` dump. */
export interface BindRecord {
  /** Owner as BIND prints it: absolute, decimal `\DDD` escapes, case as loaded. */
  owner: string;
  ttl: number;
  class: string;
  type: string;
  /** RDATA text as BIND prints it. */
  rdata: string;
}

/** What BIND made of one zone file. */
export interface BindResult {
  /** True when named-checkzone loaded the zone (exit status 0). */
  ok: boolean;
  /** Messages about lines BIND refused, or that made it reject the zone. */
  errors: BindMessage[];
  /** Every message BIND printed (warnings included), mapped to customer lines. */
  messages: BindMessage[];
  /** Records of the dump without apex SOA and NS (empty when !ok). */
  records: BindRecord[];
  /** The dump text as BIND wrote it, without apex SOA and NS lines. */
  dump: string;
}

/** Tells whether named-checkzone is on the PATH. */
export function bindAvailable(): Promise<boolean> {
  return commandRuns("named-checkzone", ["-v"]);
}

/**
 * Loads `file` as zone `zone` with named-checkzone and returns its verdict and dump.
 *
 * @example
 * ```ts
 * const r = await runBind("shop.test", "tests/corpus/blank_owner.zone");
 * if (r.ok) console.log(r.records.length);
 * ```
 */
export async function runBind(zone: string, file: string): Promise<BindResult> {
  const abs = resolve(file);
  const first = await runWrapped(zone, abs, true);
  // A file with its own apex SOA collides with the fake one: load it without ours.
  if (!first.ok && first.raw.includes("multiple RRs of singleton type")) {
    const second = await runWrapped(zone, abs, false);
    if (second.ok || !second.raw.includes("has 0 SOA records")) return second.result;
  }
  return first.result;
}

async function runWrapped(
  zone: string,
  abs: string,
  withSoa: boolean,
): Promise<{ ok: boolean; raw: string; result: BindResult }> {
  const origin = zone.endsWith(".") ? zone : `${zone}.`;
  const dir = await Deno.makeTempDir({ prefix: "bind_oracle_" });
  try {
    const wrapper = join(dir, "wrapper.zone");
    const out = join(dir, "dump.zone");
    const lines = [`$ORIGIN ${origin}`, `$INCLUDE ${abs}`];
    if (withSoa) lines.push(FAKE_SOA);
    lines.push(FAKE_NS, "");
    await Deno.writeTextFile(wrapper, lines.join("\n"));
    const proc = await new Deno.Command("named-checkzone", {
      args: [...CHECK_FLAGS, "-o", out, "-w", dir, origin, wrapper],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const raw = new TextDecoder().decode(proc.stdout) + new TextDecoder().decode(proc.stderr);
    const messages = mapMessages(raw, abs);
    let dump = "";
    let records: BindRecord[] = [];
    if (proc.success) {
      const text = await Deno.readTextFile(out);
      const all = parseBindDump(text);
      const apex = origin.toLowerCase();
      // Apex SOA and NS are Route 53's and never record sets to sync: the fake ones
      // and the file's own are left out alike.
      const keep = (r: BindRecord) =>
        !((r.type === "SOA" || r.type === "NS") && r.owner.toLowerCase() === apex);
      records = all.filter(keep);
      dump = text.split("\n").filter((l) => {
        const r = parseBindDumpLine(l);
        return r === null || keep(r);
      }).join("\n");
    }
    const errors = proc.success ? [] : messages.filter(isErrorMessage);
    return { ok: proc.success, raw, result: { ok: proc.success, errors, messages, records, dump } };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** BIND's chatter that is not a reason for rejecting the zone. */
function isErrorMessage(m: BindMessage): boolean {
  return !/^(zone \S+: (loading from master file|not loaded)|using RFC1035 TTL semantics|ignoring out-of-zone data|no TTL specified; using SOA MINTTL)/
    .test(m.message) && m.message !== "OK";
}

/**
 * Splits BIND's output into messages and maps `FILE:LINE:` prefixes that name the
 * customer's file (absolute path) to their line; any other location gives `null`.
 */
export function mapMessages(raw: string, abs: string): BindMessage[] {
  const msgs: BindMessage[] = [];
  for (const text of raw.split("\n")) {
    const trimmed = text.trim();
    if (trimmed === "") continue;
    const at = trimmed.indexOf(`${abs}:`);
    if (at >= 0) {
      const rest = trimmed.slice(at + abs.length + 1);
      const m = /^(\d+):\s*(.*)$/.exec(rest);
      if (m && m[1] !== undefined && m[2] !== undefined) {
        msgs.push({ line: Number(m[1]), message: m[2] });
        continue;
      }
    }
    // Strip a leading "function: file:line:" located in the wrapper.
    const loc = /^(?:[a-z_]+: )?\S+:\d+: (.*)$/.exec(trimmed);
    msgs.push({ line: null, message: loc?.[1] ?? trimmed });
  }
  return msgs;
}

/** Parses one dump line (`owner ttl class type rdata`), or null for blanks/comments. */
export function parseBindDumpLine(line: string): BindRecord | null {
  if (line.trim() === "" || line.startsWith(";")) return null;
  const m = /^(\S+)\s+(\d+)\s+(\S+)\s+(\S+)\s*(.*)$/.exec(line);
  if (!m || m[1] === undefined || m[2] === undefined || m[3] === undefined || m[4] === undefined) {
    throw new SyntaxError(`Cannot read BIND dump line: ${line}`);
  }
  return { owner: m[1], ttl: Number(m[2]), class: m[3], type: m[4], rdata: (m[5] ?? "").trim() };
}

/** Parses a whole `named-checkzone -D -s full` dump. */
export function parseBindDump(text: string): BindRecord[] {
  const out: BindRecord[] = [];
  for (const line of text.split("\n")) {
    const r = parseBindDumpLine(line);
    if (r) out.push(r);
  }
  return out;
}

/**
 * Converts a name as BIND prints it (decimal `\DDD` and `\X` escapes) into Route 53's
 * form: lower-case, trailing dot, `*` kept as a whole leftmost label, every byte other
 * than `a-z 0-9 - _` as a backslash and three octal digits.
 *
 * This is a reader of our own, independent of lib/, so the differential test does not
 * compare the parser with itself.
 */
export function bindNameToRoute53(name: string): string {
  const labels: number[][] = [];
  let cur: number[] = [];
  const bytes = new TextEncoder().encode(name);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x5c) {
      const d = name.slice(i + 1, i + 4);
      if (/^\d{3}$/.test(d)) {
        cur.push(Number(d));
        i += 3;
      } else {
        cur.push(bytes[i + 1]!);
        i += 1;
      }
    } else if (b === 0x2e) {
      labels.push(cur);
      cur = [];
    } else {
      cur.push(b);
    }
  }
  if (cur.length > 0) labels.push(cur);
  const enc = labels.map((label, idx) => {
    if (idx === 0 && label.length === 1 && label[0] === 0x2a) return "*";
    return label.map((b) => {
      const lower = b >= 0x41 && b <= 0x5a ? b + 32 : b;
      const c = String.fromCharCode(lower);
      if (/[a-z0-9_-]/.test(c)) return c;
      return "\\" + lower.toString(8).padStart(3, "0");
    }).join("");
  });
  return enc.join(".") + ".";
}

/**
 * Rewrites BIND's decimal `\DDD` escapes in RDATA text as Route 53's octal ones (`\210`
 * → `\322`), leaving every other escape (`\\`, `\"`, `\,`) as it is. Our own reader, as
 * {@linkcode bindNameToRoute53}.
 *
 * @example
 * ```ts
 * bindEscapesToOctal('key667="hello\\210qoo"'); // 'key667="hello\\322qoo"'
 * ```
 */
export function bindEscapesToOctal(rdata: string): string {
  let out = "";
  for (let i = 0; i < rdata.length; i++) {
    if (rdata[i] !== "\\") {
      out += rdata[i];
      continue;
    }
    const digits = rdata.slice(i + 1, i + 4);
    if (/^\d{3}$/.test(digits)) {
      out += "\\" + Number(digits).toString(8).padStart(3, "0");
      i += 3;
    } else {
      out += rdata.slice(i, i + 2);
      i += 1;
    }
  }
  return out;
}
