/**
 * The legacy dns-api format (the original service's tinydns-like lines; README, "Zone
 * files"), read into the same canonical record sets as BIND files.
 *
 * Which files are legacy is decided by `detectFormat` in lib/zones/parse.ts.
 *
 * Reading rules chosen where the format is silent:
 * - Owner names: empty = apex; the zone itself or a name ending in `.zone` is fully
 *   qualified; a trailing dot makes a name absolute; anything else is relative to the
 *   zone (with a warning when it holds a dot, as `www.other.com` is probably a typo).
 * - Target names (MX, CNAME, PTR, SRV) are fully qualified, trailing dot optional, as in
 *   tinydns-data. In tinydns' `@name:ip:x` MX form an `x` without a dot means
 *   `x.mx.name`, and a non-empty ip adds an A record for the exchange, as tinydns does.
 * - `=` is an A record only (tinydns' reverse PTR is not made: it belongs to another zone).
 * - Quoted text (TXT, CAA values) uses tinydns escapes: `\ooo` octal, `\"` and `\\`.
 *   TXT text is split into 255-byte strings automatically.
 * - SRV priority and weight, which the format does not carry, are 0 and 0. The `_` type
 *   character is also the first character of the SRV owner (SRV owners start with
 *   `_service`): `_xmpp._tcp.example.com:…` is the SRV set at `_xmpp._tcp.example.com.`.
 * - TTL, the last optional field, defaults to 300 and must be 0..2147483647.
 *
 * @module
 */

import { type RRType } from "../dns/record_set.ts";
import { parseName } from "../dns/names.ts";
import { canonicalIpv4, canonicalIpv6 } from "../dns/rdata_addr.ts";
import { escapeCharString, lastByteLength } from "../dns/rdata_text.ts";
import { decodeCanonical, encodeBytes } from "../dns/rdata_text.ts";
import { MAX_TTL, MAX_TXT_VALUE, parseRdata } from "../dns/rdata.ts";
import { addRecord, boundProblems, type ZoneCollector } from "./collector.ts";
import { messageOf } from "../util/message.ts";

/** Splits a legacy line into `:`-separated fields; quoted parts may hold `:`. */
function splitFields(s: string): string[] {
  const out: string[] = [];
  let cur = "", q = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q && c === "\\") {
      cur += s.slice(i, i + 2);
      i++;
    } else if (c === '"') {
      q = !q;
      cur += c;
    } else if (c === ":" && !q) {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function ownerName(raw: string, apex: string, warn: (m: string) => void): string {
  if (raw === "") return apex;
  const zone = apex.slice(0, -1);
  const lower = raw.toLowerCase();
  if (raw.endsWith(".") || lower === zone || lower.endsWith("." + zone)) {
    return parseName(raw.endsWith(".") ? raw : raw + ".", ".", true);
  }
  if (raw.includes(".")) warn(`name "${raw}" does not end in ${zone}; read as ${raw}.${zone}`);
  return parseName(raw, apex, true);
}

function target(raw: string): string {
  if (raw === "") throw new SyntaxError("missing target name");
  return parseName(raw.endsWith(".") ? raw : raw + ".", ".", true);
}

function ttlField(f: string | undefined): number {
  if (f === undefined || f === "") return 300;
  if (!/^\d{1,10}$/.test(f) || Number(f) > MAX_TTL) {
    throw new SyntaxError(`TTL "${f}" is not a number 0..${MAX_TTL}`);
  }
  return Number(f);
}

function unquoted(raw: string, what: string): string {
  if (raw.length < 2 || raw[0] !== '"' || raw[raw.length - 1] !== '"') {
    throw new SyntaxError(`${what} must be written in double quotes`);
  }
  return raw.slice(1, -1);
}

/** Canonical TXT value of legacy text: 255-byte strings, split automatically. */
function txtValue(raw: string): string {
  const body = escapeCharString(unquoted(raw, "TXT text"), true);
  if (lastByteLength <= 255) return `"${body}"`;
  const bytes = decodeCanonical(body);
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 255) {
    parts.push(`"${encodeBytes(bytes.slice(i, i + 255))}"`);
  }
  const value = parts.join(" ");
  if (value.length > MAX_TXT_VALUE) {
    throw new SyntaxError(
      `TXT value of ${value.length} characters is over Route 53's ${MAX_TXT_VALUE}`,
    );
  }
  return value;
}

function fieldCount(f: string[], min: number, max: number, shape: string): void {
  if (f.length < min || f.length > max) {
    throw new SyntaxError(`expected ${shape}, got ${f.length} fields`);
  }
}

/** Reads every legacy line into the collector (see the module doc for the rules). */
export function parseLegacyRecords(text: string, c: ZoneCollector): void {
  let pos = 0, line = 0;
  while (pos < text.length) {
    let end = text.indexOf("\n", pos);
    if (end < 0) end = text.length;
    const l = text.slice(pos, end).trimEnd();
    pos = end + 1;
    line++;
    if (l === "" || l[0] === "#") continue;
    boundProblems(c);
    const warn = (message: string) => c.warnings.push({ line, message });
    const add = (name: string, type: RRType, ttl: number, value: string) => {
      if (name !== c.apex && !name.endsWith(c.dotApex)) {
        throw new SyntaxError(`${name} is outside the zone ${c.apex}: Route 53 cannot hold it`);
      }
      addRecord(c, name, type, ttl, value, line);
    };
    try {
      const kind = l[0] ?? "";
      const f = splitFields(l.slice(1));
      const name = ownerName((kind === "_" ? "_" : "") + (f[0] ?? ""), c.apex, warn);
      switch (kind) {
        case "+":
        case "=":
          fieldCount(f, 2, 3, "name:ipv4[:ttl]");
          add(name, "A", ttlField(f[2]), canonicalIpv4(f[1] ?? ""));
          break;
        case "6": {
          fieldCount(f, 2, 3, "name:ipv6[:ttl]");
          const hex = f[1] ?? "";
          if (!/^[0-9a-fA-F]{32}$/.test(hex)) {
            throw new SyntaxError(`"${hex}" is not an IPv6 address as 32 hex digits`);
          }
          add(name, "AAAA", ttlField(f[2]), canonicalIpv6(hex.replace(/(.{4})(?!$)/g, "$1:")));
          break;
        }
        case "@": {
          const tiny = f.length >= 3 && (f[1] === "" || /^[\d.]+$/.test(f[1] ?? "")) &&
            !/^\d*$/.test(f[2] ?? "");
          if (tiny) {
            fieldCount(f, 3, 5, "name:ip:exchange[:priority[:ttl]]");
            const x = f[2] ?? "";
            const exchange = x.includes(".") ? target(x) : parseName(`${x}.mx`, name, true);
            const ttl = ttlField(f[4]);
            add(name, "MX", ttl, parseRdata("MX", [f[3] || "15", exchange], 0, 2, ".", true));
            if (f[1] !== "") add(exchange, "A", ttl, canonicalIpv4(f[1] ?? ""));
          } else {
            fieldCount(f, 2, 4, "name:exchange[:priority[:ttl]]");
            const ttl = ttlField(f[3]);
            add(
              name,
              "MX",
              ttl,
              parseRdata("MX", [f[2] || "15", target(f[1] ?? "")], 0, 2, ".", true),
            );
          }
          break;
        }
        case "C":
        case "c":
          fieldCount(f, 2, 3, "name:target[:ttl]");
          add(name, "CNAME", ttlField(f[2]), target(f[1] ?? ""));
          break;
        case "^":
          fieldCount(f, 2, 3, "name:target[:ttl]");
          add(name, "PTR", ttlField(f[2]), target(f[1] ?? ""));
          break;
        case "T":
        case "t":
          fieldCount(f, 2, 3, 'name:"text"[:ttl]');
          add(name, "TXT", ttlField(f[2]), txtValue(f[1] ?? ""));
          break;
        case "_":
          fieldCount(f, 3, 4, "name:target:port[:ttl]");
          add(
            name,
            "SRV",
            ttlField(f[3]),
            parseRdata("SRV", ["0", "0", f[2] ?? "", target(f[1] ?? "")], 0, 4, ".", true),
          );
          break;
        case "!": {
          fieldCount(f, 4, 5, "name:flags:tag:value[:ttl]");
          const v = f[3] ?? "";
          const raw = v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
          add(
            name,
            "CAA",
            ttlField(f[4]),
            parseRdata("CAA", [f[1] ?? "", f[2] ?? "", raw], 0, 3, ".", true),
          );
          break;
        }
        case ".":
        case "&":
        case "Z":
          throw new SyntaxError(
            `tinydns ${
              kind === "Z" ? "SOA" : "NS"
            } line: the dns-api format has none (Route 53 owns the zone's SOA and NS); remove it, or write a delegation in a BIND file`,
          );
        default:
          throw new SyntaxError(
            `unknown record type character "${kind}": legacy lines start with + = 6 @ C T ^ _ or !`,
          );
      }
    } catch (e) {
      c.errors.push({ line, message: messageOf(e) });
    }
  }
}
