/** MySQL over TLS: DATABASE_URL's `ssl` and `ssl-ca` parameters become mysql2's `ssl` option. */
import assert from "node:assert/strict";
import { parseDatabaseUrl, poolOptions } from "../lib/db.ts";

Deno.test("DATABASE_URL ?ssl-ca=/path gives mysql2 ssl with that CA and the certificate checked", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dnsapi-db-ca-" });
  try {
    const ca = `${dir}/ca.pem`;
    await Deno.writeTextFile(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n");
    const target = parseDatabaseUrl(`mysql://dns:pw@db.internal:3306/dnsapi?ssl-ca=${ca}`);
    assert.deepEqual(target.tls, { caFile: ca });
    const options = poolOptions(target);
    assert.deepEqual(options.ssl, {
      rejectUnauthorized: true,
      ca: "-----BEGIN CERTIFICATE-----\nMIIB\n",
    });
    assert.equal(options.host, "db.internal");
    assert.equal(options.database, "dnsapi");
    assert.throws(
      () => poolOptions(parseDatabaseUrl(`mysql://u@h/db?ssl-ca=${dir}/missing.pem`)),
      /Cannot read the DATABASE_URL ssl-ca file .*missing\.pem/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("DATABASE_URL ?ssl=true gives mysql2 ssl against the system's roots; no parameter, no TLS", () => {
  assert.deepEqual(poolOptions(parseDatabaseUrl("mysql://u@h/db?ssl=true")).ssl, {
    rejectUnauthorized: true,
  });
  assert.equal(poolOptions(parseDatabaseUrl("mysql://u@h/db?ssl=false")).ssl, undefined);
  assert.equal(poolOptions(parseDatabaseUrl("mysql://u@h/db")).ssl, undefined);
  assert.equal("tls" in parseDatabaseUrl("mysql://u@h/db"), false);
});

Deno.test("DATABASE_URL refuses unknown parameters, a relative ssl-ca and an unclear ssl value", () => {
  assert.throws(
    () => parseDatabaseUrl("mysql://u@h/db?sslmode=require"),
    /unknown parameter "sslmode"/,
  );
  assert.throws(
    () => parseDatabaseUrl("mysql://u@h/db?ssl-ca=ca.pem"),
    /ssl-ca must be an absolute path/,
  );
  assert.throws(
    () => parseDatabaseUrl("mysql://u@h/db?ssl=maybe"),
    /ssl=maybe is not true or false/,
  );
});
