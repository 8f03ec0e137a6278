/**
 * What a customer may read of an error. Thrown errors carry server details a customer
 * has no use for and must not see: server paths (`WORK_ROOT`, `REPOS_ROOT`, git's own
 * stderr), hosted zone ids. The full text goes to the operator's log; job logs and push
 * output get {@linkcode customerMessage}.
 *
 * @module
 */
import { escapeControl } from "./escape.ts";
import { messageOf } from "./message.ts";

/** What stands in for a server path. */
export const PATH_SHOWN = "(a server path)";

/** What stands in for a hosted zone id. */
export const ZONE_ID_SHOWN = "(the hosted zone)";

// An absolute path of two or more segments, not inside a URL or a relative path
// (`zones/shop.test` stays). Quotes around it go with it.
const PATH = /(?<![\w:/.~-])['"]?\/[\w.@+~-]+(?:\/[\w.@+~-]*)+['"]?/g;
// Route 53's ids: Z and 9 or more capitals or digits; `/hostedzone/` forms too.
const ZONE_ID = /(?:\/hostedzone\/)?\bZ[0-9A-Z]{9,31}\b/g;

/**
 * `text` without server paths and hosted zone ids (and the given ids, whatever their
 * form), its control characters escaped.
 *
 * @example
 * ```ts
 * withoutServerDetails("Cannot open /srv/work/ann/zones: denied"); // "Cannot open (a server path): denied"
 * withoutServerDetails("zone Z0123456789ABC is busy"); // "zone (the hosted zone) is busy"
 * ```
 */
export function withoutServerDetails(text: string, zoneIds: readonly string[] = []): string {
  let out = text;
  for (const id of zoneIds) {
    if (id) out = out.replaceAll(`/hostedzone/${id}`, ZONE_ID_SHOWN).replaceAll(id, ZONE_ID_SHOWN);
  }
  return escapeControl(out.replace(ZONE_ID, ZONE_ID_SHOWN).replace(PATH, PATH_SHOWN));
}

/**
 * The customer's reading of a thrown error: git's failures (whose text is git's stderr
 * about server paths) as one fixed sentence, any other message without server details.
 *
 * @example
 * ```ts
 * customerMessage(new Error("connect ECONNREFUSED")); // "connect ECONNREFUSED"
 * ```
 */
export function customerMessage(error: unknown): string {
  // By name: lib/git depends on lib/util, not the other way round.
  if (error instanceof Error && error.name === "GitError") {
    return "the server could not read your repository (git failed); support has the details";
  }
  return withoutServerDetails(messageOf(error));
}
