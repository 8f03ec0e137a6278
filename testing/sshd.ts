/**
 * A real OpenSSH server for tests: `/usr/sbin/sshd -D -e` on 127.0.0.1 and a free port,
 * with its own host key and configuration in a temporary directory, running as the
 * current user (root in CI: `PermitRootLogin forced-commands-only` lets root in only
 * through a key line's `command=`). The test writes the authorized_keys file itself
 * ({@linkcode Sshd.authorizedKeys}); `ExposeAuthInfo yes` gives the forced command
 * SSH_USER_AUTH, so the door can log the key's fingerprint.
 *
 * Clients use {@linkcode Sshd.sshCommand} (no known_hosts, the test's own key), e.g. as
 * GIT_SSH_COMMAND.
 *
 * @module
 */

import { freePort } from "./services.ts";

/** Where Debian's openssh-server puts the daemon. */
export const SSHD = "/usr/sbin/sshd";

/** A running sshd. */
export interface Sshd {
  port: number;
  /** The login name (the current user). */
  user: string;
  /** The file sshd reads as AuthorizedKeysFile: the test writes it. */
  authorizedKeys: string;
  /** A client key pair: the private key file and the public key line. */
  key: { file: string; publicKey: string };
  /** `ssh -i KEY -o … -p PORT` (add `user@127.0.0.1 command`), as GIT_SSH_COMMAND takes it. */
  sshCommand: string;
  /** The same for another key file. */
  sshCommandFor(keyFile: string): string;
  /** A further client key pair, e.g. for a second customer. */
  newKey(name: string): Promise<{ file: string; publicKey: string }>;
  /** What sshd printed (its log, LogLevel VERBOSE). */
  log(): string;
  /** Stops sshd and removes its directory. */
  close(): Promise<void>;
}

async function keygen(file: string, comment: string): Promise<string> {
  const out = await new Deno.Command("ssh-keygen", {
    args: ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`ssh-keygen failed: ${new TextDecoder().decode(out.stderr)}`);
  return (await Deno.readTextFile(`${file}.pub`)).trim();
}

/** Whether this machine has sshd (Debian: apt-get install openssh-server; .ci/run does). */
export async function hasSshd(): Promise<boolean> {
  return await Deno.stat(SSHD).then((i) => i.isFile, () => false);
}

/** What {@linkcode startSshd} may change in sshd's config. */
export interface SshdOptions {
  /**
   * sshd's PermitRootLogin (tests run as root in CI): `forced-commands-only` (the
   * default) lets in only keys whose authorized_keys line names a command, as the door's
   * do; `prohibit-password` lets in any key, as a git host serving a deploy key does.
   */
  permitRootLogin?: "forced-commands-only" | "prohibit-password";
}

/** Starts sshd; resolves once it listens. */
export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  const dir = await Deno.makeTempDir({ prefix: "dnsapi-sshd-" });
  await Deno.chmod(dir, 0o700);
  await keygen(`${dir}/host_ed25519`, "test host");
  const publicKey = await keygen(`${dir}/client_ed25519`, "test client");
  const authorizedKeys = `${dir}/authorized_keys`;
  await Deno.writeTextFile(authorizedKeys, "", { mode: 0o600 });
  // As root, sshd insists on its privilege separation directory.
  if (Deno.uid() === 0) await Deno.mkdir("/run/sshd", { recursive: true, mode: 0o755 });
  const port = freePort();
  const config = [
    `ListenAddress 127.0.0.1:${port}`,
    `HostKey ${dir}/host_ed25519`,
    `PidFile ${dir}/sshd.pid`,
    `AuthorizedKeysFile ${authorizedKeys}`,
    "StrictModes no",
    "UsePAM no",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "PubkeyAuthentication yes",
    `PermitRootLogin ${options.permitRootLogin ?? "forced-commands-only"}`,
    "ExposeAuthInfo yes",
    "PrintMotd no",
    "LogLevel VERBOSE",
    "",
  ].join("\n");
  await Deno.writeTextFile(`${dir}/sshd_config`, config);
  const proc = new Deno.Command(SSHD, {
    args: ["-D", "-e", "-f", `${dir}/sshd_config`],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let text = "";
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stderr) text += decoder.decode(chunk, { stream: true });
  })();
  const status = proc.status;
  let exited = false;
  status.then(() => exited = true);
  // Ready when it says so (or gone, with the reason in its log).
  while (!/Server listening on 127\.0\.0\.1 port/.test(text)) {
    if (exited) {
      await reading;
      throw new Error(`sshd exited at start:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const user = Deno.env.get("USER") ??
    (Deno.uid() === 0 ? "root" : new TextDecoder().decode(
      (await new Deno.Command("id", { args: ["-un"], stdout: "piped" }).output()).stdout,
    ).trim());
  const sshCommandFor = (keyFile: string) =>
    [
      "ssh",
      "-i",
      keyFile,
      "-o",
      "StrictHostKeyChecking=no",
      "-o",
      "UserKnownHostsFile=/dev/null",
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      "BatchMode=yes",
      "-o",
      "LogLevel=ERROR",
      "-p",
      String(port),
    ].join(" ");
  return {
    port,
    user,
    authorizedKeys,
    key: { file: `${dir}/client_ed25519`, publicKey },
    sshCommand: sshCommandFor(`${dir}/client_ed25519`),
    sshCommandFor,
    async newKey(name) {
      const file = `${dir}/${name}_ed25519`;
      return { file, publicKey: await keygen(file, name) };
    },
    log: () => text,
    async close() {
      try {
        proc.kill("SIGTERM");
      } catch {
        // already gone
      }
      await status;
      await reading;
      await Deno.remove(dir, { recursive: true });
    },
  };
}
