/**
 * Which files of a repository are zone files, and what zone each names: the one rule
 * the worker (which files to sync) and pre-receive (which files to validate) share.
 *
 * - A zone file sits directly in the zones directory (`zones/shop.test`); files in
 *   nested directories are not zones (the worker reports them as ignored).
 * - Hidden files (`.gitkeep`) are not zones and are not reported.
 * - The zone is the file's base name, lower-case, without a trailing dot.
 * - `example` and `example.*` are samples (RFC 2606 names): never synced or validated.
 *
 * No imports beyond the domain-name rules: pre-receive loads this inside a push.
 *
 * @module
 */

import { domainSyntaxProblem, normaliseDomain, reservedNameProblem } from "../dns/ownership.ts";

/** What a path of the repository's tree is, as far as zones go. */
export type ZonePathKind =
  /** A zone file to sync (and validate). */
  | "zone"
  /** A sample file (`example.*`): skipped. */
  | "sample"
  /** A hidden file directly in the zones directory: not a zone, not reported. */
  | "hidden"
  /** Under the zones directory but nested: not a zone, reported as ignored. */
  | "nested"
  /** Outside the zones directory. */
  | "outside";

/**
 * The zone a file names: its base name, lower-case, without a trailing dot.
 *
 * @example
 * ```ts
 * zoneOfPath("zones/Shop.Test."); // "shop.test"
 * ```
 */
export function zoneOfPath(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1).toLowerCase().replace(/\.$/, "");
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
  return isSampleZone(zoneOfPath(rest)) ? "sample" : "zone";
}

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
 * worker can say it skipped them), and the paths under the zones directory it ignored
 * because they are nested.
 *
 * @example
 * ```ts
 * zoneFilesOf([{ path: "zones/a.test", type: "blob" }], "zones"); // { files: [...], ignored: [] }
 * ```
 */
export function zoneFilesOf<T extends { path: string; type: string }>(
  tree: readonly T[],
  zonesDir: string,
): { files: T[]; ignored: string[] } {
  const files: T[] = [];
  const ignored: string[] = [];
  for (const entry of tree) {
    if (entry.type !== "blob") continue;
    const kind = zonePathKind(entry.path, zonesDir);
    if (kind === "zone" || kind === "sample") files.push(entry);
    else if (kind === "nested" || kind === "outside") ignored.push(entry.path);
  }
  return { files, ignored };
}

/**
 * Why a zone file's name is not a domain name, or null when it is one.
 *
 * @example
 * ```ts
 * zoneNameSyntaxProblem("shop_test"); // "the file name must be the domain name: …"
 * ```
 */
export function zoneNameSyntaxProblem(fileName: string): string | null {
  const syntax = domainSyntaxProblem(normaliseDomain(fileName));
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
  const zone = normaliseDomain(fileName);
  const reserved = reservedNameProblem(zone, deny);
  return reserved ? `the file name says ${zone}; ${reserved}` : null;
}
