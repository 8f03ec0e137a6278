/**
 * A repository "elsewhere" for tests: `git daemon` serving a directory read-only on
 * 127.0.0.1, as a git host would serve a customer's repository.
 *
 * @module
 */

import { freePort, waitForPort } from "./services.ts";

export { freePort };

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
  await waitForPort(port, 20_000, "git daemon");
  return daemon;
}
