/**
 * The preflight `deno task test` runs first: one block naming what the machine lacks,
 * before any test runs, instead of a hundred failures one by one.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatLacks } from "../testing/preflight.ts";
import { freePort, which } from "../testing/services.ts";

const PROJECT = dirname(dirname(fileURLToPath(import.meta.url)));

/** Runs `deno task -q preflight` with exactly `env` (plus what Deno needs to find its cache). */
async function preflight(env: Record<string, string>) {
  const keep: Record<string, string> = {};
  for (const name of ["HOME", "DENO_DIR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) keep[name] = value;
  }
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "preflight"],
    cwd: PROJECT,
    env: { ...keep, NO_COLOR: "1", ...env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

function count(text: string, word: string): number {
  return text.split(word).length - 1;
}

Deno.test("the preflight names bind9-utils and Redis once each when named-checkzone is off the PATH and Redis is down", async () => {
  const bin = await Deno.makeTempDir({ prefix: "preflight_path_" });
  try {
    const git = await which("git");
    assert(git, "git is needed to build the restricted PATH");
    await Deno.symlink(Deno.execPath(), join(bin, "deno"));
    await Deno.symlink(git, join(bin, "git"));
    // Nothing listens on a port just freed: Redis "is down" for the probe.
    const { code, stdout, stderr } = await preflight({
      PATH: bin,
      PREFLIGHT_REDIS_PORT: String(freePort()),
    });
    assert.equal(code, 1, stderr);
    assert.equal(stdout, "");
    assert.equal(count(stderr, "bind9-utils"), 1, stderr);
    assert.equal(count(stderr, "Redis"), 1, stderr);
    assert.match(stderr, /named-checkzone is not on the PATH/);
    assert.match(stderr, /apt-get install bind9-utils\n/);
    assert.doesNotMatch(stderr, /git is not/);
    assert.doesNotMatch(stderr, /MariaDB/);
  } finally {
    await Deno.remove(bin, { recursive: true });
  }
});

Deno.test("the preflight is silent and exits 0 on a machine that has everything", async () => {
  const { code, stdout, stderr } = await preflight({ PATH: Deno.env.get("PATH") ?? "" });
  assert.equal(code, 0, stderr);
  assert.equal(stdout + stderr, "");
});

Deno.test("formatLacks() gives one install line for every package, without repeats", () => {
  const text = formatLacks([
    { problem: "git is not on the PATH", packages: ["git"] },
    { problem: "MariaDB: is not installed", packages: ["mariadb-server"] },
    { problem: "MariaDB: root cannot log in", packages: ["mariadb-server"] },
  ], true);
  assert.equal(count(text, "apt-get install"), 1, text);
  assert.match(text, /^Install: apt-get install git mariadb-server$/m);
  assert.match(text, /^ {2}- git is not on the PATH$/m);
  assert.doesNotMatch(text, /^Start:/m);
});

Deno.test("formatLacks() puts sudo only before what needs root when not running as root", () => {
  const text = formatLacks([
    {
      problem: "Redis: nothing answers on 127.0.0.1:6379",
      packages: [],
      start: { command: "redis-server --daemonize yes", asRoot: false },
    },
    {
      problem: "MariaDB: is not installed",
      packages: ["mariadb-server"],
      start: { command: "service mariadb start", asRoot: true },
    },
  ], false);
  assert.match(text, /^Install: sudo apt-get install mariadb-server$/m);
  assert.match(text, /^Start: {3}redis-server --daemonize yes$/m);
  assert.match(text, /^ {9}sudo service mariadb start$/m);
  assert.match(text, /\.ci\/run/);
});
