/**
 * Customers' SSH public keys as `authorized_keys` and `ssh-keygen` write them
 * (`TYPE BASE64 [COMMENT]`): read, checked and fingerprinted without any library.
 *
 * The base64 part is a blob of SSH wire strings (RFC 4251: a 4-byte big-endian length,
 * then the bytes). Its first string names the type again; the rest depends on it:
 * ed25519 a 32-byte point, ECDSA the curve and an uncompressed point on that curve, RSA
 * the exponent and modulus (mpints), the `sk-` (security key) types the same plus the
 * application string. A key whose blob does not read exactly so is refused: what ends
 * up in `authorized_keys` is always a key sshd accepts, re-encoded from the bytes read.
 *
 * Options before the type (`command="…"`, `from=…`, `no-pty`) are refused, never
 * stripped: the worker writes each line's options itself.
 *
 * @module
 */

/** The key types a customer may register. */
export const KEY_TYPES = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
  "ssh-rsa",
] as const;
/** One of {@linkcode KEY_TYPES}. */
export type KeyType = typeof KEY_TYPES[number];

/** The smallest RSA modulus accepted, in bits (NIST's floor since 2013). */
export const MIN_RSA_BITS = 2048;
/** The largest RSA modulus accepted, in bits (OpenSSH's own limit). */
export const MAX_RSA_BITS = 16384;
/** The longest comment kept, in characters. */
export const MAX_COMMENT = 256;

/** A key that read and checked: what is stored and written to `authorized_keys`. */
export interface PublicKey {
  type: KeyType;
  /** The blob, canonical base64 (re-encoded from the bytes read). */
  base64: string;
  /** The comment after the key, or "" (tabs and runs of spaces kept as given). */
  comment: string;
  /** Size in bits: the RSA modulus, the EC curve's, 256 for ed25519. */
  bits: number;
  /** As `ssh-keygen -l` prints it: `SHA256:` and the unpadded base64 of the blob's SHA-256. */
  fingerprint: string;
}

/** Bytes of one coordinate of each curve's points. */
const CURVE_BYTES: Record<string, number> = { nistp256: 32, nistp384: 48, nistp521: 66 };
const CURVE_BITS: Record<string, number> = { nistp256: 256, nistp384: 384, nistp521: 521 };

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]/;
/** Longer than any accepted key (16384-bit RSA is about 2,800 characters). */
const MAX_LINE = 8192;

function isKeyType(word: string): word is KeyType {
  return (KEY_TYPES as readonly string[]).includes(word);
}

/** Reads SSH wire strings off a blob, refusing lengths that run past its end. */
class WireReader {
  #at = 0;
  constructor(readonly bytes: Uint8Array) {}
  get done(): boolean {
    return this.#at === this.bytes.length;
  }
  string(what: string): Uint8Array {
    if (this.#at + 4 > this.bytes.length) throw new SyntaxError(`the blob ends before ${what}`);
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.#at, 4);
    const length = view.getUint32(0);
    this.#at += 4;
    if (length > this.bytes.length - this.#at) {
      throw new SyntaxError(`the length of ${what} (${length}) runs past the blob's end`);
    }
    const out = this.bytes.subarray(this.#at, this.#at + length);
    this.#at += length;
    return out;
  }
  text(what: string): string {
    const bytes = this.string(what);
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new SyntaxError(`${what} is not text`);
    }
  }
}

/** Bits of a positive mpint (RFC 4251 § 5), refusing negative and padded ones. */
function mpintBits(bytes: Uint8Array, what: string): number {
  const first = bytes[0];
  if (first === undefined) throw new SyntaxError(`${what} is zero`);
  if (first & 0x80) throw new SyntaxError(`${what} is negative`);
  let start = 0;
  if (first === 0) {
    // One zero byte is allowed only to keep the next byte's high bit from reading as a sign.
    const next = bytes[1];
    if (next === undefined || !(next & 0x80)) throw new SyntaxError(`${what} has a leading zero`);
    start = 1;
  }
  const top = bytes[start] ?? 0;
  return (bytes.length - start - 1) * 8 + (32 - Math.clz32(top));
}

/** What the fields after the type told: the size, and an EC point to check on its curve. */
interface BlobFacts {
  bits: number;
  point?: { curve: string; bytes: Uint8Array };
}

/**
 * The prime `p` and coefficient `b` of each curve (SEC 2 / FIPS 186-4; `a` is -3 for all
 * three): a point is the curve's when y² = x³ - 3x + b (mod p).
 */
const CURVES: Record<string, { p: bigint; b: bigint }> = {
  nistp256: {
    p: 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
  },
  nistp384: {
    p: 2n ** 384n - 2n ** 128n - 2n ** 96n + 2n ** 32n - 1n,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
  },
  nistp521: {
    p: 2n ** 521n - 1n,
    b: 0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
  },
};

/** Checks the fields after the type. */
function checkBlob(type: KeyType, r: WireReader): BlobFacts {
  switch (type) {
    case "ssh-ed25519":
    case "sk-ssh-ed25519@openssh.com": {
      const point = r.string("the public point");
      if (point.length !== 32) {
        throw new SyntaxError(`an ed25519 point is 32 bytes, this one ${point.length}`);
      }
      if (type.startsWith("sk-")) r.text("the application");
      return { bits: 256 };
    }
    case "ecdsa-sha2-nistp256":
    case "ecdsa-sha2-nistp384":
    case "ecdsa-sha2-nistp521":
    case "sk-ecdsa-sha2-nistp256@openssh.com": {
      const expected = type.replace(/^(sk-)?ecdsa-sha2-/, "").replace("@openssh.com", "");
      const curve = r.text("the curve name");
      if (curve !== expected) {
        throw new SyntaxError(`the blob names curve "${curve}", the type says ${expected}`);
      }
      const point = r.string("the public point");
      const size = 1 + 2 * (CURVE_BYTES[curve] ?? 0);
      if (point[0] !== 4 || point.length !== size) {
        throw new SyntaxError(`the point is not an uncompressed ${curve} point (${size} bytes)`);
      }
      if (type.startsWith("sk-")) r.text("the application");
      return { bits: CURVE_BITS[curve] ?? 0, point: { curve, bytes: point } };
    }
    case "ssh-rsa": {
      const e = r.string("the RSA exponent");
      const eBits = mpintBits(e, "the RSA exponent");
      if (eBits < 2 || eBits > 64 || !((e.at(-1) ?? 0) & 1)) {
        throw new SyntaxError("the RSA exponent is not an odd number of at most 64 bits");
      }
      const bits = mpintBits(r.string("the RSA modulus"), "the RSA modulus");
      if (bits < MIN_RSA_BITS) {
        throw new RangeError(
          `this RSA key has ${bits} bits, at least ${MIN_RSA_BITS} are needed; ` +
            "make an ed25519 key (ssh-keygen -t ed25519) or a longer RSA key",
        );
      }
      if (bits > MAX_RSA_BITS) {
        throw new RangeError(`this RSA key has ${bits} bits, at most ${MAX_RSA_BITS} are accepted`);
      }
      return { bits };
    }
  }
}

function bigintOf(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

/** Whether an uncompressed point (`04 || X || Y`) satisfies its curve's equation. */
function onCurve(point: NonNullable<BlobFacts["point"]>): boolean {
  const curve = CURVES[point.curve];
  if (curve === undefined) return false;
  const { p, b } = curve;
  const half = (point.bytes.length - 1) / 2;
  const x = bigintOf(point.bytes.subarray(1, 1 + half));
  const y = bigintOf(point.bytes.subarray(1 + half));
  if (x >= p || y >= p) return false;
  const mod = (n: bigint) => ((n % p) + p) % p;
  return mod(y * y) === mod(x * x * x - 3n * x + b);
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (text.length % 4 !== 0 || !BASE64.test(text)) return undefined;
  const binary = atob(text);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  // Refuses non-zero padding bits: one blob, one spelling, one fingerprint.
  return encodeBase64(bytes) === text ? bytes : undefined;
}

function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/**
 * The `ssh-keygen -l` fingerprint of a key blob: `SHA256:` and the unpadded base64 of
 * its SHA-256.
 *
 * @example
 * ```ts
 * await fingerprintOf(blob); // "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"
 * ```
 */
export async function fingerprintOf(blob: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", blob));
  return `SHA256:${encodeBase64(digest).replace(/=+$/, "")}`;
}

/** Whether `text` is spelt like a SHA256 fingerprint (43 base64 characters after `SHA256:`). */
export function isFingerprint(text: string): boolean {
  return /^SHA256:[A-Za-z0-9+/]{43}$/.test(text);
}

/**
 * Reads one public key line (`TYPE BASE64 [COMMENT]`, as in a `.pub` file) and checks
 * it; the reason it was refused otherwise, worded for the customer.
 *
 * @example
 * ```ts
 * const read = await readPublicKey("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA… ann@laptop");
 * if ("reason" in read) console.log(read.reason); else console.log(read.key.fingerprint);
 * ```
 */
export async function readPublicKey(
  line: string,
): Promise<{ key: PublicKey } | { reason: string }> {
  const text = line.replace(/^[ \t]+/, "").replace(/[ \t]*\r?\n?$/, "");
  if (text === "") return { reason: "the key is empty" };
  if (text.length > MAX_LINE) return { reason: `the key is longer than ${MAX_LINE} characters` };
  if (CONTROL.test(text)) {
    return { reason: "the key holds a line break or control character; give one key, one line" };
  }
  const [word = "", base64 = "", ...rest] = text.split(/[ \t]+/);
  const comment = rest.length ? text.replace(/^[^ \t]+[ \t]+[^ \t]+[ \t]+/, "") : "";
  if (!isKeyType(word)) {
    if (text.split(/[ \t]+/).some(isKeyType) || /[=,"]/.test(word)) {
      return {
        reason: "key options (command=, from=, no-pty …) are not accepted; " +
          "give the key alone: TYPE BASE64 [COMMENT]",
      };
    }
    return {
      reason: `"${word.slice(0, 40)}" is not an accepted key type (accepted: ${
        KEY_TYPES.join(", ")
      })`,
    };
  }
  if (comment.length > MAX_COMMENT) {
    return { reason: `the comment is longer than ${MAX_COMMENT} characters` };
  }
  const blob = decodeBase64(base64);
  if (!blob) return { reason: `the ${word} key's data is not valid base64` };
  try {
    const r = new WireReader(blob);
    const inner = r.text("the key type");
    if (inner !== word) {
      throw new SyntaxError(`the blob is a "${inner.slice(0, 40)}" key, the line says ${word}`);
    }
    const { bits, point } = checkBlob(word, r);
    if (!r.done) throw new SyntaxError("bytes follow the key's last field");
    if (point && !onCurve(point)) {
      throw new SyntaxError(`the public point is not a point of ${point.curve}`);
    }
    return {
      key: { type: word, base64, comment, bits, fingerprint: await fingerprintOf(blob) },
    };
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof RangeError) {
      return { reason: `Cannot read the ${word} key: ${error.message}` };
    }
    throw error;
  }
}

/** The key as one `authorized_keys` key field: `TYPE BASE64[ COMMENT]`. */
export function keyText(key: Pick<PublicKey, "type" | "base64" | "comment">): string {
  return key.comment ? `${key.type} ${key.base64} ${key.comment}` : `${key.type} ${key.base64}`;
}
