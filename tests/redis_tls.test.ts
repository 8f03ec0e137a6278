/**
 * Managed Redis over TLS (`rediss://`, the CA from DNSAPI_REDIS_CA): the hook's RESP client
 * and the worker's ioredis, against a local TLS-only redis-server with a self-signed CA.
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { loadConfig } from "../lib/config.ts";
import { connectResp } from "../lib/queue.ts";
import { createContext, redisTls } from "../cli/context.ts";
import { hookSettings } from "../cli/user_cmds.ts";
import { freePort, waitForPort } from "../testing/services.ts";
import { makeCertificates } from "../testing/tls.ts";

const HOOK = new URL("../hook.ts", import.meta.url).pathname;

interface TlsRedis {
  dir: string;
  port: number;
  /** The CA's PEM file. */
  ca: string;
}

/**
 * A redis-server with no plain port, only TLS (client certificates not asked for), its
 * certificate for `names` (default localhost and 127.0.0.1).
 */
async function withTlsRedis(
  body: (redis: TlsRedis) => Promise<void>,
  names?: string[],
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "dnsapi-redis-tls-" });
  const certs = await makeCertificates(dir, names);
  const port = freePort();
  const server = new Deno.Command("redis-server", {
    args: [
      "--port",
      "0",
      "--tls-port",
      String(port),
      "--tls-cert-file",
      certs.cert,
      "--tls-key-file",
      certs.key,
      "--tls-ca-cert-file",
      certs.ca,
      "--tls-auth-clients",
      "no",
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
    ],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = server.output();
  try {
    await waitForPort(port, 10_000, "the TLS redis-server");
    await body({ dir, port, ca: certs.ca });
  } finally {
    server.kill("SIGTERM");
    await output;
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("connectResp() talks to a TLS-only Redis over rediss:// with the CA given", async () => {
  await withTlsRedis(async ({ port, ca }) => {
    const caCerts = [await Deno.readTextFile(ca)];
    const redis = await connectResp(`rediss://localhost:${port}/3`, { timeoutMs: 5000, caCerts });
    try {
      assert.deepEqual(await redis.send([["PING"], ["ECHO", "over tls"]]), ["PONG", "over tls"]);
    } finally {
      redis.close();
    }
  });
});

Deno.test("connectResp() refuses a rediss:// server whose certificate does not chain to a trusted CA", async () => {
  await withTlsRedis(async ({ port }) => {
    await assert.rejects(
      connectResp(`rediss://localhost:${port}`, { timeoutMs: 5000 }),
      /Cannot connect to Redis at localhost:\d+: .*(certificate|UnknownIssuer)/i,
    );
  });
});

Deno.test("both Redis clients refuse a rediss:// server whose certificate is for another name", async () => {
  await withTlsRedis(async ({ port, ca }) => {
    const pem = await Deno.readTextFile(ca);
    await assert.rejects(
      connectResp(`rediss://localhost:${port}`, { timeoutMs: 5000, caCerts: [pem] }),
      /Cannot connect to Redis at localhost:\d+: .*not valid for name "localhost"/,
    );
    const redis = new Redis(`rediss://localhost:${port}`, {
      tls: { ca: pem },
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    const errors: string[] = [];
    redis.on("error", (error: Error) => errors.push(error.message));
    try {
      await assert.rejects(redis.connect());
      assert.match(errors.join("\n"), /localhost.* not in the cert's altnames: DNS:redis\.invalid/);
    } finally {
      redis.disconnect();
    }
  }, ["DNS:redis.invalid"]);
});

Deno.test("a push through a TLS-only Redis is queued by the hook and answered by the worker's ioredis", async () => {
  await withTlsRedis(async ({ dir, port, ca }) => {
    const redisUrl = `rediss://localhost:${port}`;
    const reposRoot = `${dir}/repos`;
    const prefix = `test:${crypto.randomUUID()}:`;
    const env: Record<string, string> = {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: dir,
      DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_AUTHOR_NAME: "Test Pusher",
      GIT_AUTHOR_EMAIL: "pusher@example.test",
      GIT_COMMITTER_NAME: "Test Pusher",
      GIT_COMMITTER_EMAIL: "pusher@example.test",
      REDIS_URL: redisUrl,
      DNSAPI_REDIS_CA: ca,
      REPOS_ROOT: reposRoot,
      DNSAPI_KEY_PREFIX: prefix,
      DNS_API_HOOK_WAIT: "60",
    };
    const git = async (args: string[], cwd: string) => {
      const out = await new Deno.Command("git", {
        args,
        cwd,
        env,
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const decode = (b: Uint8Array) => new TextDecoder().decode(b);
      return { code: out.code, output: decode(out.stdout) + decode(out.stderr) };
    };
    const bare = `${reposRoot}/steve`;
    const work = `${dir}/work`;
    await Deno.mkdir(reposRoot);
    assert.equal((await git(["init", "-q", "--bare", "-b", "main", bare], dir)).code, 0);
    await Deno.writeTextFile(
      `${bare}/hooks/post-receive`,
      `#!/bin/sh\nexec '${Deno.execPath()}' run --allow-env --allow-read --allow-net ` +
        `--allow-run=git '${HOOK}' post-receive\n`,
    );
    await Deno.chmod(`${bare}/hooks/post-receive`, 0o755);
    assert.equal((await git(["init", "-q", "-b", "main", work], dir)).code, 0);
    await Deno.mkdir(`${work}/zones`);
    await Deno.writeTextFile(`${work}/zones/shop.test`, "www 300 IN A 192.0.2.1\n");
    await git(["add", "zones"], work);
    assert.equal((await git(["commit", "-q", "-m", "first zone"], work)).code, 0);

    const context = createContext(
      loadConfig({
        REDIS_URL: redisUrl,
        DNSAPI_REDIS_CA: ca,
        REPOS_ROOT: reposRoot,
        DNSAPI_KEY_PREFIX: prefix,
      }),
      { stdout: () => {}, stderr: () => {} },
    );
    try {
      const pushing = git(["push", "-q", bare, "main"], work);
      // Plays the worker over its own rediss:// connection: takes the job and answers it.
      const queue = context.queue();
      const reserved = await queue.reserve("tls-worker", 30_000);
      assert.ok(reserved, "the hook queued a job");
      await queue.complete(reserved, { lines: ["shop.test: +1 ~0 -0"] });
      const push = await pushing;
      assert.equal(push.code, 0, push.output);
      const queued = /^remote: dns-api: queued ([0-9a-f-]{36})\s*$/m.exec(push.output);
      assert.ok(queued, push.output);
      assert.deepEqual(reserved.uuids, [queued[1]]);
      assert.match(push.output, /^remote: dns-api: shop\.test: \+1 ~0 -0\s*$/m);
    } finally {
      await context.close();
    }
  });
});

Deno.test("the hook settings carry DNSAPI_REDIS_CA, and ioredis gets the CA only for rediss://", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dnsapi-redis-ca-" });
  try {
    const ca = `${dir}/ca.pem`;
    await Deno.writeTextFile(ca, "-----BEGIN CERTIFICATE-----\n…\n");
    const config = loadConfig({ REDIS_URL: "rediss://redis.internal:6380", DNSAPI_REDIS_CA: ca });
    assert.equal(hookSettings(config).DNSAPI_REDIS_CA, ca);
    assert.deepEqual(redisTls(config), { tls: { ca: "-----BEGIN CERTIFICATE-----\n…\n" } });
    assert.deepEqual(redisTls({ ...config, redisUrl: "redis://redis.internal:6379" }), {});
    assert.equal("DNSAPI_REDIS_CA" in hookSettings(loadConfig({})), false);
    assert.throws(
      () => redisTls({ ...config, redisCa: `${dir}/missing.pem` }),
      /Cannot read DNSAPI_REDIS_CA .*missing\.pem/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
