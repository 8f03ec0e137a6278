/**
 * Test-only pre-receive entry: what hook.ts's `pre-receive` mode does, without the rest
 * of the hook, so tests can install it as a real repository's hook:
 * `deno run -A <abs>/testing/pre_receive_entry.ts`. Like an entry point, it is the one
 * place here that reads the process environment and exits.
 *
 * @module
 */

import { runPreReceive } from "../lib/hook.ts";

if (import.meta.main) {
  const stdin = await new Response(Deno.stdin.readable).text();
  const code = await runPreReceive(stdin, {
    env: (name) => Deno.env.get(name),
    cwd: Deno.cwd(),
    print: (line) => console.log(line),
  });
  Deno.exit(code);
}
