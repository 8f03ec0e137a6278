/**
 * Which files of a repository are zone files, and what zone each names: the one rule
 * the worker (which files to sync), pre-receive (which files to validate) and `check`
 * share.
 *
 * - A zone file sits directly in the zones directory (`zones/shop.test`); files in
 *   nested directories are not zones (the worker reports them as ignored).
 * - Dot-files (`.gitkeep`) and `README*`, `LICENSE*`, `CHANGELOG*` are not zones: they
 *   are skipped and listed in one notice ({@linkcode skippedNotice}).
 * - The zone is the file's base name, lower-case, without a trailing dot, with each
 *   Unicode label as its A-label (`zones/Café.test` is `xn--caf-dma.test`: Route 53,
 *   MySQL and ownership use that form; messages show both, lib/dns/idn.ts).
 * - `example` and `example.*` are samples (RFC 2606 names): never synced or validated.
 * - A name ending in `.zone`, `.db`, `.hosts` or starting with `db.` is still the
 *   zone's name, literally; {@linkcode zoneFileNameWarning} says so and how to rename.
 *
 * No imports beyond the domain-name rules and the parser: pre-receive loads this inside
 * a push.
 *
 * @module
 */

import { domainSyntaxProblem, normaliseDomain, reservedNameProblem } from "../dns/ownership.ts";
import { domainToASCII, hasNonAscii, showName } from "../dns/idn.ts";
import type { RecordSet } from "../dns/record_set.ts";
import { parseZone } from "./parse.ts";
import type { ZoneLimits, ZoneProblem } from "./types.ts";
import { messageOf } from "../util/message.ts";

/** What a path of the repository's tree is, as far as zones go. */
export type ZonePathKind =
  /** A zone file to sync (and validate). */
  | "zone"
  /** A sample file (`example.*`): skipped. */
  | "sample"
  /** A dot-file (or anything under a dot-directory) of the zones directory: skipped. */
  | "hidden"
  /** `README*`, `LICENSE*`, `CHANGELOG*` directly in the zones directory: skipped. */
  | "not-zone"
  /** Under the zones directory but nested: not a zone, reported as ignored. */
  | "nested"
  /** Outside the zones directory. */
  | "outside";

/**
 * The zone a file names: its base name, lower-case, without a trailing dot, Unicode
 * labels as A-labels. A name that is not a valid IDN comes back as it is (lower-case),
 * for {@linkcode zoneNameSyntaxProblem} to refuse.
 *
 * @example
 * ```ts
 * zoneOfPath("zones/Shop.Test."); // "shop.test"
 * zoneOfPath("zones/café.test"); // "xn--caf-dma.test"
 * ```
 */
export function zoneOfPath(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1).toLowerCase().replace(/\.$/, "");
  try {
    return domainToASCII(name);
  } catch {
    return name;
  }
}

/**
 * True for a sample zone: `example` or `example.*`, never synced.
 *
 * @example
 * ```ts
 * isSampleZone("example.com"); // true
 * ```
 */
export function isSampleZone(zone: string): boolean {
  return zone === "example" || zone.startsWith("example.");
}

/**
 * Classifies one path of a tree (relative to the repository's top).
 *
 * @example
 * ```ts
 * zonePathKind("zones/shop.test", "zones"); // "zone"
 * zonePathKind("zones/sub/shop.test", "zones"); // "nested"
 * ```
 */
export function zonePathKind(path: string, zonesDir: string): ZonePathKind {
  if (!path.startsWith(zonesDir + "/")) return "outside";
  const rest = path.slice(zonesDir.length + 1);
  if (rest === "") return "outside";
  if (rest.startsWith(".")) return "hidden";
  if (rest.includes("/")) return "nested";
  return fileNameKind(rest);
}

/**
 * Classifies a file by its name alone, as if it sat directly in the zones directory
 * (`check FILE` has no repository to place it in).
 *
 * @example
 * ```ts
 * fileNameKind("README.md"); // "not-zone"
 * ```
 */
export function fileNameKind(name: string): "zone" | "sample" | "hidden" | "not-zone" {
  if (name.startsWith(".")) return "hidden";
  if (NOT_ZONE.test(name)) return "not-zone";
  return isSampleZone(zoneOfPath(name)) ? "sample" : "zone";
}

const NOT_ZONE = /^(readme|license|licence|changelog)/i;

/**
 * True when pre-receive should validate the file: a zone file that is not a sample.
 *
 * @example
 * ```ts
 * isZoneCandidate("zones/shop.test", "zones"); // true
 * isZoneCandidate("zones/example.com", "zones"); // false
 * ```
 */
export function isZoneCandidate(path: string, zonesDir: string): boolean {
  return zonePathKind(path, zonesDir) === "zone";
}

/**
 * The blobs of a tree listing that are zone files (samples included, so that the
 * worker can say it skipped them), the paths under the zones directory it ignored
 * because they are nested, and the files it skipped as not zones (dot-files, README…).
 *
 * @example
 * ```ts
 * zoneFilesOf([{ path: "zones/a.test", type: "blob" }], "zones");
 * // { files: [...], ignored: [], skipped: [] }
 * ```
 */
export function zoneFilesOf<T extends { path: string; type: string }>(
  tree: readonly T[],
  zonesDir: string,
): { files: T[]; ignored: string[]; skipped: string[] } {
  const files: T[] = [];
  const ignored: string[] = [];
  const skipped: string[] = [];
  for (const entry of tree) {
    if (entry.type !== "blob") continue;
    const kind = zonePathKind(entry.path, zonesDir);
    if (kind === "zone" || kind === "sample") files.push(entry);
    else if (kind === "nested" || kind === "outside") ignored.push(entry.path);
    else skipped.push(entry.path);
  }
  return { files, ignored, skipped };
}

/**
 * The one line that lists the files skipped as not zones, or null when there are none.
 *
 * @example
 * ```ts
 * skippedNotice(["zones/README.md", "zones/.gitkeep"]);
 * // "zones/README.md, zones/.gitkeep: not zone files, skipped (…)"
 * ```
 */
export function skippedNotice(paths: readonly string[]): string | null {
  if (paths.length === 0) return null;
  return `${paths.join(", ")}: not zone files, skipped (README*, LICENSE*, CHANGELOG* ` +
    `and dot-files are never synced)`;
}

/** What the worker and `check DIR` say about a sample file (`example.*`). */
export function sampleNotice(path: string): string {
  return `${path}: sample file, skipped`;
}

/** How many of the nested files {@linkcode nestedNotice} names. */
const NESTED_SHOWN = 3;

/**
 * The one line the worker, pre-receive and `check DIR` say about the files in
 * directories below the zones (never a line each: a repository may hold thousands), or
 * null when there are none. It counts them and names a few, relative to the zones
 * directory.
 *
 * @example
 * ```ts
 * nestedNotice(["zones/a/x", "zones/b/y", "zones/c/z", "zones/d/w"], "zones");
 * // "zones/: 4 files in subdirectories ignored (zone files live directly in zones/), e.g. a/x, b/y, c/z"
 * nestedNotice(["zones/old/a.test"], "zones");
 * // "zones/old/a.test: ignored; zone files live directly in zones/"
 * ```
 */
export function nestedNotice(paths: readonly string[], zonesDir: string): string | null {
  if (paths.length === 0) return null;
  if (paths.length === 1) return `${paths[0]}: ignored; zone files live directly in ${zonesDir}/`;
  const prefix = `${zonesDir}/`;
  const shown = paths.slice(0, NESTED_SHOWN).map((p) =>
    p.startsWith(prefix) ? p.slice(prefix.length) : p
  );
  const lead = paths.length > NESTED_SHOWN ? ", e.g." : ":";
  return `${prefix}: ${paths.length.toLocaleString("en-US")} files in subdirectories ignored ` +
    `(zone files live directly in ${prefix})${lead} ${shown.join(", ")}`;
}

const ZONE_FILE_SUFFIX = /\.(zone|db|hosts)$/i;

/**
 * The warning for a file named like a classic zone file (`x.com.zone`, `x.com.db`,
 * `x.com.hosts`, `db.x.com`): the zone is its whole name, and how to rename it; null for
 * any other name.
 *
 * @example
 * ```ts
 * zoneFileNameWarning("zones/x.com.zone");
 * // "the zone is named literally after the file: zones/x.com.zone is the domain x.com.zone; …"
 * ```
 */
export function zoneFileNameWarning(path: string): string | null {
  const slash = path.lastIndexOf("/");
  const dir = path.slice(0, slash + 1), fileName = path.slice(slash + 1);
  const meant = fileName.replace(ZONE_FILE_SUFFIX, "").replace(/^db\./i, "");
  if (meant === fileName) return null;
  const rename = meant.includes(".") && zoneNameSyntaxProblem(meant) === null
    ? `if you meant ${showName(zoneOfPath(meant))}, rename the file: git mv ${path} ${dir}${meant}`
    : `rename the file to the domain's name: git mv ${path} ${dir}<domain>`;
  return `the zone is named literally after the file: ${path} is the domain ` +
    `${showName(zoneOfPath(path))}; ${rename}`;
}

/**
 * Why a zone file's name is not a domain name, or null when it is one. A name in Unicode
 * is checked as its A-labels, and its Unicode labels may not start or end with `-`.
 *
 * @example
 * ```ts
 * zoneNameSyntaxProblem("shop_test"); // "the file name must be the domain name: …"
 * zoneNameSyntaxProblem("café.test"); // null
 * ```
 */
export function zoneNameSyntaxProblem(fileName: string): string | null {
  const name = normaliseDomain(fileName);
  let zone = name;
  if (hasNonAscii(name)) {
    try {
      zone = domainToASCII(name);
    } catch (e) {
      return `the file name must be the domain name: ${messageOf(e)}`;
    }
    const hyphen = name.split(".").find((l) => hasNonAscii(l) && /^-|-$/.test(l));
    if (hyphen !== undefined) {
      return `the file name must be the domain name: the label "${hyphen}" may not start or ` +
        `end with "-"`;
    }
  }
  const syntax = domainSyntaxProblem(zone);
  return syntax ? `the file name must be the domain name: ${syntax}` : null;
}

/**
 * Why a zone file's name cannot be a hosted domain (not a domain name, a public suffix,
 * or a name the operator reserved in `deny`), or null when it can. The worker refuses
 * the same names through its ownership decision, with the same rule.
 *
 * @example
 * ```ts
 * zoneNameProblem("co.uk"); // "the file name says co.uk; co.uk is a public suffix …"
 * ```
 */
export function zoneNameProblem(fileName: string, deny: readonly string[] = []): string | null {
  const syntax = zoneNameSyntaxProblem(fileName);
  if (syntax) return syntax;
  const zone = zoneOfPath(fileName);
  const reserved = reservedNameProblem(zone, deny);
  return reserved ? `the file name says ${showName(zone)}; ${reserved}` : null;
}

/** What {@linkcode checkZoneFile} finds in one zone file. */
export interface ZoneFileCheck {
  /** The zone (A-labels, lower-case, no trailing dot). */
  zone: string;
  /** The zone for messages: `café.test (xn--caf-dma.test)`, or just the name. */
  shown: string;
  errors: ZoneProblem[];
  warnings: ZoneProblem[];
  rrsets: RecordSet[];
}

/**
 * Checks one zone file as pre-receive and `check` both do: its name (a hostable domain,
 * see {@linkcode zoneNameProblem}; a classic zone-file name warns), then its text.
 *
 * @example
 * ```ts
 * checkZoneFile("zones/café.test", "www 300 A 192.0.2.1\n").zone; // "xn--caf-dma.test"
 * ```
 */
export function checkZoneFile(
  path: string,
  text: string,
  limits?: Partial<ZoneLimits>,
  deny: readonly string[] = [],
): ZoneFileCheck {
  const zone = zoneOfPath(path);
  const shown = showName(zone);
  const nameProblem = zoneNameProblem(path.slice(path.lastIndexOf("/") + 1), deny);
  if (nameProblem) {
    return { zone, shown, errors: [{ line: 0, message: nameProblem }], warnings: [], rrsets: [] };
  }
  const nameWarning = zoneFileNameWarning(path);
  const parsed = parseZone(text, { zone, limits });
  const warnings = nameWarning ? [{ line: 0, message: nameWarning }] : [];
  return {
    zone,
    shown,
    errors: parsed.errors,
    warnings: [...warnings, ...parsed.warnings],
    rrsets: parsed.rrsets,
  };
}
