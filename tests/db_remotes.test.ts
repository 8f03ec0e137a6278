import assert from "node:assert/strict";
import mysql from "mysql2/promise";
import { createDatabaseIfMissing, migrate, type MysqlDb, openDb } from "../lib/db.ts";

const ROOT_URL = "mysql://root@127.0.0.1:3306";

/** A fresh, migrated database with user steve; dropped afterwards. */
async function withDb(fn: (db: MysqlDb) => Promise<void>) {
  const name = `dnsapi_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  await createDatabaseIfMissing(`${ROOT_URL}/${name}`);
  const db = await openDb(`${ROOT_URL}/${name}`);
  try {
    await migrate(db);
    await db.addUser("steve");
    await fn(db);
  } finally {
    await db.close();
    const conn = await mysql.createConnection({ host: "127.0.0.1", user: "root" });
    try {
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
    } finally {
      await conn.end();
    }
  }
}

const REMOTE = {
  url: "https://github.com/steve/zones.git",
  branch: "main",
  auth: "token" as const,
  credential: "ghp_secret",
};

Deno.test("a user without a registered remote has none", async () => {
  await withDb(async (db) => {
    assert.equal(await db.getRemote("steve"), null);
    assert.equal(await db.clearRemote("steve"), false);
    assert.equal(await db.rotateWebhookSecret("steve"), null);
  });
});

Deno.test("setRemote stores the remote with a new 64-hex-digit webhook secret", async () => {
  await withDb(async (db) => {
    const { remote, newSecret } = await db.setRemote("steve", REMOTE);
    assert.equal(newSecret, true);
    assert.match(remote.webhookSecret, /^[0-9a-f]{64}$/);
    assert.deepEqual(
      { ...REMOTE, user: "steve", webhookSecret: remote.webhookSecret },
      {
        url: remote.url,
        branch: remote.branch,
        auth: remote.auth,
        credential: remote.credential,
        user: remote.user,
        webhookSecret: remote.webhookSecret,
      },
    );
    assert.deepEqual(await db.getRemote("steve"), remote);
  });
});

Deno.test("replacing a remote keeps its webhook secret; rotating makes a new one", async () => {
  await withDb(async (db) => {
    const first = await db.setRemote("steve", REMOTE);
    const second = await db.setRemote("steve", {
      url: "git@gitlab.com:steve/zones.git",
      branch: "dns",
      auth: "none",
      credential: null,
    });
    assert.equal(second.newSecret, false);
    assert.equal(second.remote.webhookSecret, first.remote.webhookSecret);
    assert.equal(second.remote.url, "git@gitlab.com:steve/zones.git");
    assert.equal(second.remote.credential, null);
    const rotated = await db.rotateWebhookSecret("steve");
    assert.match(rotated ?? "", /^[0-9a-f]{64}$/);
    assert.notEqual(rotated, first.remote.webhookSecret);
    assert.equal((await db.getRemote("steve"))?.webhookSecret, rotated);
  });
});

Deno.test("clearRemote deletes the remote", async () => {
  await withDb(async (db) => {
    await db.setRemote("steve", REMOTE);
    assert.equal(await db.clearRemote("steve"), true);
    assert.equal(await db.getRemote("steve"), null);
  });
});

Deno.test("setRemote refuses an unknown user and a credential that does not fit the auth", async () => {
  await withDb(async (db) => {
    await assert.rejects(db.setRemote("nobody", REMOTE), RangeError);
    await assert.rejects(
      db.setRemote("steve", { ...REMOTE, auth: "none" }),
      /takes no credential/,
    );
    await assert.rejects(
      db.setRemote("steve", { ...REMOTE, auth: "deploy-key", credential: null }),
      /needs a credential/,
    );
    assert.equal(await db.getRemote("steve"), null);
  });
});
