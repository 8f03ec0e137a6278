/**
 * Deploy keys: an ed25519 key pair made with `ssh-keygen` in a private temporary
 * directory, removed as soon as both halves are read.
 *
 * @module
 */

/** A new key pair in OpenSSH formats. */
export interface DeployKey {
  /** `-----BEGIN OPENSSH PRIVATE KEY-----…`, for the worker only. */
  privateKey: string;
  /** `ssh-ed25519 AAAA… comment`, to add to the repository as a read-only deploy key. */
  publicKey: string;
}

/**
 * Makes an ed25519 key pair without a passphrase, its comment `comment`.
 *
 * @example
 * ```ts
 * const { publicKey } = await makeDeployKey("dns-api steve");
 * ```
 */
export async function makeDeployKey(comment: string): Promise<DeployKey> {
  const dir = await Deno.makeTempDir({ prefix: "dnsapi-keygen-" });
  try {
    const file = `${dir}/id_ed25519`;
    const { code, stderr } = await new Deno.Command("ssh-keygen", {
      args: ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    if (code !== 0) {
      throw new Error(
        `Cannot make a deploy key: ssh-keygen exited ${code}: ${
          new TextDecoder().decode(stderr).trim()
        }`,
      );
    }
    return {
      privateKey: await Deno.readTextFile(file),
      publicKey: (await Deno.readTextFile(`${file}.pub`)).trim(),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * The public half of an OpenSSH private key (`ssh-keygen -y`), so `user remote show`
 * can print the deploy key to add again; the private key passes through a mode-600
 * file in a private temporary directory, removed at once.
 */
export async function publicKeyOf(privateKey: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "dnsapi-keygen-" });
  try {
    const file = `${dir}/id_ed25519`;
    const text = privateKey.endsWith("\n") ? privateKey : `${privateKey}\n`;
    await Deno.writeTextFile(file, text, { mode: 0o600 });
    const { code, stdout } = await new Deno.Command("ssh-keygen", {
      args: ["-y", "-f", file],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    if (code !== 0) throw new Error(`Cannot read the deploy key: ssh-keygen -y exited ${code}`);
    return new TextDecoder().decode(stdout).trim();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
