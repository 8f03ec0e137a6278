import assert from "node:assert/strict";
import { join } from "node:path";
import { isFingerprint, keyText, readPublicKey } from "../lib/worker.ts";

/** Runs ssh-keygen, the reference every fingerprint here is checked against. */
async function sshKeygen(args: string[]): Promise<string> {
  const out = await new Deno.Command("ssh-keygen", { args, stdout: "piped", stderr: "piped" })
    .output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout);
}

/** A fresh key pair's `.pub` line and what `ssh-keygen -lf` says of it. */
async function makeKey(
  dir: string,
  type: string,
  bits?: number,
): Promise<{ line: string; bits: number; fingerprint: string }> {
  const file = join(dir, `${type}-${bits ?? 0}-${crypto.randomUUID()}`);
  await sshKeygen([
    "-q",
    "-t",
    type,
    ...(bits ? ["-b", String(bits)] : []),
    "-N",
    "",
    "-C",
    `ann@laptop ${type}`,
    "-f",
    file,
  ]);
  return { line: await Deno.readTextFile(`${file}.pub`), ...await keygenSays(`${file}.pub`) };
}

async function keygenSays(pub: string): Promise<{ bits: number; fingerprint: string }> {
  const [bits = "", fingerprint = ""] = (await sshKeygen(["-l", "-E", "sha256", "-f", pub]))
    .split(" ");
  return { bits: Number(bits), fingerprint };
}

/** SSH wire encoding of strings, for blobs ssh-keygen cannot make here (no security key). */
function wire(...parts: (string | Uint8Array)[]): Uint8Array {
  const chunks = parts.map((p) => typeof p === "string" ? new TextEncoder().encode(p) : p);
  const out = new Uint8Array(chunks.reduce((n, c) => n + 4 + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    new DataView(out.buffer).setUint32(at, c.length);
    out.set(c, at + 4);
    at += 4 + c.length;
  }
  return out;
}

function b64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

async function refusal(line: string): Promise<string> {
  const read = await readPublicKey(line);
  assert.ok("reason" in read, `expected a refusal of ${line.slice(0, 60)}`);
  return read.reason;
}

Deno.test("readPublicKey() reads every key type ssh-keygen makes, with ssh-keygen's fingerprint and size", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const kinds: [string, number | undefined, string][] = [
      ["ed25519", undefined, "ssh-ed25519"],
      ["ecdsa", 256, "ecdsa-sha2-nistp256"],
      ["ecdsa", 384, "ecdsa-sha2-nistp384"],
      ["ecdsa", 521, "ecdsa-sha2-nistp521"],
      ["rsa", 2048, "ssh-rsa"],
      ["rsa", 3072, "ssh-rsa"],
    ];
    for (const [kind, bits, type] of kinds) {
      const made = await makeKey(dir, kind, bits);
      const read = await readPublicKey(made.line);
      assert.ok("key" in read, `${kind} ${bits}: ${"reason" in read ? read.reason : ""}`);
      assert.equal(read.key.type, type);
      assert.equal(read.key.fingerprint, made.fingerprint);
      assert.equal(read.key.bits, made.bits);
      assert.equal(read.key.comment, `ann@laptop ${kind}`);
      assert.equal(keyText(read.key), made.line.trim());
      assert.ok(isFingerprint(read.key.fingerprint));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readPublicKey() reads security-key (sk-) keys, fingerprinted as ssh-keygen does", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const ed = await readPublicKey((await makeKey(dir, "ed25519")).line);
    const ec = await readPublicKey((await makeKey(dir, "ecdsa", 256)).line);
    assert.ok("key" in ed && "key" in ec);
    // The point of an ordinary key, wrapped as a security key would present it.
    const edPoint = Uint8Array.from(atob(ed.key.base64), (c) => c.charCodeAt(0)).slice(-32);
    const ecPoint = Uint8Array.from(atob(ec.key.base64), (c) => c.charCodeAt(0)).slice(-65);
    const lines = [
      `sk-ssh-ed25519@openssh.com ${b64(wire("sk-ssh-ed25519@openssh.com", edPoint, "ssh:"))} yk`,
      `sk-ecdsa-sha2-nistp256@openssh.com ${
        b64(wire("sk-ecdsa-sha2-nistp256@openssh.com", "nistp256", ecPoint, "ssh:"))
      } yk`,
    ];
    for (const line of lines) {
      const pub = join(dir, `${crypto.randomUUID()}.pub`);
      await Deno.writeTextFile(pub, line + "\n");
      const read = await readPublicKey(line);
      assert.ok("key" in read, "reason" in read ? read.reason : "");
      assert.equal(read.key.fingerprint, (await keygenSays(pub)).fingerprint);
      assert.equal(read.key.comment, "yk");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readPublicKey() refuses key options before the type", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { line } = await makeKey(dir, "ed25519");
    for (const options of ['command="/bin/sh"', 'from="10.0.0.0/8"', "no-pty", "restrict"]) {
      assert.match(await refusal(`${options} ${line}`), /key options .* are not accepted/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readPublicKey() refuses an RSA key under 2048 bits, naming its size", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { line } = await makeKey(dir, "rsa", 1024);
    assert.match(await refusal(line), /has 1024 bits, at least 2048 are needed/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readPublicKey() refuses garbage, other types and blobs that do not read as their type", async () => {
  const point = new Uint8Array(32).fill(7);
  const ecPoint = new Uint8Array(65).fill(1);
  ecPoint[0] = 4;
  const cases: [string, RegExp][] = [
    ["", /empty/],
    ["hello world", /not an accepted key type/],
    ["ssh-dss AAAAB3NzaC1kc3MAAACBAP", /not an accepted key type/],
    ["ssh-ed25519-cert-v01@openssh.com AAAA", /not an accepted key type/],
    ["ssh-ed25519", /not valid base64/],
    ["ssh-ed25519 not*base64", /not valid base64/],
    ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA", /not valid base64/],
    [`ssh-ed25519 ${b64(wire("ssh-rsa", point))}`, /the blob is a "ssh-rsa" key/],
    [`ssh-ed25519 ${b64(wire("ssh-ed25519", point.slice(1)))}`, /32 bytes, this one 31/],
    [`ssh-ed25519 ${b64(wire("ssh-ed25519", point, "extra"))}`, /bytes follow/],
    [`ssh-ed25519 ${b64(wire("ssh-ed25519").slice(0, 13))}`, /ends before|runs past/],
    [
      `ssh-ed25519 ${
        b64(
          new Uint8Array([
            0,
            0,
            0,
            11,
            ...new TextEncoder().encode("ssh-ed25519"),
            255,
            255,
            255,
            255,
          ]),
        )
      }`,
      /runs past the blob's end/,
    ],
    [
      `ecdsa-sha2-nistp256 ${b64(wire("ecdsa-sha2-nistp256", "nistp384", ecPoint))}`,
      /curve "nistp384"/,
    ],
    [
      `ecdsa-sha2-nistp384 ${b64(wire("ecdsa-sha2-nistp384", "nistp384", ecPoint))}`,
      /uncompressed nistp384 point/,
    ],
    [
      `ecdsa-sha2-nistp256 ${b64(wire("ecdsa-sha2-nistp256", "nistp256", ecPoint))}`,
      /the public point is not a point of nistp256/,
    ],
    [
      `ssh-rsa ${b64(wire("ssh-rsa", new Uint8Array([1, 0, 1]), new Uint8Array([0x80])))}`,
      /negative/,
    ],
    [
      `ssh-rsa ${b64(wire("ssh-rsa", new Uint8Array([2]), new Uint8Array(300).fill(9)))}`,
      /odd number/,
    ],
    ["ssh-ed25519 AAAA\nssh-ed25519 AAAA", /line break/],
  ];
  for (const [line, reason] of cases) assert.match(await refusal(line), reason, line);
});
