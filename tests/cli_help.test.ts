import { deepStrictEqual as eq, ok } from "node:assert/strict";
import mysql from "mysql2/promise";
import denoJson from "../deno.json" with { type: "json" };
import { commandHelp, readCommandLine } from "../cli/command_line.ts";
import { type CommandName, COMMANDS } from "../cli/commands.ts";
import { freePort } from "../testing/services.ts";
import { workerTaskFlags } from "../testing/worker_flags.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const HOOK = new URL("../hook.ts", import.meta.url).pathname;
const NAMES = Object.keys(COMMANDS) as CommandName[];

/** Redis and MySQL on a port nothing listens on: a command that connects fails. */
function unreachable(database = "dnsapi_help"): Record<string, string> {
  return {
    REDIS_URL: `redis://127.0.0.1:${freePort()}`,
    DATABASE_URL: `mysql://root@127.0.0.1:${freePort()}/${database}`,
  };
}

async function run(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), { args, env, stdin: "null" }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

function worker(args: string[], env = unreachable()) {
  return run(["run", ...workerTaskFlags(), MAIN, ...args], env);
}

function hook(args: string[]) {
  return run([
    "run",
    "--allow-env",
    "--allow-read",
    "--allow-net=127.0.0.1,localhost",
    "--allow-run=git",
    HOOK,
    ...args,
  ], {});
}

Deno.test("every command answers --help with its usage and exit 0, connecting to nothing", async () => {
  for (const name of NAMES) {
    const r = await worker([...name.split(" "), "--help"]);
    eq({ name, code: r.code, stderr: r.stderr }, { name, code: 0, stderr: "" });
    eq(r.stdout, commandHelp(name));
    ok(r.stdout.startsWith(`usage: ${COMMANDS[name].usage}\n`), name);
  }
});

Deno.test("the unreachable services make a command that connects fail", async () => {
  const r = await worker(["status"]);
  eq(r.code, 1);
});

Deno.test("migrate --help creates no database", async () => {
  const database = `dnsapi_help_${crypto.randomUUID().slice(0, 8)}`;
  const env = { ...unreachable(), DATABASE_URL: `mysql://root@127.0.0.1:3306/${database}` };
  const conn = await mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root" });
  try {
    const r = await worker(["migrate", "--help"], env);
    eq(r.code, 0);
    ok(r.stdout.startsWith("usage: migrate\n"));
    const [rows] = await conn.query("SHOW DATABASES LIKE ?", [database]);
    eq(rows, []);
  } finally {
    await conn.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await conn.end();
  }
});

Deno.test("--help, -h and help list every command's usage and summary", async () => {
  for (const args of [["--help"], ["-h"], ["help"]]) {
    const r = await worker(args);
    eq(r.code, 0, args.join(" "));
    for (const name of NAMES) {
      ok(r.stdout.includes(COMMANDS[name].usage), `${args.join(" ")} lists ${name}`);
      ok(r.stdout.includes(COMMANDS[name].summary), `${args.join(" ")} summarises ${name}`);
    }
  }
});

Deno.test("help CMD and a group's --help print that usage", async () => {
  const r = await worker(["help", "user", "expire"]);
  eq(r.code, 0);
  eq(r.stdout, commandHelp("user expire"));
  const group = await worker(["user", "--help"]);
  eq(group.code, 0);
  for (const name of NAMES.filter((n) => n.startsWith("user "))) {
    ok(group.stdout.includes(COMMANDS[name].usage), name);
  }
});

Deno.test("--version prints the binary's name and deno.json's version", async () => {
  const w = await worker(["--version"]);
  eq([w.code, w.stdout], [0, `dns-api-worker ${denoJson.version}\n`]);
  const h = await hook(["--version"]);
  eq([h.code, h.stdout], [0, `dns-api-hook ${denoJson.version}\n`]);
});

Deno.test("an unknown command exits 2 with the command list on stderr", async () => {
  const r = await worker(["frobnicate"]);
  eq(r.code, 2);
  eq(r.stdout, "");
  ok(r.stderr.startsWith('unknown command "frobnicate"\nusage: dns-api-worker <command>'));
  ok(r.stderr.includes(COMMANDS.migrate.usage));
});

Deno.test("no command exits 2 with the command list on stderr", async () => {
  const r = await worker([]);
  eq(r.code, 2);
  ok(r.stderr.includes(COMMANDS.run.usage));
});

Deno.test("an unknown option exits 2 with the command's usage on stderr, before connecting", async () => {
  const cases: [CommandName, string[]][] = [
    ["status", ["--bogus"]],
    ["migrate", ["--bogus"]],
    ["plan", ["--user", "u", "--force"]],
  ];
  for (const [name, args] of cases) {
    const r = await worker([name, ...args]);
    eq(r.code, 2, name);
    ok(r.stderr.includes(`usage: ${COMMANDS[name].usage}\n`), name);
  }
  const top = await worker(["--bogus"]);
  eq(top.code, 2);
  ok(top.stderr.startsWith('unknown option "--bogus"\n'));
});

Deno.test("a missing argument or subcommand exits 2 with the usage on stderr", async () => {
  const cases: [string[], string][] = [
    [["logs"], "logs: missing UUID\nusage: logs UUID [--json]\n"],
    [["plan"], "plan: --user is required\nusage: plan --user U [--full] [--json] [--exit-code]\n"],
    [["check"], "check: missing FILE\nusage: check [--json] FILE...\n"],
  ];
  for (const [args, stderr] of cases) {
    const r = await worker(args);
    eq([r.code, r.stderr], [2, stderr]);
  }
  const user = await worker(["user"]);
  eq(user.code, 2);
  ok(user.stderr.startsWith("user: missing command\nusage: user add|ban|unban|expire|list ...\n"));
});

Deno.test("the hook answers --help with its modes and exit 0, and an unknown mode with 2", async () => {
  const help = await hook(["--help"]);
  eq(help.code, 0);
  ok(help.stdout.startsWith("usage: dns-api-hook [post-receive|pre-receive]"));
  const unknown = await hook(["push-to-checkout"]);
  eq([unknown.code, unknown.stdout], [2, ""]);
  ok(unknown.stderr.startsWith("usage: dns-api-hook [post-receive|pre-receive]"));
});

Deno.test("each usage line names exactly its command's options and arguments", () => {
  for (const name of NAMES) {
    const { usage, options, args } = COMMANDS[name];
    ok(usage.startsWith(`${name}`), name);
    const named = [...usage.matchAll(/--([a-z-]+)/g)].map((m) => m[1]).sort();
    eq(named, Object.keys(options).sort(), name);
    for (const arg of args) ok(usage.split(" ").includes(arg), `${name} names ${arg}`);
  }
});

Deno.test("readCommandLine() types a command's options and arguments from the table", () => {
  eq(readCommandLine(["user", "expire", "bob", "--never"]), {
    name: "user expire",
    values: { at: undefined, never: true },
    args: ["bob"],
  });
  eq(readCommandLine(["check", "a", "b"]), {
    name: "check",
    values: { json: false },
    args: [["a", "b"]],
  });
  eq(readCommandLine(["logs", "--", "--json"]), {
    name: "logs",
    values: { json: false },
    args: ["--json"],
  });
});
