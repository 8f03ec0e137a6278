/**
 * The operator's daily commands through `main.ts` (testing/world.ts): `user list [--json]`,
 * `dead list [--json]` and `dead retry UUID`, which queues a dead job again and takes it
 * off the dead list in one step.
 */
import { deepStrictEqual as eq, match, ok } from "node:assert/strict";
import { createQueue } from "../lib/queue.ts";
import { createWorld, type World } from "../testing/world.ts";

Deno.test("user list prints every account, as a table and as JSON", async () => {
  const world = await createWorld();
  try {
    eq((await world.cli(["user", "list"])).stdout, "no users\n");
    await world.addUser("bob");
    await world.addUser("alice");
    eq((await world.cli(["user", "ban", "bob"])).code, 0);
    const json = await world.cli(["user", "list", "--json"]);
    eq(json.code, 0, json.stderr);
    const users = JSON.parse(json.stdout) as { name: string; status: string; expiresAt: null }[];
    eq(users.map((u) => [u.name, u.status, u.expiresAt]), [
      ["alice", "active", null],
      ["bob", "banned", null],
    ]);
    const text = await world.cli(["user", "list"]);
    const lines = text.stdout.trimEnd().split("\n");
    match(lines[0]!, /^USER\s+STATUS\s+EXPIRES\s+CREATED$/);
    match(lines[1]!, /^alice\s+active\s+-\s+\d{4}-/);
    match(lines[2]!, /^bob\s+banned\s+-\s+\d{4}-/);
  } finally {
    await world.close();
  }
});

/** Queues a job of `user` and fails it for good, as a worker does; returns its uuid. */
async function deadJob(world: World, user: string, reason: string): Promise<string> {
  const queue = createQueue(world.redis, {
    reposRoot: world.reposRoot,
    prefix: world.prefix,
    legacyKey: world.legacyKey,
  });
  const uuid = crypto.randomUUID();
  const job = {
    uuid,
    user,
    repo: `${world.reposRoot}/${user}`,
    queuedAt: new Date().toISOString(),
  };
  eq(await queue.enqueue(job), true);
  const r = await queue.reserve("test", 2000);
  ok(r, "reserved");
  eq(await queue.fail(r, reason), true);
  return uuid;
}

Deno.test("dead list shows the dead jobs; dead retry queues one again, once", async (t) => {
  const world = await createWorld();
  try {
    eq((await world.cli(["dead", "list"])).stdout, "the dead list is empty\n");
    await world.addUser("alice");
    const uuid = await deadJob(world, "alice", "git fetch: repository\u001b[31m gone");

    await t.step("dead list", async () => {
      const json = await world.cli(["dead", "list", "--json"]);
      eq(json.code, 0, json.stderr);
      const [entry, ...rest] = JSON.parse(json.stdout);
      eq(rest, []);
      eq([entry.uuid, entry.user, entry.job.uuid], [uuid, "alice", uuid]);
      const text = await world.cli(["dead", "list"]);
      match(text.stdout, /^UUID\s+USER\s+FAILED\s+ATTEMPTS\s+REASON\n/);
      ok(text.stdout.includes(uuid), text.stdout);
      ok(!text.stdout.includes("\u001b"), "control bytes of a reason are escaped");
    });

    await t.step("dead retry: queued again, off the dead list", async () => {
      const r = await world.cli(["dead", "retry", uuid]);
      eq(r.code, 0, r.stderr);
      eq(JSON.parse((await world.cli(["dead", "list", "--json"])).stdout), []);
      eq(await world.redis.hget(`${world.prefix}job:${uuid}`, "state"), "queued");
      ok((await world.redis.lrange(`${world.prefix}pending:alice`, 0, -1)).includes(uuid));
    });

    await t.step("a second retry, or an unknown uuid: 1, nothing queued twice", async () => {
      const again = await world.cli(["dead", "retry", uuid]);
      eq(again.code, 1);
      match(again.stderr, /not in the dead list/);
      const unknown = await world.cli(["dead", "retry", crypto.randomUUID()]);
      eq(unknown.code, 1);
      match(unknown.stderr, /not in the dead list/);
      eq((await world.cli(["dead", "retry", "nope"])).code, 2);
      eq(await world.redis.lrange(`${world.prefix}pending:alice`, 0, -1), [uuid]);
    });

    await t.step("a retried job is synced by the worker", async () => {
      const worker = world.startWorker({ args: ["--until-idle"] });
      eq((await worker.status).code, 0, worker.output());
      eq((await world.waitFinal(uuid)).status, "succeeded");
      eq(await world.redis.exists(`${world.prefix}job:${uuid}`), 0);
    });
  } finally {
    await world.close();
  }
});

Deno.test("two retries of one dead entry at once queue it once; a queued uuid is not retried", async () => {
  const world = await createWorld();
  try {
    await world.addUser("alice");
    const uuid = await deadJob(world, "alice", "gave up");
    const [raw] = await world.redis.lrange(`${world.prefix}dead`, 0, 0);
    // Two connections, as two operators' commands would have.
    const clients = [world.redis.duplicate(), world.redis.duplicate()];
    const [a, b] = clients.map((client) =>
      createQueue(client, {
        reposRoot: world.reposRoot,
        prefix: world.prefix,
        legacyKey: world.legacyKey,
      })
    ) as [ReturnType<typeof createQueue>, ReturnType<typeof createQueue>];
    const answers = await Promise.all([a.retryDead(uuid), b.retryDead(uuid)]);
    eq(answers.filter((x) => x === "queued").length, 1, answers.join(","));
    eq(await world.redis.lrange(`${world.prefix}pending:alice`, 0, -1), [uuid]);
    eq(await world.redis.llen(`${world.prefix}dead`), 0);
    // An entry whose job is queued again (say, by a push) stays dead until it is not.
    await world.redis.lpush(`${world.prefix}dead`, raw!);
    eq(await a.retryDead(uuid), "busy");
    eq(await world.redis.llen(`${world.prefix}dead`), 1);
    for (const client of clients) client.disconnect();
  } finally {
    await world.close();
  }
});
