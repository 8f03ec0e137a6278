/**
 * A delivery's body as JSON: the raw bytes (which the signature covers) decoded as
 * UTF-8 JSON, or, on the legacy endpoint only, GitHub's and GitBucket's
 * `application/x-www-form-urlencoded` form with the JSON in its `payload` field. Pure.
 *
 * @example
 * ```ts
 * import { decodePayload } from "./body.ts";
 * decodePayload(new TextEncoder().encode('{"ref":"x"}'), "application/json", false);
 * // { ok: true, value: { ref: "x" } }
 * ```
 *
 * @module
 */

import { messageOf } from "../util/message.ts";

/** The decoded JSON, or why the body is not JSON. */
export type Decoded = { ok: true; value: unknown } | { ok: false; why: string };

const FORM = "application/x-www-form-urlencoded";

/** Decodes `body`; `allowForm` also accepts the form encoding (legacy endpoint). */
export function decodePayload(
  body: Uint8Array,
  contentType: string | null,
  allowForm: boolean,
): Decoded {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    return { ok: false, why: "the body is not UTF-8" };
  }
  const isForm = (contentType ?? "").toLowerCase().split(";")[0]!.trim() === FORM;
  if (isForm) {
    if (!allowForm) {
      return { ok: false, why: "the body is form-encoded: set the webhook's content type to JSON" };
    }
    const payload = new URLSearchParams(text).get("payload");
    if (payload === null) return { ok: false, why: "the form has no payload field" };
    text = payload;
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, why: `the body is not JSON: ${messageOf(error)}` };
  }
}
