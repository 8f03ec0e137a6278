/**
 * The key commands and the daemon's part, end to end: `main.ts` against real MariaDB
 * and Redis, `authorized_keys` read back from disk.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createWorld, type World } from "../testing/world.ts";
import { workerTaskFlags } from "../testing/worker_flags.ts";
import { readCommandLine } from "../cli/command_line.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

async function newKeyLine(dir: string, comment: string): Promise<string> {
  const file = join(dir, crypto.randomUUID());
  const out = await new Deno.Command("ssh-keygen", {
    args: ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file],
  }).output();
  assert.equal(out.code, 0);
  return (await Deno.readTextFile(`${file}.pub`)).trim();
}

async function fingerprintOf(line: string, dir: string): Promise<string> {
  const pub = join(dir, `${crypto.randomUUID()}.pub`);
  await Deno.writeTextFile(pub, line + "\n");
  const out = await new Deno.Command("ssh-keygen", { args: ["-lf", pub], stdout: "piped" })
    .output();
  return new TextDecoder().decode(out.stdout).split(" ")[1]!;
}

/** `main.ts` with `input` on stdin. */
async function cliWithStdin(world: World, args: string[], input: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...workerTaskFlags(), MAIN, ...args],
    cwd: world.root,
    env: world.env,
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(input));
  await writer.close();
  const out = await child.output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

/** The key lines of the file (its header comment left out). */
async function keyLines(path: string): Promise<string[]> {
  return (await Deno.readTextFile(path)).split("\n").filter((l) => l !== "" && !l.startsWith("#"));
}

function forced(user: string, key: string): RegExp {
  const escaped = key.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  return new RegExp(`^command="'[^"]*' 'ssh' '${user}'",restrict ${escaped}$`);
}

Deno.test("user key add|list|remove, ban and expire keep authorized_keys to the active users' keys", async () => {
  const keysDir = await Deno.makeTempDir();
  const path = join(keysDir, ".ssh", "authorized_keys");
  const world = await createWorld({ env: { DNSAPI_AUTHORIZED_KEYS: path } });
  try {
    await world.addUser("ann");
    await world.addUser("bob");
    const annKey = await newKeyLine(keysDir, "ann@laptop");
    const bobKey = await newKeyLine(keysDir, "bob@desk");

    const added = await cliWithStdin(world, ["user", "key", "add", "ann", "-"], annKey + "\n");
    assert.equal(added.code, 0, added.stderr);
    const fingerprint = await fingerprintOf(annKey, keysDir);
    assert.ok(added.stdout.includes(`added ssh-ed25519 key ${fingerprint} for ann\n`));
    assert.match(added.stdout, /authorized_keys: 1 key of active users/);
    const bob = await world.cli(["user", "key", "add", "bob", bobKey]);
    assert.equal(bob.code, 0, bob.stderr);

    const lines = await keyLines(path);
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, forced("ann", annKey));
    assert.match(lines[1]!, forced("bob", bobKey));
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);

    const again = await world.cli(["user", "key", "add", "bob", annKey]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /registered to another account/);
    const options = await world.cli(["user", "key", "add", "bob", `no-pty ${bobKey}`]);
    assert.equal(options.code, 1);
    assert.match(options.stderr, /key options .* are not accepted/);

    const list = await world.cli(["user", "key", "list", "ann", "--json"]);
    assert.equal(list.code, 0, list.stderr);
    const listed = JSON.parse(list.stdout);
    assert.equal(listed.length, 1);
    assert.equal(listed[0].fingerprint, fingerprint);
    assert.equal(listed[0].type, "ssh-ed25519");
    assert.equal(listed[0].key, annKey);
    assert.equal(listed[0].comment, "ann@laptop");

    assert.equal((await world.cli(["user", "ban", "bob"])).code, 0);
    assert.deepEqual((await keyLines(path)).length, 1, "a ban drops the user's line at once");
    assert.match((await keyLines(path))[0]!, forced("ann", annKey));
    assert.equal((await world.cli(["user", "unban", "bob"])).code, 0);
    assert.equal((await keyLines(path)).length, 2);
    assert.equal((await world.cli(["user", "expire", "bob"])).code, 0);
    assert.equal((await keyLines(path)).length, 1, "an expiry now drops the line at once");

    const removed = await world.cli(["user", "key", "remove", "ann", fingerprint]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.deepEqual(await keyLines(path), []);
    const gone = await world.cli(["user", "key", "remove", "ann", fingerprint]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /ann has no key/);

    await Deno.writeTextFile(path, "hand-edited\n");
    const install = await world.cli(["install-keys"]);
    assert.equal(install.code, 0, install.stderr);
    assert.deepEqual(await keyLines(path), []);
  } finally {
    await world.close();
    await Deno.remove(keysDir, { recursive: true });
  }
});

Deno.test("run writes authorized_keys at start-up and applies NEW:SSHKEY events from Redis", async () => {
  const keysDir = await Deno.makeTempDir();
  const path = join(keysDir, "authorized_keys");
  const eventKey = `test:${crypto.randomUUID()}:NEW:SSHKEY`;
  const world = await createWorld({
    env: { DNSAPI_AUTHORIZED_KEYS: path, DNSAPI_NEW_SSHKEY_KEY: eventKey },
  });
  try {
    await world.addUser("ann");
    const annKey = await newKeyLine(keysDir, "ann@laptop");
    await Deno.writeTextFile(path, "stale\n");
    await world.redis.rpush(
      eventKey,
      JSON.stringify({ user: "ann", key: annKey }),
      JSON.stringify({ user: "ann", key: "ssh-rsa AAAA" }),
    );
    const worker = world.startWorker();
    // Writes in order: at start-up (no key yet: the stale line goes), after the event.
    const writes = () => worker.events().filter((e) => e.event === "authorized-keys");
    const nth = (n: number) => (e: Record<string, unknown>) => writes()[n] === e;
    assert.equal((await worker.waitForEvent(nth(0))).keys, 0);
    assert.equal((await worker.waitForEvent(nth(1))).keys, 1);
    assert.match((await keyLines(path))[0]!, forced("ann", annKey));
    assert.equal(await world.redis.exists(eventKey), 0);
    const invalid = await world.redis.lrange(`${world.prefix}invalid`, 0, -1);
    assert.equal(invalid.length, 1);
    assert.match(
      JSON.parse(invalid[0]!).reason,
      /Cannot read the ssh-rsa key: the blob ends before the key type/,
    );

    const fingerprint = await fingerprintOf(annKey, keysDir);
    await world.redis.sadd(eventKey, JSON.stringify({ user: "ann", remove: fingerprint }));
    assert.equal((await worker.waitForEvent(nth(2))).keys, 0);
    assert.deepEqual(await keyLines(path), []);
    worker.kill("SIGTERM");
    assert.equal((await worker.status).code, 0);
  } finally {
    await world.redis.del(eventKey);
    await world.close();
    await Deno.remove(keysDir, { recursive: true });
  }
});

Deno.test("the command line reads three-word commands and answers a bare `user key` with its commands", () => {
  assert.deepEqual(readCommandLine(["user", "key", "add", "ann", "-"]), {
    name: "user key add",
    values: {},
    args: ["ann", "-"],
  });
  const bare = readCommandLine(["user", "key"]);
  assert.ok("code" in bare);
  assert.equal(bare.code, 2);
  assert.ok(
    bare.stderr.startsWith("user key: missing command\nusage: user key add|remove|list ...\n"),
  );
  const unknown = readCommandLine(["user", "key", "rotate", "ann"]);
  assert.ok("code" in unknown && unknown.stderr.startsWith('unknown user key command "rotate"'));
});
