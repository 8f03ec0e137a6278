import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { parseJob } from "../lib/queue.ts";
import { createQueue } from "../lib/queue.ts";

const REDIS_URL = "redis://127.0.0.1:6379";
const HOOK = new URL("../hook.ts", import.meta.url).pathname;

interface PushWorld {
  root: string;
  reposRoot: string;
  prefix: string;
  redis: Redis;
  /** Runs git with the pusher's hermetic environment plus `extra`. */
  git(args: string[], cwd: string, extra?: Record<string, string>): Promise<GitRun>;
  /** A bare REPOS_ROOT/steve with the hook installed, and a clone with one commit. */
  setup(): Promise<{ work: string; bare: string; head: string }>;
}

interface GitRun {
  code: number;
  output: string;
}

/** Temp repositories and a Redis prefix of their own, removed afterwards. */
async function withPushWorld(body: (world: PushWorld) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "dnsapi-hook-" });
  const prefix = `test:${crypto.randomUUID()}:`;
  const redis = new Redis(REDIS_URL);
  const home = `${root}/home`;
  await Deno.mkdir(home);
  const baseEnv: Record<string, string> = {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: home,
    // The hook's Deno keeps using the machine's module cache despite the test HOME.
    DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "Test Pusher",
    GIT_AUTHOR_EMAIL: "pusher@example.test",
    GIT_COMMITTER_NAME: "Test Pusher",
    GIT_COMMITTER_EMAIL: "pusher@example.test",
    REDIS_URL,
    REPOS_ROOT: `${root}/repos`,
    DNSAPI_KEY_PREFIX: prefix,
    DNS_API_HOOK_WAIT: "0",
  };
  const world: PushWorld = {
    root,
    reposRoot: `${root}/repos`,
    prefix,
    redis,
    async git(args, cwd, extra = {}) {
      const out = await new Deno.Command("git", {
        args,
        cwd,
        env: { ...baseEnv, ...extra },
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const decode = (b: Uint8Array) => new TextDecoder().decode(b);
      return { code: out.code, output: decode(out.stdout) + decode(out.stderr) };
    },
    async setup() {
      const bare = `${root}/repos/steve`;
      const work = `${root}/work`;
      await Deno.mkdir(`${root}/repos`);
      assert.equal((await world.git(["init", "-q", "--bare", "-b", "main", bare], root)).code, 0);
      await Deno.writeTextFile(
        `${bare}/hooks/post-receive`,
        `#!/bin/sh\nexec '${Deno.execPath()}' run --allow-env --allow-read --allow-net ` +
          `--allow-run=git '${HOOK}' post-receive\n`,
      );
      await Deno.chmod(`${bare}/hooks/post-receive`, 0o755);
      assert.equal((await world.git(["init", "-q", "-b", "main", work], root)).code, 0);
      await Deno.mkdir(`${work}/zones`);
      await Deno.writeTextFile(`${work}/zones/shop.test`, "www 300 IN A 192.0.2.1\n");
      await world.git(["add", "zones"], work);
      assert.equal((await world.git(["commit", "-q", "-m", "first zone"], work)).code, 0);
      const head = (await world.git(["rev-parse", "HEAD"], work)).output.trim();
      return { work, bare, head };
    },
  };
  try {
    await body(world);
  } finally {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await Deno.remove(root, { recursive: true });
  }
}

function queuedUuid(output: string): string {
  const m = /^remote: dns-api: queued ([0-9a-f-]{36})\s*$/m.exec(output);
  assert.ok(m, `no "remote: dns-api: queued <uuid>" line in:\n${output}`);
  return m[1]!;
}

Deno.test("a git push through the installed hook queues a job and says so as remote: dns-api: queued <uuid>", async () => {
  await withPushWorld(async ({ git, setup, redis, prefix, reposRoot }) => {
    const { work, bare, head } = await setup();
    const push = await git(["push", "-q", bare, "main"], work);
    assert.equal(push.code, 0, push.output);
    const uuid = queuedUuid(push.output);
    assert.match(
      push.output,
      new RegExp(`^remote: dns-api: read the result later with: logs ${uuid}`, "m"),
    );
    assert.deepEqual(await redis.lrange(`${prefix}pending:steve`, 0, -1), [uuid]);
    assert.equal(await redis.hget(`${prefix}job:${uuid}`, "state"), "queued");
    const parsed = parseJob(await redis.hget(`${prefix}job:${uuid}`, "json") ?? "", reposRoot);
    assert.ok(parsed.ok, parsed.ok ? "" : parsed.reason);
    assert.equal(parsed.job.user, "steve");
    assert.equal(parsed.job.repo, `${reposRoot}/steve`);
    assert.equal(parsed.job.ref, "refs/heads/main");
    assert.equal(parsed.job.after, head);
  });
});

Deno.test("with DNS_API_HOOK_WAIT the push output carries the job's per-zone result", async () => {
  await withPushWorld(async ({ git, setup, redis, prefix, reposRoot }) => {
    const { work, bare } = await setup();
    const pushing = git(["push", "-q", bare, "main"], work, { DNS_API_HOOK_WAIT: "60" });
    const queue = createQueue(redis, { reposRoot, prefix, legacyKey: `${prefix}HOOK:JOBS` });
    // Plays the worker: waits for the hook's job and finishes it with a summary.
    const r = await queue.reserve("test-worker", 30_000);
    assert.ok(r, "the hook queued a job");
    await queue.complete(r, { lines: ["shop.test: +3 ~1 -2"] });
    const push = await pushing;
    assert.equal(push.code, 0, push.output);
    const uuid = queuedUuid(push.output);
    assert.deepEqual(r.uuids, [uuid]);
    assert.match(push.output, /^remote: dns-api: shop\.test: \+3 ~1 -2\s*$/m);
    assert.match(push.output, new RegExp(`^remote: dns-api: job ${uuid} succeeded`, "m"));
  });
});

Deno.test("DNSAPI_HOOK_WAIT is the wait too, and wins over the old DNS_API_HOOK_WAIT", async () => {
  await withPushWorld(async ({ git, setup, redis, prefix, reposRoot }) => {
    const { work, bare } = await setup();
    // The old name says 0 (the world's default): the new one's 60 decides.
    const pushing = git(["push", "-q", bare, "main"], work, { DNSAPI_HOOK_WAIT: "60" });
    const queue = createQueue(redis, { reposRoot, prefix, legacyKey: `${prefix}HOOK:JOBS` });
    const r = await queue.reserve("test-worker", 30_000);
    assert.ok(r, "the hook queued a job");
    await queue.complete(r, { lines: ["shop.test: +1"] });
    const push = await pushing;
    assert.equal(push.code, 0, push.output);
    assert.match(push.output, /^remote: dns-api: shop\.test: \+1\s*$/m);
  });
});

Deno.test("when no result comes within DNS_API_HOOK_WAIT the push says how to read it later", async () => {
  await withPushWorld(async ({ git, setup }) => {
    const { work, bare } = await setup();
    const push = await git(["push", "-q", bare, "main"], work, { DNS_API_HOOK_WAIT: "1" });
    assert.equal(push.code, 0, push.output);
    const uuid = queuedUuid(push.output);
    assert.match(
      push.output,
      new RegExp(`^remote: dns-api: read the result later with: logs ${uuid}`, "m"),
    );
    assert.match(push.output, /^remote: dns-api: queued, waiting for a worker\s*$/m);
    assert.doesNotMatch(push.output, /still working/);
  });
});

Deno.test("with Redis down the push still lands and the pusher is told DNS was not updated", async () => {
  await withPushWorld(async ({ git, setup }) => {
    const { work, bare, head } = await setup();
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const closedPort = listener.addr.port;
    listener.close();
    const push = await git(["push", "-q", bare, "main"], work, {
      REDIS_URL: `redis://127.0.0.1:${closedPort}`,
      DNSAPI_CONTACT: "support@dns.example",
    });
    assert.equal(push.code, 0, "post-receive cannot undo a push");
    assert.match(push.output, /remote: dns-api: your push is stored, but DNS was NOT updated yet/);
    assert.match(push.output, /contact support@dns.example/);
    assert.doesNotMatch(push.output, /queued/);
    assert.equal((await git(["rev-parse", "main"], bare)).output.trim(), head);
  });
});
