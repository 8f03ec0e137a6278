/**
 * The webhook receiver over real HTTP, real Redis and the real queue: deliveries signed
 * as each provider signs them, with bodies modelled on each provider's documented push
 * payload. The registered remotes are an in-memory WebhookUsers.
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import {
  createQueue,
  hmacSha256Hex,
  type Queue,
  type ReceiverDeps,
  redisDeliveryLog,
  startWebhookServer,
  type WebhookServer,
} from "../lib/queue.ts";

const REDIS_URL = "redis://127.0.0.1:6379";
const ROOT = "/srv/repos";
const SECRET = "whsec-steve-0123456789";
const AFTER = "bffeb74224043ba2feb48d137756c8a9331c449a";
const BEFORE = "28e1879d029cb852e4844d9c718537df08844e03";
const REMOTES = new Map([
  ["steve", { branch: "main", secret: SECRET }],
  ["alice", { branch: "prod", secret: "alice-secret" }],
]);

interface World {
  url: string;
  queue: Queue;
  redis: Redis;
}

async function withReceiver(
  options: Partial<ReceiverDeps>,
  body: (world: World) => Promise<void>,
): Promise<void> {
  const prefix = `test:${crypto.randomUUID()}:`;
  const redis = new Redis(REDIS_URL);
  const queue = createQueue(redis, { reposRoot: ROOT, prefix });
  const server: WebhookServer = startWebhookServer({
    port: 0,
    hostname: "127.0.0.1",
    deps: {
      users: { remoteOf: (user) => Promise.resolve(REMOTES.get(user) ?? null) },
      deliveries: redisDeliveryLog(redis, prefix),
      enqueue: (job) => queue.enqueue(job),
      reposRoot: ROOT,
      legacy: false,
      ...options,
    },
  });
  try {
    await body({ url: `http://127.0.0.1:${server.port}`, queue, redis });
  } finally {
    await server.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
}

// --- Bodies modelled on each provider's documented push payload ---------------------

function githubPush(ref: string, after = AFTER) {
  return {
    ref,
    before: BEFORE,
    after,
    created: false,
    deleted: false,
    forced: false,
    base_ref: null,
    compare: `https://github.com/steve/dns/compare/${BEFORE.slice(0, 12)}...${after.slice(0, 12)}`,
    commits: [{ id: after, message: "zones: add www", distinct: true }],
    head_commit: { id: after, message: "zones: add www" },
    repository: {
      id: 1296269,
      name: "dns",
      full_name: "steve/dns",
      clone_url: "https://github.com/steve/dns.git",
      ssh_url: "git@github.com:steve/dns.git",
      default_branch: "main",
    },
    pusher: { name: "steve", email: "steve@example.org" },
    sender: { login: "steve", id: 1 },
  };
}

function gitlabPush(ref: string) {
  return {
    object_kind: "push",
    event_name: "push",
    before: BEFORE,
    after: AFTER,
    ref,
    checkout_sha: AFTER,
    user_id: 4,
    user_name: "Steve",
    user_username: "steve",
    project_id: 15,
    project: {
      id: 15,
      name: "dns",
      path_with_namespace: "steve/dns",
      default_branch: "main",
      git_ssh_url: "git@gitlab.example.com:steve/dns.git",
      git_http_url: "https://gitlab.example.com/steve/dns.git",
    },
    commits: [{ id: AFTER, message: "zones: add www", title: "zones: add www" }],
    total_commits_count: 1,
    repository: { name: "dns", url: "git@gitlab.example.com:steve/dns.git" },
  };
}

function giteaPush(ref: string) {
  return {
    ref,
    before: BEFORE,
    after: AFTER,
    compare_url: `https://gitea.example.com/steve/dns/compare/${BEFORE}...${AFTER}`,
    commits: [{ id: AFTER, message: "zones: add www\n", url: "https://gitea.example.com/x" }],
    repository: {
      id: 140,
      name: "dns",
      full_name: "steve/dns",
      clone_url: "https://gitea.example.com/steve/dns.git",
      ssh_url: "git@gitea.example.com:steve/dns.git",
      default_branch: "main",
    },
    pusher: { login: "steve" },
    sender: { login: "steve" },
  };
}

function bitbucketPush(...changes: { type: "branch" | "tag"; name: string }[]) {
  return {
    actor: { display_name: "Steve", uuid: "{58e8bb1e-704e-4239-b082-b4ceaf8cc369}" },
    repository: {
      full_name: "steve/dns",
      name: "dns",
      scm: "git",
      links: { html: { href: "https://bitbucket.org/steve/dns" } },
    },
    push: {
      changes: changes.map((c) => ({
        forced: false,
        created: false,
        closed: false,
        old: { type: c.type, name: c.name, target: { type: "commit", hash: BEFORE } },
        new: { type: c.type, name: c.name, target: { type: "commit", hash: AFTER } },
        commits: [{ hash: AFTER, message: "zones: add www\n" }],
      })),
    },
  };
}

// --- Requests signed as each provider signs them ----------------------------------

type Provider = "github" | "gitlab" | "gitea" | "forgejo" | "bitbucket";

interface Send {
  user?: string;
  event?: string;
  delivery?: string;
  /** The secret to sign with; null sends no signature at all. */
  secret?: string | null;
  method?: string;
  path?: string;
  body?: string | Uint8Array<ArrayBuffer>;
  contentType?: string;
}

async function send(world: World, provider: Provider, payload: unknown, o: Send = {}) {
  const body = o.body ?? JSON.stringify(payload);
  const raw = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const secret = o.secret === undefined ? SECRET : o.secret;
  const sig = secret === null ? undefined : await hmacSha256Hex(secret, raw);
  const delivery = o.delivery ?? crypto.randomUUID();
  const headers: Record<string, string> = { "Content-Type": o.contentType ?? "application/json" };
  switch (provider) {
    case "github":
      headers["X-GitHub-Event"] = o.event ?? "push";
      headers["X-GitHub-Delivery"] = delivery;
      if (sig) headers["X-Hub-Signature-256"] = `sha256=${sig}`;
      break;
    case "gitlab":
      headers["X-Gitlab-Event"] = o.event ?? "Push Hook";
      headers["X-Gitlab-Event-UUID"] = delivery;
      if (secret !== null) headers["X-Gitlab-Token"] = secret;
      break;
    case "gitea":
    case "forgejo": {
      // Gitea also sends GitHub's headers; Forgejo also sends Gitea's.
      const names = provider === "forgejo" ? ["Forgejo", "Gitea"] : ["Gitea"];
      for (const name of names) {
        headers[`X-${name}-Event`] = o.event ?? "push";
        headers[`X-${name}-Delivery`] = delivery;
        if (sig) headers[`X-${name}-Signature`] = sig;
      }
      headers["X-GitHub-Event"] = o.event ?? "push";
      break;
    }
    case "bitbucket":
      headers["X-Event-Key"] = o.event ?? "repo:push";
      headers["X-Request-UUID"] = delivery;
      if (sig) headers["X-Hub-Signature"] = `sha256=${sig}`;
      break;
  }
  const response = await fetch(`${world.url}${o.path ?? `/webhooks/${o.user ?? "steve"}`}`, {
    method: o.method ?? "POST",
    headers,
    body: raw,
  });
  return { status: response.status, json: await response.json() as Record<string, string> };
}

const PUSHES: [Provider, unknown][] = [
  ["github", githubPush("refs/heads/main")],
  ["gitlab", gitlabPush("refs/heads/main")],
  ["gitea", giteaPush("refs/heads/main")],
  ["forgejo", giteaPush("refs/heads/main")],
  ["bitbucket", bitbucketPush({ type: "branch", name: "main" })],
];

async function queuedJob(world: World, uuid: string): Promise<Record<string, unknown>> {
  const json = await world.redis.hget(world.queue.keys.job(uuid), "json");
  assert.ok(json, `job ${uuid} is not in the queue`);
  return JSON.parse(json);
}

// --- The specification ---------------------------------------------------------------

Deno.test("a signed push to the registered branch is queued as a job, for every provider", async () => {
  await withReceiver({}, async (world) => {
    for (const [provider, payload] of PUSHES) {
      const { status, json } = await send(world, provider, payload);
      assert.equal(status, 202, `${provider}: ${JSON.stringify(json)}`);
      const job = await queuedJob(world, json.queued!);
      assert.equal(job.user, "steve");
      assert.equal(
        job.repo,
        "/srv/repos/steve",
        "the job names our repository, not the payload's URL",
      );
      assert.equal(job.ref, "refs/heads/main");
      assert.equal(job.after, AFTER);
      assert.equal(await world.queue.jobState(json.queued!), "queued");
    }
  });
});

Deno.test("a forged or missing signature or token is refused with 401 and queues nothing", async () => {
  await withReceiver({}, async (world) => {
    for (const [provider, payload] of PUSHES) {
      const forged = await send(world, provider, payload, { secret: "not-the-secret" });
      assert.equal(forged.status, 401, provider);
      const missing = await send(world, provider, payload, { secret: null });
      assert.equal(missing.status, 401, provider);
    }
    // Another user's secret does not sign for steve.
    const other = await send(world, "github", githubPush("refs/heads/main"), {
      secret: "alice-secret",
    });
    assert.equal(other.status, 401);
    assert.equal((await world.queue.stats()).queuedJobs, 0);
  });
});

Deno.test("a replayed delivery answers 200 duplicate with the first job and queues nothing", async () => {
  await withReceiver({}, async (world) => {
    for (const [provider, payload] of PUSHES) {
      const delivery = crypto.randomUUID();
      const first = await send(world, provider, payload, { delivery });
      assert.equal(first.status, 202);
      const again = await send(world, provider, payload, { delivery });
      assert.deepEqual(again, { status: 200, json: { duplicate: first.json.queued } });
    }
    // Two copies at once: one job.
    const delivery = crypto.randomUUID();
    const both = await Promise.all(
      [1, 2].map(() => send(world, "github", githubPush("refs/heads/main"), { delivery })),
    );
    assert.deepEqual(both.map((r) => r.status).sort(), [200, 202]);
    assert.equal((await world.queue.stats()).queuedJobs, PUSHES.length + 1);
  });
});

Deno.test("another branch, a tag, a deleted branch and a ping are ignored with 200 and the reason", async () => {
  await withReceiver({}, async (world) => {
    const cases: [Provider, unknown, Send, string][] = [
      [
        "github",
        githubPush("refs/heads/dev"),
        {},
        "refs/heads/dev is not the registered branch main",
      ],
      [
        "gitlab",
        gitlabPush("refs/heads/dev"),
        {},
        "refs/heads/dev is not the registered branch main",
      ],
      [
        "gitea",
        giteaPush("refs/heads/dev"),
        {},
        "refs/heads/dev is not the registered branch main",
      ],
      [
        "bitbucket",
        bitbucketPush({ type: "branch", name: "dev" }),
        {},
        "dev is not the registered branch main",
      ],
      ["github", githubPush("refs/tags/v1"), {}, "tag v1 is not the branch main"],
      ["gitea", giteaPush("refs/tags/v1"), {}, "tag v1 is not the branch main"],
      [
        "gitlab",
        gitlabPush("refs/tags/v1"),
        { event: "Tag Push Hook" },
        "a tag push is not the branch main",
      ],
      [
        "bitbucket",
        bitbucketPush({ type: "tag", name: "v1" }),
        {},
        "a tag push is not the branch main",
      ],
      ["github", githubPush("refs/heads/main", "0".repeat(40)), {}, "branch main was deleted"],
      ["github", { zen: "Design for failure.", hook_id: 1, hook: { type: "Repository" } }, {
        event: "ping",
      }, "ping"],
      ["github", { action: "opened" }, { event: "issues" }, 'event "issues" is not a push'],
    ];
    for (const [provider, payload, options, why] of cases) {
      const { status, json } = await send(world, provider, payload, options);
      assert.deepEqual({ status, json }, { status: 200, json: { ignored: why } }, provider);
    }
    // alice deploys prod: her main is another branch.
    const alice = await send(world, "github", githubPush("refs/heads/main"), {
      user: "alice",
      secret: "alice-secret",
    });
    assert.deepEqual(alice.json, { ignored: "refs/heads/main is not the registered branch prod" });
    assert.equal((await world.queue.stats()).queuedJobs, 0);
  });
});

Deno.test("a body over 1 MiB is refused with 413, also when it is streamed without a length", async () => {
  await withReceiver({}, async (world) => {
    const big = new Uint8Array(1024 * 1024 + 1).fill(0x20);
    const declared = await send(world, "github", null, { body: big });
    assert.equal(declared.status, 413);
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 2 * 1024 * 1024) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const response = await fetch(`${world.url}/webhooks/steve`, {
      method: "POST",
      headers: { "X-GitHub-Event": "push", "Content-Type": "application/json" },
      body: stream,
    });
    assert.equal(response.status, 413);
    await response.body?.cancel();
    assert.equal((await world.queue.stats()).queuedJobs, 0);
  });
});

Deno.test("other methods answer 405, unknown users and users without a remote 404, bad bodies 400", async () => {
  await withReceiver({}, async (world) => {
    const get = await fetch(`${world.url}/webhooks/steve`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get("allow"), "POST");
    await get.body?.cancel();
    const put = await send(world, "github", githubPush("refs/heads/main"), { method: "PUT" });
    assert.equal(put.status, 405);
    for (const user of ["nobody", "Steve", "..", "a%2Fb"]) {
      const r = await send(world, "github", githubPush("refs/heads/main"), { user });
      assert.equal(r.status, 404, user);
    }
    const root = await send(world, "github", githubPush("refs/heads/main"), { path: "/steve" });
    assert.equal(root.status, 404, "POST /<user> is only there in legacy mode");
    const notJson = await send(world, "github", null, { body: "ref=refs/heads/main" });
    assert.equal(notJson.status, 400);
    const form = await send(world, "github", null, {
      body: `payload=${encodeURIComponent(JSON.stringify(githubPush("refs/heads/main")))}`,
      contentType: "application/x-www-form-urlencoded",
    });
    assert.equal(form.status, 400);
    assert.match(form.json.error!, /content type to JSON/);
    const notPush = await send(world, "bitbucket", githubPush("refs/heads/main"));
    assert.equal(notPush.status, 400);
    const noDelivery = await fetch(`${world.url}/webhooks/steve`, {
      method: "POST",
      headers: { "X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": SECRET },
      body: JSON.stringify(gitlabPush("refs/heads/main")),
    });
    assert.equal(noDelivery.status, 400);
    await noDelivery.body?.cancel();
    const noProvider = await fetch(`${world.url}/webhooks/steve`, { method: "POST", body: "{}" });
    assert.equal(noProvider.status, 400);
    await noProvider.body?.cancel();
    assert.equal((await world.queue.stats()).queuedJobs, 0);
  });
});

Deno.test("a burst of 10 deliveries for one user coalesces into one pending sync", async () => {
  await withReceiver({}, async (world) => {
    const answers = await Promise.all(
      Array.from(
        { length: 10 },
        (_, i) => send(world, PUSHES[i % PUSHES.length]![0], PUSHES[i % PUSHES.length]![1]),
      ),
    );
    assert.deepEqual(answers.map((a) => a.status), Array(10).fill(202));
    const stats = await world.queue.stats();
    assert.equal(stats.readyUsers, 1, "one user waits for one sync");
    assert.equal(stats.queuedJobs, 10);
    const reservation = await world.queue.reserve("test-worker", 1000);
    assert.ok(reservation);
    assert.equal(reservation.user, "steve");
    assert.deepEqual(
      new Set(reservation.uuids),
      new Set(answers.map((a) => a.json.queued)),
      "one sync covers all ten",
    );
    assert.equal(await world.queue.reserve("test-worker-2", 50), null);
  });
});

Deno.test("a delivery whose job cannot be queued answers 503 and is taken when the provider retries", async () => {
  let failing = true;
  const prefix = `test:${crypto.randomUUID()}:`;
  const redis = new Redis(REDIS_URL);
  const queue = createQueue(redis, { reposRoot: ROOT, prefix });
  try {
    await withReceiver({
      enqueue: (job) => failing ? Promise.reject(new Error("Redis is down")) : queue.enqueue(job),
    }, async (world) => {
      const delivery = crypto.randomUUID();
      const first = await send(world, "github", githubPush("refs/heads/main"), { delivery });
      assert.equal(first.status, 503);
      failing = false;
      const retry = await send(world, "github", githubPush("refs/heads/main"), { delivery });
      assert.equal(retry.status, 202);
      assert.equal(await queue.jobState(retry.json.queued!), "queued");
    });
  } finally {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
});

Deno.test("legacy mode takes unsigned POST /<user> from GitHub, GitBucket and Bitbucket, for registered remotes only", async () => {
  await withReceiver({ legacy: true }, async (world) => {
    const github = await send(world, "github", githubPush("refs/heads/main"), {
      path: "/steve",
      secret: null,
    });
    assert.equal(github.status, 202);
    // GitBucket: GitHub's headers and payload, often form-encoded, no delivery id needed.
    const gitbucket = await fetch(`${world.url}/steve`, {
      method: "POST",
      headers: { "X-Github-Event": "push", "Content-Type": "application/x-www-form-urlencoded" },
      body: `payload=${encodeURIComponent(JSON.stringify(githubPush("refs/heads/main")))}`,
    });
    assert.equal(gitbucket.status, 202);
    await gitbucket.body?.cancel();
    const bitbucket = await send(
      world,
      "bitbucket",
      bitbucketPush({ type: "branch", name: "main" }),
      {
        path: "/steve",
        secret: null,
      },
    );
    assert.equal(bitbucket.status, 202);
    const branch = await send(world, "github", githubPush("refs/heads/dev"), {
      path: "/steve",
      secret: null,
    });
    assert.equal(branch.status, 200, "the registered branch still decides");
    const noRemote = await send(world, "github", githubPush("refs/heads/main"), {
      path: "/bob",
      secret: null,
    });
    assert.equal(noRemote.status, 404);
    const gitlab = await send(world, "gitlab", gitlabPush("refs/heads/main"), {
      path: "/steve",
      secret: null,
    });
    assert.equal(gitlab.status, 400, "GitLab was never a legacy provider");
    // The signed endpoint still wants its signature.
    const unsigned = await send(world, "github", githubPush("refs/heads/main"), { secret: null });
    assert.equal(unsigned.status, 401);
    const stats = await world.queue.stats();
    assert.equal(stats.queuedJobs, 3);
  });
});
