/**
 * The permission flags of deno.json's `worker` task, which the compiled binary gets too.
 * Tests and the demo run the worker under exactly these, so a missing permission shows.
 *
 * @module
 */

/**
 * Reads the flags between `deno run` and `main.ts` in the `worker` task.
 *
 * @example
 * ```ts
 * new Deno.Command(Deno.execPath(), { args: ["run", ...workerTaskFlags(), "main.ts", "status"] });
 * ```
 */
export function workerTaskFlags(): string[] {
  const config: unknown = JSON.parse(
    Deno.readTextFileSync(new URL("../deno.json", import.meta.url)),
  );
  const task = (config as { tasks?: { worker?: unknown } }).tasks?.worker;
  if (typeof task !== "string") throw new TypeError("Cannot read the worker task in deno.json");
  const words = task.trim().split(/\s+/);
  const flags = words.slice(2, words.indexOf("main.ts"));
  if (words[0] !== "deno" || words[1] !== "run" || flags.length === 0) {
    throw new TypeError(`Cannot read the worker task's flags from "${task}"`);
  }
  return flags;
}
