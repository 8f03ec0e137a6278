/**
 * The floor of the hook's start-up (bench/hook_bench.sh): the system work post-receive
 * cannot skip, with none of the project's code. It reads stdin, resolves the repository's
 * path and the one under REPOS_ROOT, reads HEAD, makes a UUID and a timestamp, connects to
 * Redis under a timeout, sends one command and reads its reply, and prints one line.
 * Whatever the hook costs over this script is its own code; this script over an empty one
 * is what any hook pays.
 *
 * Run from inside a bare repository, as git runs the hook: `deno run … bench/hook_floor.ts`.
 *
 * @module
 */

const buffer = new Uint8Array(16 * 1024);
while (await Deno.stdin.read(buffer) !== null) {
  // Read to the end, as the hook does.
}
const root = Deno.env.get("REPOS_ROOT") ?? "/repos";
const here = Deno.cwd();
await Promise.all([Deno.realPath(here), Deno.realPath(`${root}/${here.split("/").pop()}`)]);
await Deno.readTextFile(`${here}/HEAD`);
const job = JSON.stringify({ uuid: crypto.randomUUID(), queuedAt: new Date().toISOString() });
const conn = await Deno.connect({
  hostname: "127.0.0.1",
  port: 6379,
  signal: AbortSignal.timeout(2000),
});
const encoder = new TextEncoder();
// One round trip carrying about a job's bytes (ECHO sends them back); the JSON is ASCII,
// so its length is its byte count.
await conn.write(encoder.encode(`*2\r\n$4\r\nECHO\r\n$${job.length}\r\n${job}\r\n`));
await conn.read(buffer);
conn.close();
console.log(`dns-api: queued ${job.slice(9, 45)}`);
