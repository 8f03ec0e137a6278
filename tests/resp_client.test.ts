import assert from "node:assert/strict";
import { connectResp, decodeReply, encodeCommand, parseRedisUrl, RespError } from "../lib/queue.ts";

const REDIS_URL = "redis://127.0.0.1:6379";
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("encodeCommand() writes an array of bulk strings, counting bytes not characters", () => {
  assert.equal(text(encodeCommand(["SET", "k", "é"])), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n");
  assert.equal(text(encodeCommand(["PING"])), "*1\r\n$4\r\nPING\r\n");
});

Deno.test("decodeReply() reads every RESP2 type, nested arrays and nulls", () => {
  const wire = "*6\r\n+OK\r\n-ERR no\r\n:42\r\n$5\r\nh\r\nlo\r\n$-1\r\n*2\r\n*0\r\n*-1\r\n";
  const decoded = decodeReply(bytes(wire));
  assert.ok(decoded);
  assert.equal(decoded.next, bytes(wire).length);
  assert.ok(Array.isArray(decoded.reply));
  const [ok, err, n, bulk, nil, nested] = decoded.reply;
  assert.deepEqual([ok, n, bulk, nil, nested], ["OK", 42, "h\r\nlo", null, [[], null]]);
  assert.ok(err instanceof RespError && err.message === "ERR no");
});

Deno.test("decodeReply() waits for more bytes on any cut of a reply", () => {
  const wire = bytes("*2\r\n$3\r\nabc\r\n:7\r\n");
  for (let cut = 0; cut < wire.length; cut++) {
    assert.equal(decodeReply(wire.subarray(0, cut)), undefined, `cut at ${cut}`);
  }
  assert.deepEqual(decodeReply(wire)?.reply, ["abc", 7]);
});

Deno.test("parseRedisUrl() reads host, port, user, password and database", () => {
  assert.deepEqual(parseRedisUrl("redis://127.0.0.1:6379"), { hostname: "127.0.0.1", port: 6379 });
  assert.deepEqual(parseRedisUrl("redis://u:p%40ss@h:6380/3"), {
    hostname: "h",
    port: 6380,
    username: "u",
    password: "p@ss",
    db: 3,
  });
  assert.deepEqual(parseRedisUrl("redis://:pw@[::1]/0"), {
    hostname: "::1",
    port: 6379,
    password: "pw",
    db: 0,
  });
  assert.deepEqual(parseRedisUrl("rediss://:pw@h:6380"), {
    hostname: "h",
    port: 6380,
    tls: true,
    password: "pw",
  });
  assert.throws(() => parseRedisUrl("http://h"), /protocol http: is not redis: or rediss:/);
  assert.throws(() => parseRedisUrl("redis://h/x"), /database "x"/);
});

Deno.test("connectResp() sends a batch of commands and returns one reply each, errors as values", async () => {
  const key = `test:${crypto.randomUUID()}:k`;
  const redis = await connectResp(REDIS_URL, { timeoutMs: 2000 });
  try {
    const replies = await redis.send([
      ["PING"],
      ["SET", key, "v", "EX", "60"],
      ["GET", key],
      ["RPUSH", key, "x"],
      ["DEL", key],
    ]);
    assert.deepEqual(replies.slice(0, 3), ["PONG", "OK", "v"]);
    assert.ok(replies[3] instanceof RespError && /WRONGTYPE/.test(replies[3].message));
    assert.equal(replies[4], 1);
    const big = "x".repeat(100_000);
    assert.deepEqual(await redis.send([["ECHO", big]]), [big], "a reply larger than one read");
  } finally {
    redis.close();
  }
});

Deno.test("connectResp() selects the database named in the URL", async () => {
  const key = `test:${crypto.randomUUID()}:db`;
  const db5 = await connectResp(`${REDIS_URL}/5`, { timeoutMs: 2000 });
  const db0 = await connectResp(REDIS_URL, { timeoutMs: 2000 });
  try {
    await db5.send([["SET", key, "here", "EX", "60"]]);
    assert.deepEqual(await db5.send([["GET", key]]), ["here"]);
    assert.deepEqual(await db0.send([["GET", key]]), [null]);
  } finally {
    await db5.send([["DEL", key]]);
    db5.close();
    db0.close();
  }
});

Deno.test("connectResp() logs in with user and password, and refuses a wrong password", async () => {
  const user = `test-${crypto.randomUUID()}`;
  const admin = await connectResp(REDIS_URL, { timeoutMs: 2000 });
  try {
    const [created] = await admin.send([["ACL", "SETUSER", user, "on", ">s3cret", "~*", "+ping"]]);
    assert.equal(created, "OK");
    const client = await connectResp(`redis://${user}:s3cret@127.0.0.1:6379`, { timeoutMs: 2000 });
    try {
      assert.deepEqual(await client.send([["PING"]]), ["PONG"]);
    } finally {
      client.close();
    }
    await assert.rejects(
      connectResp(`redis://${user}:wrong@127.0.0.1:6379`, { timeoutMs: 2000 }),
      /Cannot log in to Redis/,
    );
  } finally {
    await admin.send([["ACL", "DELUSER", user]]);
    admin.close();
  }
});

Deno.test("connectResp() fails fast when nothing listens on the port", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  await assert.rejects(connectResp(`redis://127.0.0.1:${port}`, { timeoutMs: 2000 }));
});

Deno.test("send() gives up with a timeout when the server never answers", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const client = await connectResp(`redis://127.0.0.1:${listener.addr.port}`, { timeoutMs: 100 });
  const silent = await accepted;
  try {
    await assert.rejects(client.send([["PING"]]), /no answer within 100 ms/);
    await assert.rejects(client.send([["PING"]]), /connection closed/);
  } finally {
    client.close();
    silent.close();
    listener.close();
  }
});
