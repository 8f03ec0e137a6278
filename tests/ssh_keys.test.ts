import assert from "node:assert/strict";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { Redis } from "ioredis";
import { createDatabaseIfMissing, migrate, type MysqlDb, openDb, sshKeyStore } from "../lib/db.ts";
import {
  authorizedKeysKeeper,
  authorizedKeysLine,
  authorizedKeysText,
  HEADER,
  type PublicKey,
  readPublicKey,
  readWorkerKeys,
  takeKeyEvents,
  workerKeyLine,
  writeAuthorizedKeys,
} from "../lib/worker.ts";

/** A fresh key made by ssh-keygen, read. */
async function newKey(comment = "ann@laptop"): Promise<{ line: string; key: PublicKey }> {
  const dir = await Deno.makeTempDir();
  try {
    const out = await new Deno.Command("ssh-keygen", {
      args: ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", join(dir, "k")],
    }).output();
    assert.equal(out.code, 0);
    const line = (await Deno.readTextFile(join(dir, "k.pub"))).trim();
    const read = await readPublicKey(line);
    assert.ok("key" in read);
    return { line, key: read.key };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A fresh, migrated database for one test; dropped afterwards. */
async function withDb(fn: (db: MysqlDb) => Promise<void>): Promise<void> {
  const name = `dnsapi_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const url = `mysql://root@127.0.0.1:3306/${name}`;
  await createDatabaseIfMissing(url);
  const db = await openDb(url);
  try {
    await migrate(db);
    await fn(db);
  } finally {
    await db.close();
    const conn = await mysql.createConnection({ host: "127.0.0.1", user: "root" });
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``).finally(() => conn.end());
  }
}

const HOOK = ["/usr/local/bin/dns-api-hook"];

/** The `command="…"` value as sshd reads it (auth-options.c: `\"` is `"`, all else as is). */
function sshdDequote(line: string): string {
  assert.ok(line.startsWith('command="'));
  let out = "";
  for (let i = 'command="'.length; i < line.length && line[i] !== '"'; i++) {
    if (line[i] === "\\" && line[i + 1] === '"') i++;
    out += line[i];
  }
  return out;
}

Deno.test("the key store keeps one row per key, refuses a key registered to anyone and lists keys per user", async () => {
  await withDb(async (db) => {
    const store = sshKeyStore(db);
    await db.addUser("ann");
    await db.addUser("bob");
    const { key } = await newKey();
    const added = await store.addKey("ann", key);
    assert.ok("added" in added);
    assert.equal(added.added.fingerprint, key.fingerprint);
    assert.equal(added.added.type, "ssh-ed25519");
    assert.equal(added.added.base64, key.base64);
    assert.equal(added.added.comment, "ann@laptop");
    assert.ok(added.added.addedAt instanceof Date);
    assert.deepEqual(await store.addKey("ann", key), {
      reason: `the key ${key.fingerprint} is registered to ann already`,
    });
    assert.deepEqual(await store.addKey("bob", key), {
      reason: `the key ${key.fingerprint} is registered to another account (ann)`,
    });
    assert.deepEqual(await store.addKey("cy", (await newKey()).key), {
      reason: "no user cy exists",
    });
    assert.deepEqual((await store.listKeys("ann")).map((k) => k.fingerprint), [key.fingerprint]);
    assert.deepEqual(await store.listKeys("bob"), []);
    assert.equal(await store.removeKey("bob", key.fingerprint), false);
    assert.equal(await store.removeKey("ann", key.fingerprint), true);
    assert.deepEqual(await store.listKeys("ann"), []);
  });
});

Deno.test("activeKeys() leaves out banned and expired users; activeDigest() changes with them", async () => {
  await withDb(async (db) => {
    const store = sshKeyStore(db);
    const now = new Date("2030-01-01T00:00:00Z");
    const soon = new Date("2030-01-02T00:00:00Z");
    await db.addUser("ann");
    await db.addUser("bob");
    await db.addUser("cy", new Date("2029-12-31T00:00:00Z"));
    await db.addUser("dee", soon);
    for (const user of ["ann", "bob", "cy", "dee"]) {
      assert.ok("added" in await store.addKey(user, (await newKey(user)).key));
    }
    const before = await store.activeDigest(now);
    await db.banUser("bob");
    const banned = await store.activeDigest(now);
    assert.notEqual(banned, before);
    assert.deepEqual((await store.activeKeys(now)).map((k) => k.user), ["ann", "dee"]);
    assert.equal(await store.activeDigest(now), banned, "the same keys, the same digest");
    assert.deepEqual((await store.activeKeys(soon)).map((k) => k.user), ["ann"]);
    assert.notEqual(await store.activeDigest(soon), banned);
    await db.unbanUser("bob");
    assert.equal(await store.activeDigest(now), before);
  });
});

Deno.test("an authorized_keys line forces the hook's ssh mode for its user, quoted for sh and for sshd", async () => {
  const key = { user: "ann", type: "ssh-ed25519" as const, base64: "AAAA", comment: "ann@x" };
  assert.equal(
    authorizedKeysLine(HOOK, key),
    `command="'/usr/local/bin/dns-api-hook' 'ssh' 'ann'",restrict ssh-ed25519 AAAA ann@x`,
  );
  // What sshd hands the shell (its option dequoting: \" is ", all else as is), run by sh,
  // gives back every word exactly, quotes of both kinds included.
  const words = ["printf", "%s|", `it's "quoted" \\" $HOME`];
  const shell = await new Deno.Command("sh", {
    args: ["-c", sshdDequote(authorizedKeysLine(words, key))],
    stdout: "piped",
  }).output();
  assert.equal(new TextDecoder().decode(shell.stdout), `it's "quoted" \\" $HOME|ssh|ann|`);
  assert.throws(() => authorizedKeysLine(["/bin/x\n"], key), /line break/);
  assert.throws(() => authorizedKeysLine(HOOK, { ...key, base64: "AA AA\nx" }), /not base64/);
  assert.equal(
    authorizedKeysText(HOOK, []),
    `${HEADER}\n`,
  );
});

Deno.test("worker keys from DNSAPI_WORKER_KEYS follow the customers' lines, forcing the hook's ssh-worker mode", async () => {
  const { line, key } = await newKey("worker@host2");
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "worker_keys");
    await Deno.writeTextFile(file, `# the worker hosts\n\n${line}\n`);
    const workers = await readWorkerKeys(file);
    assert.deepEqual(workers, [{ type: key.type, base64: key.base64, comment: "worker@host2" }]);
    const expected = `command="'/usr/local/bin/dns-api-hook' 'ssh-worker'",restrict ${line}`;
    assert.equal(workerKeyLine(HOOK, workers[0]!), expected);
    const ann = { user: "ann", type: key.type, base64: key.base64, comment: "" };
    assert.deepEqual(authorizedKeysText(HOOK, [ann], workers).split("\n"), [
      HEADER,
      authorizedKeysLine(HOOK, ann),
      expected,
      "",
    ]);
    await Deno.writeTextFile(file, `${line}\nno-pty ${line}\n`);
    await assert.rejects(
      () => readWorkerKeys(file),
      /worker_keys:2: key options .*fix or remove the line/,
    );
    await assert.rejects(
      () => readWorkerKeys(join(dir, "missing")),
      /Cannot read the worker keys .*missing/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeAuthorizedKeys() replaces the file by rename with mode 600, leaving no temporary file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, ".ssh", "authorized_keys");
    await writeAuthorizedKeys(path, "one\n");
    const first = await Deno.stat(path);
    await writeAuthorizedKeys(path, "two\n");
    const second = await Deno.stat(path);
    assert.equal(await Deno.readTextFile(path), "two\n");
    assert.equal((second.mode ?? 0) & 0o777, 0o600);
    assert.equal((await Deno.stat(join(dir, ".ssh"))).mode! & 0o777, 0o700);
    // A new inode: an open reader keeps the old file whole, never sees a half-written one.
    assert.notEqual(second.ino, first.ino);
    assert.deepEqual([...Deno.readDirSync(join(dir, ".ssh"))].map((e) => e.name), [
      "authorized_keys",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the keeper writes the active users' keys; its tick rewrites after an expiry or another process's change", async () => {
  await withDb(async (db) => {
    const dir = await Deno.makeTempDir();
    try {
      const store = sshKeyStore(db);
      const path = join(dir, "authorized_keys");
      let now = new Date("2030-01-01T00:00:00Z");
      const keeper = authorizedKeysKeeper(path, HOOK, store, () => now);
      await db.addUser("ann");
      await db.addUser("bob");
      await db.addUser("cy", new Date("2030-01-01T01:00:00Z"));
      const keys = { ann: await newKey("a"), bob: await newKey("b"), cy: await newKey("c") };
      for (const [user, { key }] of Object.entries(keys)) await store.addKey(user, key);
      const line = (user: "ann" | "bob" | "cy") =>
        `command="'/usr/local/bin/dns-api-hook' 'ssh' '${user}'",restrict ${keys[user].line}`;

      assert.equal(await keeper.write(), 3);
      assert.equal(
        await Deno.readTextFile(path),
        [HEADER, line("ann"), line("bob"), line("cy")].join("\n") + "\n",
      );
      await db.banUser("bob");
      assert.equal(await keeper.write(), 2);
      assert.equal(
        await Deno.readTextFile(path),
        [HEADER, line("ann"), line("cy")].join("\n") + "\n",
      );
      assert.equal(await keeper.tick(), null, "no expiry passed: nothing to write");
      now = new Date("2030-01-01T01:00:00Z");
      assert.equal(await keeper.tick(), 1);
      assert.equal(await Deno.readTextFile(path), [HEADER, line("ann")].join("\n") + "\n");
      assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
      // Another host unbans bob: this keeper's next tick sees it.
      await db.unbanUser("bob");
      assert.equal(await keeper.tick(), 2);
      assert.equal(
        await Deno.readTextFile(path),
        [HEADER, line("ann"), line("bob")].join("\n") + "\n",
      );
      assert.equal(await keeper.tick(), null);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("the keeper appends the worker keys and rewrites when their file changes; a bad line keeps the old file", async () => {
  await withDb(async (db) => {
    const dir = await Deno.makeTempDir();
    try {
      const store = sshKeyStore(db);
      const path = join(dir, "authorized_keys");
      const workers = join(dir, "worker_keys");
      const host2 = await newKey("host2");
      await Deno.writeTextFile(workers, `${host2.line}\n`);
      const keeper = authorizedKeysKeeper(path, HOOK, store, undefined, workers);
      await db.addUser("ann");
      const ann = await newKey("a");
      await store.addKey("ann", ann.key);
      const annLine = `command="'/usr/local/bin/dns-api-hook' 'ssh' 'ann'",restrict ${ann.line}`;
      const worker = (line: string) =>
        `command="'/usr/local/bin/dns-api-hook' 'ssh-worker'",restrict ${line}`;

      assert.equal(await keeper.write(), 1);
      const first = [HEADER, annLine, worker(host2.line)].join("\n") + "\n";
      assert.equal(await Deno.readTextFile(path), first);
      assert.equal(await keeper.tick(), null);
      const host3 = await newKey("host3");
      await Deno.writeTextFile(workers, `${host2.line}\n${host3.line}\n`);
      assert.equal(await keeper.tick(), 1);
      assert.equal(
        await Deno.readTextFile(path),
        [HEADER, annLine, worker(host2.line), worker(host3.line)].join("\n") + "\n",
      );
      await Deno.writeTextFile(workers, "not a key\n");
      await assert.rejects(() => keeper.tick(), /worker_keys:1: .*fix or remove the line/);
      assert.match(await Deno.readTextFile(path), /host3$/m, "the old file stays");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("NEW:SSHKEY events add and remove keys, leave Redis once applied, and set invalid ones aside with the reason", async () => {
  await withDb(async (db) => {
    const redis = new Redis("redis://127.0.0.1:6379", { lazyConnect: true });
    const prefix = `test:${crypto.randomUUID()}:`;
    try {
      await redis.connect();
      const store = sshKeyStore(db);
      await db.addUser("ann");
      await db.addUser("bob");
      const a = await newKey("a");
      const b = await newKey("b");
      const logs: string[] = [];
      const options = {
        key: `${prefix}NEW:SSHKEY`,
        prefix,
        store,
        log: (e: { message: string }) => logs.push(e.message),
      };
      const events = [
        JSON.stringify({ user: "ann", key: a.line }),
        JSON.stringify({ user: "ann", key: b.line }),
        JSON.stringify({ user: "bob", key: a.line }),
        JSON.stringify({ user: "ann", key: `command="/bin/sh" ${a.line}` }),
        JSON.stringify({ user: "zed", key: (await newKey()).line }),
        "{not json",
      ];
      await redis.rpush(options.key, ...events);
      assert.equal(await takeKeyEvents(redis, options), 2);
      assert.equal(await redis.exists(options.key), 0);
      assert.deepEqual(
        (await store.listKeys("ann")).map((k) => k.fingerprint).sort(),
        [a.key.fingerprint, b.key.fingerprint].sort(),
      );
      const invalid = (await redis.lrange(`${prefix}invalid`, 0, -1)).map((e) => JSON.parse(e));
      assert.deepEqual(invalid.map((e) => e.raw).reverse(), events.slice(2));
      assert.deepEqual(invalid.map((e) => e.source), Array(4).fill(options.key));
      const reasons = invalid.map((e) => e.reason).reverse();
      assert.match(reasons[0], /registered to another account \(ann\)/);
      assert.match(reasons[1], /key options/);
      assert.match(reasons[2], /no user zed exists/);
      assert.match(reasons[3], /not valid JSON/);

      // A set, as the website may SADD; a repeat of an applied event changes nothing.
      await redis.sadd(
        `${prefix}set`,
        JSON.stringify({ user: "ann", remove: a.key.fingerprint }),
        JSON.stringify({ user: "ann", key: b.line }),
      );
      assert.equal(await takeKeyEvents(redis, { ...options, key: `${prefix}set` }), 1);
      assert.equal(await redis.exists(`${prefix}set`), 0);
      assert.deepEqual((await store.listKeys("ann")).map((k) => k.fingerprint), [
        b.key.fingerprint,
      ]);
      assert.ok(logs.includes(`ann has the key ${b.key.fingerprint} already`));
      assert.equal(await redis.llen(`${prefix}invalid`), 4);
    } finally {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    }
  });
});

Deno.test("a NEW:SSHKEY event stays in Redis while MySQL cannot apply it", async () => {
  const redis = new Redis("redis://127.0.0.1:6379", { lazyConnect: true });
  const key = `test:${crypto.randomUUID()}:NEW:SSHKEY`;
  try {
    await redis.connect();
    const { line } = await newKey();
    const event = JSON.stringify({ user: "ann", key: line });
    await redis.rpush(key, event);
    const away = () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:3306"));
    const store = { addKey: away, getKey: away, removeKey: away };
    await assert.rejects(
      takeKeyEvents(redis, { key, prefix: "test:", store, log: () => {} }),
      /ECONNREFUSED/,
    );
    assert.deepEqual(await redis.lrange(key, 0, -1), [event]);
  } finally {
    await redis.del(key);
    await redis.quit();
  }
});
