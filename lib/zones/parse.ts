/**
 * Zone files → normalised Route 53 record sets, with every problem collected.
 *
 * Two formats are read: BIND master files (RFC 1035 §5.1, as named-checkzone reads
 * them; lib/zones/_bind.ts) and the legacy dns-api format (lib/zones/legacy.ts).
 * {@linkcode detectFormat} tells them apart. Both readers add records to one collector
 * (lib/zones/collector.ts), which lib/zones/_finish.ts turns into sets. The sets come out
 * in the canonical forms of lib/dns/names.ts and lib/rdata/rdata.ts, so a set read back
 * from Route 53 and normalised equals the parsed one.
 *
 * BIND semantics kept on purpose: blank owner = previous owner; TTL when a record has
 * none: `$TTL` if given, else the previous explicit TTL (RFC 1035), else for an SOA its
 * MINIMUM (which then acts as `$TTL`), else an error; a set whose records disagree on TTL
 * takes the first and warns. Deviations: names outside the zone are errors (BIND drops
 * them with a warning), an SOA and apex NS are not required (Route 53 owns them and they
 * are dropped from the output), `$INCLUDE` is refused, TTLs above 2147483647 are errors
 * (BIND sets them to 0), an unclosed `(` is reported on its own line (BIND names the end
 * of the file), a character-string's 255-byte limit and Route 53's 4,000-character TXT
 * value limit are errors, a leading UTF-8 byte-order mark is ignored, a `$GENERATE`
 * offset that a C `int` cannot hold is an error (BIND wraps it), and `$GENERATE` stops at
 * the zone's limits. Only the first 100 errors and warnings are kept (then "… and N more").
 *
 * Text is taken as decoded UTF-8: characters outside ASCII in values become their UTF-8
 * bytes, and a name's label written in Unicode becomes its A-label (deliberately unlike
 * BIND, which keeps the bytes; `\DDD` escapes stay bytes, lib/dns/names.ts). The check
 * command refuses files that are not valid UTF-8.
 *
 * @module
 */

import type { RecordSet } from "../dns/record_set.ts";
import { parseName } from "../dns/names.ts";
import { createCollector, finalProblems } from "./collector.ts";
import { parseBind } from "./_bind.ts";
import { LEGACY_LINE, legacySteps, lineBounds } from "./legacy.ts";
import { finish } from "./_finish.ts";
import { type ApexNs, apexNsIgnored, apexNsMismatch, apexNsOf } from "./lint/apex.ts";
import { DEFAULT_ZONE_LIMITS, type ZoneLimits, type ZoneProblem } from "./types.ts";
import { messageOf } from "../util/message.ts";
import { drain, drainYielding } from "../util/steps.ts";

export { DEFAULT_ZONE_LIMITS, type ZoneLimits, type ZoneProblem };
export { type ApexNs, apexNsIgnored, apexNsMismatch };

/** What {@linkcode parseZone} returns. */
export interface ZoneParseResult {
  /** The zone as given, without trailing dot, lower-case. */
  zone: string;
  format: "bind" | "legacy";
  /** Sorted in Route 53 listing order; apex SOA and apex NS left out. */
  rrsets: RecordSet[];
  /** The problems in line order: the first 100 errors and 100 warnings, then one "… and N
   * more" entry each when there were more (lib/zones/collector.ts). */
  errors: ZoneProblem[];
  warnings: ZoneProblem[];
  /** The apex NS set the file holds (left out of `rrsets`: Route 53 keeps its own), or null. */
  apexNs: ApexNs | null;
  /** The line reading stopped at when `limits.maxParseMs` ran out (its error is first). */
  timedOutAt?: number;
}

/**
 * Decides the format of a zone file from its first significant line, or returns the
 * problem when the line fits neither format. Lines end at `\n`, `\r\n` or `\r`. Blank
 * lines and lines whose first non-blank character is `#` or `;` are skipped. The line,
 * its blanks stripped, is legacy when it is a type character (case-insensitive: the
 * legacy types `+ = 6 @ & C T ^ _ !` and the tinydns characters that format refuses,
 * `. : Z % - '` and digits) followed by a name without blanks and then a `:`
 * (`+www:192.0.2.1`, indented or not); it is BIND when it starts with `$` or a blank, or
 * holds at least two blank-separated tokens with no `:` in the first. Anything else is an
 * error: the file is never guessed.
 *
 * @example
 * ```ts
 * detectFormat("+www:192.0.2.1\n"); // "legacy"
 * detectFormat("www 300 IN A 192.0.2.1\n"); // "bind"
 * ```
 */
export function detectFormat(text: string): "bind" | "legacy" | ZoneProblem {
  let pos = 0, line = 1;
  while (pos < text.length) {
    const [end, next] = lineBounds(text, pos);
    const l = text.slice(pos, end);
    const t = l.trim();
    if (t !== "" && t[0] !== "#" && t[0] !== ";") {
      // Legacy first: an indented legacy line must not pass for a BIND blank owner.
      if (LEGACY_LINE.test(t)) return "legacy";
      if (l[0] === "$" || l[0] === " " || l[0] === "\t" || /^[^\s:]+\s+\S/.test(l)) return "bind";
      return {
        line,
        message:
          "cannot tell the file's format: this line is neither a BIND record (owner TTL class type data) nor a legacy dns-api line (type character, name, ':'-separated fields)",
      };
    }
    pos = next;
    line++;
  }
  return "bind";
}

/**
 * Parses a zone file (BIND or legacy format, told apart by {@linkcode detectFormat})
 * into normalised record sets, collecting every problem with its line.
 *
 * @example
 * ```ts
 * const r = parseZone("$TTL 300\nwww A 192.0.2.1\n", { zone: "shop.test" });
 * // r.rrsets: [{ name: "www.shop.test.", type: "A", ttl: 300, values: ["192.0.2.1"] }]
 * ```
 */
export function parseZone(text: string, options: ZoneParseOptions): ZoneParseResult {
  return drain(zoneSteps(text, options));
}

/**
 * {@linkcode parseZone} giving the event loop a turn every 20 ms, so the worker's lease
 * heartbeat and its SIGTERM handling run while a large or pathological file is read
 * (at most `limits.maxParseMs`). The worker uses this one; the pre-receive hook, a
 * process of its own per push, uses `parseZone`.
 *
 * @example
 * ```ts
 * const r = await parseZoneYielding(text, { zone: "shop.test" });
 * ```
 */
export function parseZoneYielding(
  text: string,
  options: ZoneParseOptions,
): Promise<ZoneParseResult> {
  return drainYielding(zoneSteps(text, options));
}

/** What {@linkcode parseZone} is told: the zone the file is for, limits other than the defaults. */
export interface ZoneParseOptions {
  zone: string;
  limits?: Partial<ZoneLimits>;
  /**
   * False when the caller compares the apex NS set with the zone's Route 53 name
   * servers itself ({@linkcode apexNsMismatch}); else it is warned about as ignored.
   */
  warnApexNs?: boolean;
}

function* zoneSteps(text: string, options: ZoneParseOptions): Generator<void, ZoneParseResult> {
  const limits = { ...DEFAULT_ZONE_LIMITS, ...options.limits };
  let zone = options.zone.toLowerCase();
  if (zone.endsWith(".")) zone = zone.slice(0, -1);
  // Room for the sets up front (a record line averages 30-40 bytes; the set limit caps
  // it), so the number columns rarely grow.
  const c = createCollector(
    "",
    limits,
    Math.min(limits.maxRecordSets + 2, (text.length >> 5) + 64),
  );
  const result = (
    format: "bind" | "legacy",
    rrsets: RecordSet[],
    apexNs: ApexNs | null = null,
  ): ZoneParseResult => ({
    zone,
    format,
    rrsets,
    ...finalProblems(c),
    apexNs,
    ...(c.timedOut ? { timedOutAt: c.timedOutAt } : {}),
  });
  try {
    c.apex = parseName(zone === "" ? "." : zone + ".", ".", false);
    c.dotApex = c.apex === "." ? "." : "." + c.apex;
  } catch (e) {
    c.errors.push({ line: 0, message: `bad zone name "${options.zone}": ${messageOf(e)}` });
    return result("bind", []);
  }
  // Checked before reading: a huge file must not cost memory first.
  const bytes = text.length <= limits.maxBytes / 3
    ? text.length
    : new TextEncoder().encode(text).length;
  if (bytes > limits.maxBytes) {
    c.errors.push({
      line: 0,
      message: `file is ${bytes} bytes; the limit is ${limits.maxBytes}`,
    });
    return result("bind", []);
  }
  // A UTF-8 byte-order mark (editors on Windows add one) is not part of the first owner.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const format = detectFormat(text);
  if (typeof format !== "string") {
    c.errors.push(format);
    return result("bind", []);
  }
  if (format === "legacy") yield* legacySteps(text, c);
  else yield* parseBind(text, c);
  const rrsets = finish(c);
  if (rrsets.length === 0 && c.errors.length === 0) {
    c.warnings.push({ line: 0, message: "the file holds no record sets" });
  }
  const apexNs = apexNsOf(c);
  if (apexNs !== null && options.warnApexNs !== false) {
    c.warnings.push(apexNsIgnored(apexNs));
  }
  return result(format, rrsets, apexNs);
}
