/**
 * Checking a delivery's proof of origin in constant time: an HMAC-SHA256 of the raw body
 * (GitHub, Gitea/Forgejo, Bitbucket Cloud) or a shared token sent as is (GitLab).
 *
 * @example
 * ```ts
 * import { hmacSha256Hex, verifyHmacSha256 } from "./signature.ts";
 * const body = new TextEncoder().encode("{}");
 * const hex = await hmacSha256Hex("s3cret", body);
 * await verifyHmacSha256("s3cret", body, hex); // true
 * ```
 *
 * @module
 */

const encoder = new TextEncoder();

function hmacKey(secret: string, usage: "sign" | "verify"): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    [usage],
  );
}

/** Decodes lower- or upper-case hex; `undefined` for anything else (odd length, other letters). */
export function hexToBytes(hex: string): Uint8Array<ArrayBuffer> | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** The lower-case hex HMAC-SHA256 of `body` under `secret`, as the providers send it. */
export async function hmacSha256Hex(
  secret: string,
  body: Uint8Array<ArrayBuffer>,
): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret, "sign"), body);
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Whether `hex` is the HMAC-SHA256 of `body` under `secret`. WebCrypto's `verify`
 * compares in constant time; a value that is not 64 hex digits is simply wrong.
 */
export async function verifyHmacSha256(
  secret: string,
  body: Uint8Array<ArrayBuffer>,
  hex: string,
): Promise<boolean> {
  const mac = hexToBytes(hex);
  if (mac === undefined || mac.length !== 32) return false;
  return await crypto.subtle.verify("HMAC", await hmacKey(secret, "verify"), mac, body);
}

/**
 * Whether two strings are equal, in time that depends on neither their contents nor
 * where they first differ: both are hashed (so lengths do not show either), then every
 * byte of the digests is compared.
 */
export async function timingSafeEqualText(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(a)),
    crypto.subtle.digest("SHA-256", encoder.encode(b)),
  ]);
  const left = new Uint8Array(x);
  const right = new Uint8Array(y);
  let difference = 0;
  for (let i = 0; i < left.length; i++) difference |= left[i]! ^ right[i]!;
  return difference === 0;
}
