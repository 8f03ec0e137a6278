/**
 * MySQL over TLS: DATABASE_URL's `ssl` and `ssl-ca` parameters become mysql2's `ssl` option,
 * and the worker connects with them to a local MariaDB that accepts only TLS, its
 * certificate from a self-signed CA.
 */
import assert from "node:assert/strict";
import {
  createDatabaseIfMissing,
  migrate,
  openDb,
  parseDatabaseUrl,
  poolOptions,
} from "../lib/db.ts";
import { startMariadb } from "../testing/services.ts";
import { makeCertificates } from "../testing/tls.ts";
import { workerTaskFlags } from "../testing/worker_flags.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

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
      verifyIdentity: true,
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
    verifyIdentity: true,
  });
  assert.equal(poolOptions(parseDatabaseUrl("mysql://u@h/db?ssl=false")).ssl, undefined);
  assert.equal(poolOptions(parseDatabaseUrl("mysql://u@h/db")).ssl, undefined);
  assert.equal("tls" in parseDatabaseUrl("mysql://u@h/db"), false);
});

Deno.test("DATABASE_URL with TLS refuses an address for the host: the certificate's name could not be checked", () => {
  for (const host of ["10.0.0.5", "[::1]"]) {
    assert.throws(
      () => parseDatabaseUrl(`mysql://u@${host}:3306/db?ssl=true`),
      new RegExp(`with TLS the host must be the name on the server's certificate, not the address`),
    );
  }
  assert.equal(parseDatabaseUrl("mysql://u@10.0.0.5:3306/db").host, "10.0.0.5");
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

/** A MariaDB that refuses plain connections, its certificate for `names` only. */
async function withTlsMariadb(
  names: string[],
  body: (port: number, ca: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "dnsapi-db-tls-" });
  try {
    const certs = await makeCertificates(dir, names);
    const server = await startMariadb([
      `--ssl-cert=${certs.cert}`,
      `--ssl-key=${certs.key}`,
      `--ssl-ca=${certs.ca}`,
      "--require-secure-transport=ON",
    ]);
    try {
      await body(Number(new URL(server.url).port), certs.ca);
    } finally {
      await server.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("the worker's MySQL layer speaks TLS to a server that requires it, checking CA and name", async (t) => {
  await withTlsMariadb(["DNS:localhost"], async (port, ca) => {
    const url = `mysql://root@localhost:${port}/dnsapi_tls?ssl-ca=${ca}`;

    await t.step("?ssl-ca: database created, migrated and queried over TLS", async () => {
      await createDatabaseIfMissing(url);
      const db = await openDb(url);
      try {
        assert.notEqual((await migrate(db)).length, 0);
        const [rows] = await db.pool.query("SHOW SESSION STATUS LIKE 'Ssl_version'");
        const version = (rows as { Value?: string }[])[0]?.Value ?? "";
        assert.match(version, /^TLSv1\.[23]$/);
      } finally {
        await db.close();
      }
    });

    await t.step(
      "`migrate` of the worker binary's command line, under its permission flags",
      async () => {
        const out = await new Deno.Command(Deno.execPath(), {
          args: ["run", ...workerTaskFlags(), MAIN, "migrate"],
          env: { DATABASE_URL: url },
          stdout: "piped",
          stderr: "piped",
        }).output();
        const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
        assert.equal(out.code, 0, text);
      },
    );

    await t.step("without TLS the server refuses, and the error names where", async () => {
      await assert.rejects(
        openDb(`mysql://root@localhost:${port}/dnsapi_tls`),
        new RegExp(`Cannot connect to MySQL at localhost:${port} \\(database dnsapi_tls`),
      );
    });

    await t.step("?ssl=true: a certificate from an unknown CA is refused", async () => {
      await assert.rejects(
        openDb(`mysql://root@localhost:${port}/dnsapi_tls?ssl=true`),
        /Cannot connect to MySQL at localhost:\d+ .*certificate/,
      );
    });
  });
});

Deno.test("the worker's MySQL layer refuses a server whose certificate is for another name", async () => {
  await withTlsMariadb(["DNS:db.invalid", "IP:127.0.0.1"], async (port, ca) => {
    await assert.rejects(
      openDb(`mysql://root@localhost:${port}/dnsapi_tls?ssl-ca=${ca}`),
      /Cannot connect to MySQL at localhost:\d+ .*localhost.* not in the cert's altnames: DNS:db\.invalid/,
    );
  });
});
