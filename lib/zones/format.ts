/**
 * Record sets → BIND master-file text, such that `parseZone(formatZone(z, sets))` gives
 * the same sets back (one line per value, absolute names, explicit TTL and class; an
 * alias set as cli53's `name AWS ALIAS type target zone-id flag`).
 *
 * Canonical text uses Route 53's OCTAL `\ooo` escapes; zone files read `\DDD` as
 * DECIMAL, so every numeric escape is rewritten on the way out.
 *
 * @module
 */

import type { RecordSet } from "../dns/record_set.ts";

/** Rewrites `\ooo` (octal) escapes as zone-file `\DDD` (decimal); `\\`, `\"` kept. */
export function octalToZoneEscapes(s: string): string {
  if (!s.includes("\\")) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== "\\") {
      out += c;
      continue;
    }
    const o = s.slice(i + 1, i + 4);
    if (/^[0-7]{3}$/.test(o)) {
      out += "\\" + String(parseInt(o, 8)).padStart(3, "0");
      i += 3;
    } else {
      out += s.slice(i, i + 2);
      i++;
    }
  }
  return out;
}

/**
 * Prints record sets as a BIND zone file for `zone` (with or without trailing dot),
 * each comment line prefixed with `; `.
 *
 * @example
 * ```ts
 * formatZone("shop.test", [{ name: "www.shop.test.", type: "A", ttl: 300, values: ["192.0.2.1"] }]);
 * // "$ORIGIN shop.test.\nwww.shop.test. 300 IN A 192.0.2.1\n"
 * ```
 */
export function formatZone(
  zone: string,
  rrsets: RecordSet[],
  options?: { comments?: string[] },
): string {
  const lines: string[] = [];
  for (const c of options?.comments ?? []) {
    for (const l of c.split("\n")) lines.push(`; ${l}`);
  }
  const origin = zone.endsWith(".") ? zone : zone + ".";
  lines.push(`$ORIGIN ${octalToZoneEscapes(origin.toLowerCase())}`);
  for (const s of rrsets) {
    const owner = octalToZoneEscapes(s.name);
    if (s.alias !== undefined) {
      const { target, zoneId, evaluateTargetHealth } = s.alias;
      lines.push(
        `${owner} AWS ALIAS ${s.type} ${
          octalToZoneEscapes(target)
        } ${zoneId} ${evaluateTargetHealth}`,
      );
      continue;
    }
    for (const v of s.values) {
      lines.push(`${owner} ${s.ttl} IN ${s.type} ${octalToZoneEscapes(v)}`);
    }
  }
  return lines.join("\n") + "\n";
}
