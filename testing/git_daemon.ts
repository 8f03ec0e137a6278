/**
 * A repository "elsewhere" for tests: `git daemon` serving a directory read-only on
 * 127.0.0.1, as a git host would serve a customer's repository.
 *
 * @module
 */

/**
 * A free TCP port on 127.0.0.1 (the listener is closed again at once).
 *
 * @example
 * ```ts
 * const port = freePort();
 * ```
 */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * Serves `base` read-only with `git daemon` on 127.0.0.1:port until killed; resolves
 * once it accepts connections.
 *
 * @example
 * ```ts
 * const daemon = await gitDaemon("/tmp/elsewhere", freePort());
 * daemon.kill("SIGTERM");
 * ```
 */
export async function gitDaemon(base: string, port: number): Promise<Deno.ChildProcess> {
  const daemon = new Deno.Command("git", {
    args: [
      "daemon",
      "--reuseaddr",
      "--export-all",
      "--listen=127.0.0.1",
      `--port=${port}`,
      `--base-path=${base}`,
      base,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (;;) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return daemon;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
