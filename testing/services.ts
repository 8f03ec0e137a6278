/**
 * Disposable Redis and MariaDB instances from the system binaries, for the demo: each
 * in its own temporary directory on a free port, stopped and removed by `stop()`.
 * Missing binaries are installed with apt-get when running as root; otherwise the
 * error names the Debian packages to install. The probes (`which`, `commandRuns`,
 * `portOpen`, `packagesFor`) also serve the test suite's preflight.
 *
 * @module
 */
import { join } from "node:path";

/** A running disposable service. */
export interface Service {
  /** `redis://…` or `mysql://…` URL to reach it. */
  url: string;
  stop(): Promise<void>;
}

const PACKAGES: Record<string, string[]> = {
  "redis-server": ["redis-server"],
  "mariadbd": ["mariadb-server"],
  "mariadb-install-db": ["mariadb-server"],
  "named-checkzone": ["bind9-utils"],
};

/** The Debian packages that provide `binary`. */
export function packagesFor(binary: string): string[] {
  return PACKAGES[binary] ?? [binary];
}

/**
 * Finds a binary in the system's bin and sbin directories, not on the PATH: mariadbd
 * lives in /usr/sbin, which a user's PATH often lacks.
 */
export async function which(binary: string): Promise<string | null> {
  for (const dir of ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"]) {
    const path = join(dir, binary);
    try {
      if ((await Deno.stat(path)).isFile) return path;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** Finds a system binary, installing its Debian package when root, else a clear error. */
export async function requireBinary(binary: string): Promise<string> {
  const found = await which(binary);
  if (found) return found;
  const packages = packagesFor(binary);
  if (Deno.uid() !== 0) {
    throw new Error(
      `Cannot start ${binary}: it is not installed; install it with ` +
        `\`sudo apt-get install ${packages.join(" ")}\``,
    );
  }
  for (const args of [["update", "-qq"], ["install", "-y", "-qq", ...packages]]) {
    const { code } = await new Deno.Command("apt-get", {
      args,
      env: { DEBIAN_FRONTEND: "noninteractive" },
      stdout: "null",
      stderr: "null",
    }).output();
    if (code !== 0 && args[0] === "install") {
      throw new Error(`Cannot install ${packages.join(" ")} with apt-get (exit ${code})`);
    }
  }
  const installed = await which(binary);
  if (!installed) throw new Error(`Cannot find ${binary} after installing ${packages.join(" ")}`);
  return installed;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Tells whether `command`, looked up on the PATH, runs with `args` and exits 0. */
export async function commandRuns(command: string, args: string[]): Promise<boolean> {
  try {
    const out = await new Deno.Command(command, { args, stdout: "null", stderr: "null" }).output();
    return out.success;
  } catch {
    return false;
  }
}

/** Tells whether something accepts TCP connections on 127.0.0.1:`port`. */
export async function portOpen(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves once something accepts TCP connections on 127.0.0.1:`port`; throws naming
 * `what` after `timeoutMs`.
 *
 * @example
 * ```ts
 * await waitForPort(6380, 10_000, "redis-server");
 * ```
 */
export async function waitForPort(
  port: number,
  timeoutMs = 20_000,
  what = "the server",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!await portOpen(port)) {
    if (Date.now() > deadline) throw new Error(`Cannot reach ${what} on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function stopper(child: Deno.ChildProcess, dir: string): () => Promise<void> {
  return async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    const timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }, 10_000);
    await child.status;
    clearTimeout(timer);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
}

/** Starts redis-server without persistence in a temporary directory. */
export async function startRedis(): Promise<Service> {
  const binary = await requireBinary("redis-server");
  const dir = await Deno.makeTempDir({ prefix: "dnsapi-redis-" });
  const port = freePort();
  const child = new Deno.Command(binary, {
    args: [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  await waitForPort(port, 10_000, "redis-server");
  return { url: `redis://127.0.0.1:${port}`, stop: stopper(child, dir) };
}

/**
 * Starts a throw-away MariaDB: a fresh data directory, root without password on TCP,
 * no networking beyond 127.0.0.1, `extraArgs` given to mariadbd (TLS options, say).
 * Takes a few seconds (mariadb-install-db).
 */
export async function startMariadb(extraArgs: string[] = []): Promise<Service> {
  const installDb = await requireBinary("mariadb-install-db");
  const mariadbd = await requireBinary("mariadbd");
  const dir = await Deno.makeTempDir({ prefix: "dnsapi-mariadb-" });
  const data = join(dir, "data");
  // Its own temporary directory: a starting mariadbd deletes the leftover temporary
  // tables it finds in its tmpdir, which in a shared /tmp are another instance's
  // (seen: a bootstrap beside another failing with "Unknown table mysql.tmp_user_…").
  const tmp = join(dir, "tmp");
  await Deno.mkdir(tmp);
  const asRoot = Deno.uid() === 0 ? ["--user=root"] : [];
  const init = await new Deno.Command(installDb, {
    args: [
      "--no-defaults",
      `--datadir=${data}`,
      "--auth-root-authentication-method=normal",
      "--skip-test-db",
      `--tmpdir=${tmp}`,
      ...asRoot,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (init.code !== 0) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw new Error(
      `Cannot initialise MariaDB: ${new TextDecoder().decode(init.stderr).slice(-500)}`,
    );
  }
  const port = freePort();
  const child = new Deno.Command(mariadbd, {
    args: [
      "--no-defaults",
      `--datadir=${data}`,
      `--socket=${join(dir, "sock")}`,
      `--port=${port}`,
      "--bind-address=127.0.0.1",
      `--pid-file=${join(dir, "pid")}`,
      "--skip-log-bin",
      `--tmpdir=${tmp}`,
      ...asRoot,
      ...extraArgs,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  await waitForPort(port, 30_000, "mariadbd");
  return { url: `mysql://root@127.0.0.1:${port}/dnsapi_demo`, stop: stopper(child, dir) };
}
