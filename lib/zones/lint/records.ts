/**
 * Warnings for the classic mistakes inside one record, as DNSControl's `check` and
 * octoDNS's validators give them. They never change what is published: the record is
 * read exactly as BIND reads it, and the warning says what the customer probably meant.
 *
 * - A relative target (CNAME, MX, NS, PTR, SRV) that was meant to be absolute: written
 *   without the trailing dot, it holds a dot and either ends in a top-level domain
 *   (`acme.ghost.io`) or already ends in the zone's name (`www.shop.test` in shop.test),
 *   and the file has no name in the subtree its last label stands for there (nothing at
 *   or below `io.acme-widgets.com.`): a zone that does use `eu.shop.test.` may well mean
 *   `ldap.eu` relative. Judged once the whole file is read ({@linkcode finishRecordHints}).
 * - TXT (or SPF) data with unquoted words, which became one string per word (not for
 *   `$GENERATE`, whose quotes only group text and where BIND splits the words too).
 * - TXT data cut by an unquoted `;`, which starts a comment in a zone file.
 *
 * @module
 */

import type { RRType } from "../../dns/record_set.ts";
import type { ZoneCollector } from "../collector.ts";
import type { GluedComment } from "../lexer.ts";
import { isListedTopLevelDomain as isTopLevelDomain } from "../../dns/ownership.ts";

/** A relative target that may be a mistake, judged when every owner name is known. */
interface TargetSuspect {
  line: number;
  type: RRType;
  /** The target as written. */
  written: string;
  /** What it expanded to (canonical, absolute). */
  meant: string;
  /** The subtree of `meant` its last written label stands for (`io.acme-widgets.com.`). */
  subtree: string;
}

/** What the record checks of one file keep between records. */
export interface RecordHints {
  suspects: TargetSuspect[];
  /** Last line a TXT warning was given for: a `$GENERATE` line gets one, not one per record. */
  lastTxtLine: number;
}

/** Fresh state for {@linkcode hintRecord}. */
export function createRecordHints(): RecordHints {
  return { suspects: [], lastTxtLine: -1 };
}

/** Data tokens of each type before its target (a type not listed has none checked). */
const TARGET_AT: Partial<Record<RRType, number>> = { CNAME: 0, NS: 0, PTR: 0, MX: 1, SRV: 3 };

const SHOWN = 60;

function clip(s: string): string {
  return s.length > SHOWN ? s.slice(0, SHOWN) + "…" : s;
}

function unquote(tok: string): string {
  return tok.charCodeAt(0) === 34 ? tok.slice(1, -1) : tok;
}

/** The value as one quoted string, and a note when it must be split to fit. */
function quotedFix(text: string): string {
  const note = text.length > 255 ? " (in pieces of at most 255 characters: it is longer)" : "";
  return `"${clip(text)}"${note}`;
}

/** Whether a relative target looks like a name outside the zone written without its dot. */
function looksAbsolute(written: string, apex: string): boolean {
  if (written === "@" || written.endsWith(".") || written.includes("\\")) return false;
  const dot = written.lastIndexOf(".");
  if (dot <= 0) return false;
  const lower = written.toLowerCase();
  const zone = apex.slice(0, -1);
  return isTopLevelDomain(lower.slice(dot + 1)) ||
    (zone !== "" && (lower === zone || lower.endsWith("." + zone)));
}

/**
 * Checks one record the BIND reader has read: its data tokens `tokens[from..to)`, its
 * canonical `value`, and the comment glued to a token of its entry (null for records a
 * `$GENERATE` made, which are `generated`). TXT warnings go to `c.warnings` at once;
 * targets are kept for {@linkcode finishRecordHints}.
 */
export function hintRecord(
  h: RecordHints,
  c: ZoneCollector,
  type: RRType,
  tokens: readonly string[],
  from: number,
  to: number,
  value: string,
  line: number,
  glued: GluedComment | null,
  generated: boolean,
): void {
  const at = TARGET_AT[type];
  if (at !== undefined) {
    const written = tokens[from + at] ?? "";
    if (to - from === at + 1 && looksAbsolute(written, c.apex)) {
      if (h.suspects.at(-1)?.line !== line) {
        const meant = value.slice(value.lastIndexOf(" ") + 1);
        let subtree = meant;
        for (let dots = written.split(".").length - 1; dots > 0; dots--) {
          subtree = subtree.slice(subtree.indexOf(".") + 1);
        }
        h.suspects.push({ line, type, written, meant, subtree });
      }
    }
    return;
  }
  if (
    (type !== "TXT" && type !== "SPF") || generated || h.lastTxtLine === line ||
    tokens[from] === "\\#"
  ) return;
  if (glued !== null && glued.after > from && glued.text.trim() !== "") {
    const before = tokens[glued.after - 1] ?? "";
    const words = tokens.slice(from, to).map(unquote);
    const cut = glued.after - from - 1;
    words[cut] += ";" + glued.text;
    h.lastTxtLine = line;
    c.warnings.push({
      line: glued.line,
      message: `the ${type} value stops at the ";" after "${clip(before)}": an unquoted ";" ` +
        `starts a comment in a zone file, so "${clip(glued.text)}" was not published; ` +
        `put the whole value in quotes: ${quotedFix(words.join(" "))}`,
    });
    return;
  }
  if (to - from < 2) return;
  let unquoted = false;
  for (let k = from; k < to && !unquoted; k++) unquoted = tokens[k]?.charCodeAt(0) !== 34;
  if (!unquoted) return;
  const words = tokens.slice(from, to).map(unquote);
  const strings = words.slice(0, 3).map((w) => `"${clip(w)}"`).join(" ") +
    (words.length > 3 ? " …" : "");
  h.lastTxtLine = line;
  c.warnings.push({
    line,
    message: `this ${type} record has words outside quotes, so it became ${words.length} ` +
      `strings (${strings}), which SPF and DKIM readers join without spaces; to publish ` +
      `the text as written, quote it: ${quotedFix(words.join(" "))}`,
  });
}

/** Warns about the kept targets whose subtree holds no name of the file. */
export function finishRecordHints(h: RecordHints, c: ZoneCollector): void {
  if (h.suspects.length === 0) return;
  const used = new Set<string>();
  for (const s of h.suspects) used.add(s.subtree);
  const found = new Set<string>();
  // Each owner name's ancestors (itself included) are looked up: a pass over the names.
  for (let k = 0; k < c.headCount && found.size < used.size; k++) {
    let name = c.names[c.heads[k] as number] as string;
    while (name.length > c.apex.length) {
      if (used.has(name)) found.add(name);
      name = name.slice(name.indexOf(".") + 1);
    }
  }
  for (const s of h.suspects) {
    if (found.has(s.subtree)) continue;
    c.warnings.push({
      line: s.line,
      message: `${s.type} target "${s.written}" has no trailing dot, so it means ${s.meant}; ` +
        `did you mean "${s.written}."? (a name outside this zone ends with a dot)`,
    });
  }
}
