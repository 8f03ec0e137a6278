/**
 * The legacy dns-api format: the original service's tinydns-like lines, read as that
 * service's parser (TinyDNS::Reader 0.7.7) read them, into the same canonical record sets
 * as BIND files. README ("Legacy format") lists every rule and each deliberate deviation.
 *
 * The principle: a migrated repository publishes exactly what it published before. Where
 * the original quietly changed a value (a default, a TTL it could not read) we produce
 * the same value and warn; where it dropped a line without a word we report an error.
 *
 * Which files are legacy is decided by `detectFormat` in lib/zones/parse.ts, from
 * {@linkcode LEGACY_LINE}.
 *
 * @module
 */

import { type RRType } from "../dns/record_set.ts";
import { parseName } from "../dns/names.ts";
import { canonicalIpv4, canonicalIpv6 } from "../rdata/addr.ts";
import { decodeCanonical, encodeBytes, escapeCharString } from "../rdata/text.ts";
import { lastByteLength } from "../rdata/text.ts";
import { MAX_TTL, MAX_TXT_VALUE, parseRdata } from "../rdata/rdata.ts";
import { addRecord, boundProblems, overTime, type ZoneCollector } from "./collector.ts";
import { messageOf } from "../util/message.ts";
import { drain } from "../util/steps.ts";

/**
 * A legacy line, after its blanks are stripped: a type character (case-insensitive; the
 * tinydns characters the format refuses included, so such a file gets an error per line)
 * followed by a name without blanks and a `:`.
 */
export const LEGACY_LINE = /^[-+=@&^_!.:%'0-9CTZctz][^\s:]*:/;

/**
 * Where the line starting at `pos` ends and where the next one starts: `\n`, `\r\n` and
 * a lone `\r` each end a line.
 *
 * @example
 * ```ts
 * lineBounds("a\r\nb", 0); // [1, 3]
 * ```
 */
export function lineBounds(text: string, pos: number): [end: number, next: number] {
  for (let i = pos; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10) return [i, i + 1];
    if (ch === 13) return [i, text.charCodeAt(i + 1) === 10 ? i + 2 : i + 1];
  }
  return [text.length, text.length];
}

/** tinydns' line types the format does not have, and what to write instead. */
const REFUSED: Record<string, string> = {
  ".": "tinydns' SOA-and-NS line: Route 53 keeps the apex SOA and NS itself; remove the line " +
    "(a delegation below the apex is &name::server)",
  ":": "tinydns' generic record: write the record with its type character, or in a BIND file",
  "Z": "tinydns' SOA line: Route 53 keeps the SOA itself; remove the line",
  "%": "tinydns' location line: locations are not supported; remove the line",
  "-": "tinydns' disabled A line: remove it, or write + to publish the address",
  "'": 'tinydns\' TXT line: write TXT as Tname:"text"[:ttl]',
  "3": "tinydns' AAAA line: write AAAA as 6name:<32 hex digits>[:ttl]",
};

/** What one line's reading needs: the zone, its line number, where warnings go. */
interface LineContext {
  c: ZoneCollector;
  line: number;
  warn: (message: string) => void;
}

/**
 * An owner name: empty is the apex, the zone or a name ending in `.zone` is qualified,
 * anything else relative. A relative name ending in a letters-only label looks like
 * another domain (`www.other.com`), the zone's own first label like the apex: both warn.
 */
function ownerName(raw: string, x: LineContext): string {
  const apex = x.c.apex;
  if (raw === "") return apex;
  const zone = apex.slice(0, -1);
  const lower = raw.toLowerCase();
  // A trailing dot is absolute: the original appended the zone and the sync failed.
  if (raw.endsWith(".")) return parseName(raw, ".", true);
  if (lower === zone || lower.endsWith("." + zone)) return parseName(raw + ".", ".", true);
  const name = parseName(raw, apex, true);
  if (/\.[a-z]{2,63}$/i.test(raw)) {
    x.warn(
      `name "${raw}" does not end in ${zone}, so it is ${name} (a name is relative unless it ends in the zone): for another domain use that domain's file; to keep this name and silence the warning write ${
        name.slice(0, -1)
      }`,
    );
  } else if (lower === zone.slice(0, zone.indexOf("."))) {
    x.warn(
      `name "${raw}" is ${name}, not the zone apex: for the apex leave the name empty or write ${zone}`,
    );
  }
  return name;
}

function target(raw: string | undefined, what: string): string {
  if (raw === undefined || raw === "") throw new SyntaxError(`missing ${what}`);
  return parseName(raw.endsWith(".") ? raw : raw + ".", ".", true);
}

/** The TTL field: absent, empty, `0` or not all digits is the default (the last three warn). */
function ttlField(f: string | undefined, def: number, x: LineContext): number {
  if (f === undefined) return def;
  if (/^\d+$/.test(f)) {
    const n = Number(f);
    if (n > MAX_TTL) {
      throw new SyntaxError(`TTL "${f}" is not a number 0..${MAX_TTL}`);
    }
    if (n !== 0) return n;
  }
  x.warn(
    `TTL "${f}" read as ${def}, the default, as the original service read it: ${
      /^\d+$/.test(f)
        ? "a TTL of 0 cannot be written in this format"
        : "a TTL is a number of seconds"
    }; write ${def} (or the TTL you mean) to say so`,
  );
  return def;
}

function need(f: string[], n: number, shape: string): void {
  if (f.length < n) {
    throw new SyntaxError(`expected ${shape}: the line has ${f.length} of ${n} fields`);
  }
}

/** Fields after the last one a type uses are ignored, with a warning (tinydns' extras). */
function extra(f: string[], used: number, x: LineContext): void {
  if (f.length <= used) return;
  x.warn(
    `ignored the fields after the TTL ("${
      f.slice(used).join(":")
    }"; tinydns' timestamp and location are not read): remove them`,
  );
}

/**
 * Splits on `:` outside double quotes, up to an unquoted `#` (the comment), for CAA lines:
 * their values (`iodef`'s `mailto:` and `https:` URLs) hold `:`.
 */
function splitQuoted(s: string): string[] {
  const out: string[] = [];
  let cur = "", q = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (q && ch === "\\") {
      cur += s.slice(i, i + 2);
      i++;
    } else if (ch === '"') {
      q = !q;
      cur += ch;
    } else if (!q && ch === "#") break;
    else if (ch === ":" && !q) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur.trimEnd());
  return out;
}

/** Trailing empty fields vanish, as in Perl's split: `+api:192.0.2.1:` has two. */
function dropTrailing(f: string[]): string[] {
  let n = f.length;
  while (n > 0 && f[n - 1] === "") n--;
  f.length = n;
  return f;
}

/** Canonical TXT value of legacy text: 255-byte strings, split automatically. */
function txtValue(raw: string): string {
  const body = escapeCharString(raw, true);
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

function isBlank(ch: number): boolean {
  return ch === 32 || ch === 9;
}

/**
 * The quote that closes TXT text opened at `from`: the first unescaped `"` after which
 * the line holds only `:` fields and a comment (a `#` after a blank, or after a field).
 * So `"` and `#` may appear in the text, and a comment may hold quotes. -1 when none.
 */
function closingQuote(body: string, from: number): number {
  let hash = body.indexOf("#", from);
  for (let i = body.indexOf('"', from); i >= 0;) {
    const next = body.indexOf('"', i + 1);
    let bs = 0;
    while (i - bs - 1 >= from && body.charCodeAt(i - bs - 1) === 92) bs++;
    if (bs % 2 === 0) {
      if (hash >= 0 && hash <= i) hash = body.indexOf("#", i + 1);
      let j = i + 1;
      while (j < body.length && isBlank(body.charCodeAt(j))) j++;
      // right after the quote: the end, a field, or blanks and then the comment
      const tailOk = j === i + 1 ? j === body.length || body[j] === ":" : body[j] === "#";
      if (tailOk && (next < 0 || (hash >= 0 && hash < next))) return i;
    }
    i = next;
  }
  return -1;
}

const TXT_SHAPE = 'Tname:"text"[:ttl]';

function readTxt(body: string, x: LineContext, add: Add): void {
  const open = body.indexOf(':"');
  if (open < 0) {
    throw new SyntaxError("TXT text must be written in double quotes");
  }
  const rawName = body.slice(0, open);
  if (rawName.includes(":")) {
    throw new SyntaxError(
      `TXT name "${rawName}" holds a ":": write ${TXT_SHAPE}, the text in double quotes`,
    );
  }
  const close = closingQuote(body, open + 2);
  if (close < 0) {
    throw new SyntaxError(
      `TXT text has no closing double quote followed only by [:ttl] and a comment: write ${TXT_SHAPE}`,
    );
  }
  let tail = body.slice(close + 1);
  const hash = tail.indexOf("#");
  if (hash >= 0) tail = tail.slice(0, hash).trimEnd();
  // `:` may repeat before the TTL (`Tkey:"v":::600`); fields after it are extras.
  const f = dropTrailing(tail.split(":").slice(1));
  let k = 0;
  while (k < f.length && f[k] === "") k++;
  const rest = f.slice(k);
  const name = ownerName(rawName, x);
  const ttl = ttlField(rest[0], 3600, x);
  extra(rest, 1, x);
  add(name, "TXT", ttl, txtValue(body.slice(open + 2, close)));
}

type Add = (name: string, type: RRType, ttl: number, value: string) => void;

/** MX and SRV: an empty field is the default; an explicit 0 too, with a warning. */
function orDefault(f: string | undefined, def: string, what: string, x: LineContext): string {
  if (f === undefined || f === "") return def;
  if (f !== "0") return f;
  x.warn(
    `${what} 0 read as ${def}, as the original service read it (0 cannot be written in this format); write ${def} to say so`,
  );
  return def;
}

function readLine(l: string, x: LineContext, add: Add): void {
  const kind = (l[0] ?? "").toUpperCase();
  if (kind === "T") return readTxt(l.slice(1), x, add);
  let f: string[];
  if (kind === "!") f = splitQuoted(l.slice(1));
  else {
    const hash = l.indexOf("#");
    f = (hash < 0 ? l.slice(1) : l.slice(1, hash).trimEnd()).split(":");
  }
  const written = f.length;
  dropTrailing(f);
  const owner = () => ownerName((kind === "_" ? "_" : "") + (f[0] ?? ""), x);
  switch (kind) {
    case "+":
    case "=":
      need(f, 2, "name:ipv4[:ttl]");
      extra(f, 3, x);
      return add(owner(), "A", ttlField(f[2], 300, x), canonicalIpv4(f[1] ?? ""));
    case "6": {
      need(f, 2, "name:hex32[:ttl]");
      const hex = f[1] ?? "";
      if (!/^[0-9a-fA-F]{32}$/.test(hex)) {
        throw new SyntaxError(
          f.length > 3 && /^[0-9a-fA-F]{1,4}$/.test(hex)
            ? `"${
              f.slice(1).join(":")
            }" is an IPv6 address with colons, which this format cannot hold (the original service published "${hex}"): write its 32 hex digits without colons, e.g. 20010db8000000000000000000000001 for 2001:db8::1`
            : `"${hex}" is not an IPv6 address as 32 hex digits`,
        );
      }
      extra(f, 3, x);
      const addr = canonicalIpv6(hex.replace(/(.{4})(?!$)/g, "$1:"));
      return add(owner(), "AAAA", ttlField(f[2], 300, x), addr);
    }
    case "@": {
      if (f.length !== 3 && f.length !== 4) {
        throw new SyntaxError(
          (f.length === 2
            ? "MX line without a priority field"
            : f.length === 5
            ? "MX line of 5 fields (tinydns' name:ip:exchange:priority:ttl form)"
            : `MX line of ${f.length} fields`) +
            ", which the original service published nothing for: write name:exchange:priority[:ttl], e.g. @:mail.example.org:10",
        );
      }
      const prio = orDefault(f[2], "15", "MX priority", x);
      const value = parseRdata("MX", [prio, target(f[1], "mail exchange")], 0, 2, ".", true);
      return add(owner(), "MX", ttlField(f[3], 300, x), value);
    }
    case "&": {
      need(f, 3, "name:ip:server[:ttl]");
      extra(f, 4, x);
      const name = owner(), server = target(f[2], "name server"), ttl = ttlField(f[3], 300, x);
      if (name === x.c.apex) {
        return x.warn(
          "NS line at the zone apex skipped: Route 53 keeps the apex NS itself (give your registrar the name servers Route 53 assigned); remove the line",
        );
      }
      return add(name, "NS", ttl, server);
    }
    case "C":
    case "^": {
      const type = kind === "C" ? "CNAME" : "PTR";
      need(f, 2, "name:target[:ttl]");
      extra(f, 3, x);
      return add(owner(), type, ttlField(f[2], 300, x), target(f[1], `${type} target`));
    }
    case "_": {
      need(f, 3, "name:target:port[:ttl] or name:target:port:priority:weight[:ttl]");
      const short = f.length === 4;
      if (short && written > 4) {
        x.warn(
          `SRV line read in the short form (name:target:port:ttl, priority 1, weight 10): its empty last fields vanish, so "${
            f[3]
          }" is the TTL, as the original service read it; write all six fields for the long form`,
        );
      }
      if (!short) extra(f, 6, x);
      const prio = short ? "1" : orDefault(f[3], "1", "SRV priority", x);
      const weight = short ? "10" : orDefault(f[4], "10", "SRV weight", x);
      const ttl = ttlField(short ? f[3] : f[5], 300, x);
      const value = parseRdata(
        "SRV",
        [prio, weight, f[2] ?? "", target(f[1], "SRV target")],
        0,
        4,
        ".",
        true,
      );
      return add(owner(), "SRV", ttl, value);
    }
    case "!": {
      need(f, 4, "name:flags:tag:value[:ttl]");
      extra(f, 5, x);
      const tag = f[2] ?? "";
      if (!/^(issue|issuewild|iodef)$/i.test(tag)) {
        throw new SyntaxError(`CAA tag "${tag}" is not one of issue, issuewild, iodef`);
      }
      const v = f[3] ?? "";
      const raw = v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
      const value = parseRdata("CAA", [f[1] ?? "", tag, raw], 0, 3, ".", true);
      return add(owner(), "CAA", ttlField(f[4], 300, x), value);
    }
  }
  const refused = REFUSED[kind];
  throw new SyntaxError(
    refused
      ? `line starts with "${l[0]}", ${refused}`
      : `unknown record type character "${l[0]}": legacy lines start with + = 6 @ & C T ^ _ or !`,
  );
}

/** Reads every legacy line into the collector (README, "Legacy format", has the rules). */
export function parseLegacyRecords(text: string, c: ZoneCollector): void {
  drain(legacySteps(text, c));
}

/** {@linkcode parseLegacyRecords}, yielding every 256 lines (lib/util/steps.ts runs it). */
export function* legacySteps(text: string, c: ZoneCollector): Generator<void, void> {
  let pos = 0, line = 0;
  while (pos < text.length) {
    const [end, next] = lineBounds(text, pos);
    const l = text.slice(pos, end).trim();
    pos = next;
    line++;
    if (l === "" || l[0] === "#") continue;
    if (overTime(c, line)) return;
    if ((c.ticks & 255) === 0) yield;
    boundProblems(c);
    const x: LineContext = {
      c,
      line,
      warn: (message) => c.warnings.push({ line, message }),
    };
    const add: Add = (name, type, ttl, value) => {
      if (name !== c.apex && !name.endsWith(c.dotApex)) {
        throw new SyntaxError(`${name} is outside the zone ${c.apex}: Route 53 cannot hold it`);
      }
      addRecord(c, name, type, ttl, value, line);
    };
    try {
      readLine(l, x, add);
    } catch (e) {
      c.errors.push({ line, message: messageOf(e) });
    }
  }
}
