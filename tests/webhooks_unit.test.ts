import assert from "node:assert/strict";
import {
  decodePayload,
  eventKind,
  hmacSha256Hex,
  identifyDelivery,
  readPush,
  timingSafeEqualText,
  verifyDelivery,
  verifyHmacSha256,
} from "../lib/queue.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const SHA = "0123456789abcdef0123456789abcdef01234567";

Deno.test("hmacSha256Hex() matches GitHub's documented example signature", async () => {
  // docs.github.com, "Validating webhook deliveries": this secret and body give this hex.
  const hex = await hmacSha256Hex("It's a Secret to Everybody", bytes("Hello, World!"));
  assert.equal(hex, "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
});

Deno.test("verifyHmacSha256() takes the right hex in either case and refuses anything else", async () => {
  const body = bytes('{"ref":"refs/heads/main"}');
  const hex = await hmacSha256Hex("s3cret", body);
  assert.equal(await verifyHmacSha256("s3cret", body, hex), true);
  assert.equal(await verifyHmacSha256("s3cret", body, hex.toUpperCase()), true);
  assert.equal(await verifyHmacSha256("other", body, hex), false);
  assert.equal(await verifyHmacSha256("s3cret", bytes("{}"), hex), false);
  assert.equal(await verifyHmacSha256("s3cret", body, hex.slice(0, 62)), false);
  assert.equal(await verifyHmacSha256("s3cret", body, "zz" + hex.slice(2)), false);
  assert.equal(await verifyHmacSha256("s3cret", body, ""), false);
});

Deno.test("timingSafeEqualText() is plain equality, whatever the lengths", async () => {
  assert.equal(await timingSafeEqualText("token", "token"), true);
  assert.equal(await timingSafeEqualText("token", "tokem"), false);
  assert.equal(await timingSafeEqualText("token", "token-longer"), false);
  assert.equal(await timingSafeEqualText("", "token"), false);
});

Deno.test("identifyDelivery() prefers Forgejo over Gitea over GitHub headers (they send each other's)", () => {
  const forgejo = identifyDelivery(
    new Headers({
      "X-Forgejo-Event": "push",
      "X-Gitea-Event": "push",
      "X-GitHub-Event": "push",
      "X-Forgejo-Delivery": "d-1",
      "X-Forgejo-Signature": "ab",
    }),
  );
  assert.equal(forgejo?.provider, "forgejo");
  assert.equal(forgejo?.deliveryId, "d-1");
  assert.deepEqual(forgejo?.proof, {
    kind: "hmac",
    header: "X-Forgejo-Signature",
    prefix: "",
    value: "ab",
  });
  const gitea = identifyDelivery(
    new Headers({ "X-Gitea-Event": "push", "X-GitHub-Event": "push" }),
  );
  assert.equal(gitea?.provider, "gitea");
  assert.equal(
    identifyDelivery(new Headers({ "X-Event-Key": "repo:push" }))?.provider,
    "bitbucket",
  );
  assert.equal(identifyDelivery(new Headers({ "Content-Type": "application/json" })), undefined);
});

Deno.test("eventKind() tells pushes, pings and tag pushes from other events", () => {
  const kind = (headers: Record<string, string>) =>
    eventKind(identifyDelivery(new Headers(headers))!);
  assert.equal(kind({ "X-GitHub-Event": "push" }), "push");
  assert.equal(kind({ "X-GitHub-Event": "ping" }), "ping");
  assert.equal(kind({ "X-GitHub-Event": "issues" }), "other");
  assert.equal(kind({ "X-Gitlab-Event": "Push Hook" }), "push");
  assert.equal(kind({ "X-Gitlab-Event": "Tag Push Hook" }), "tag");
  assert.equal(kind({ "X-Gitea-Event": "push" }), "push");
  assert.equal(kind({ "X-Event-Key": "repo:push" }), "push");
  assert.equal(kind({ "X-Event-Key": "pullrequest:created" }), "other");
});

Deno.test("verifyDelivery() checks GitHub's sha256= prefix and GitLab's token", async () => {
  const body = bytes("{}");
  const hex = await hmacSha256Hex("s", body);
  const github = (value: string) =>
    identifyDelivery(new Headers({ "X-GitHub-Event": "push", "X-Hub-Signature-256": value }))!;
  assert.equal(await verifyDelivery(github(`sha256=${hex}`), "s", body), true);
  assert.equal(await verifyDelivery(github(hex), "s", body), false);
  assert.equal(await verifyDelivery(github(`sha1=${hex}`), "s", body), false);
  const gitlab = (token: string) =>
    identifyDelivery(new Headers({ "X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": token }))!;
  assert.equal(await verifyDelivery(gitlab("s"), "s", body), true);
  assert.equal(await verifyDelivery(gitlab("t"), "s", body), false);
  const unsigned = identifyDelivery(new Headers({ "X-GitHub-Event": "push" }))!;
  assert.equal(await verifyDelivery(unsigned, "s", body), false);
});

Deno.test("readPush() queues the registered branch and ignores other branches, tags and deletions", () => {
  assert.deepEqual(readPush("github", { ref: "refs/heads/main", after: SHA }, "main"), {
    kind: "queue",
    ref: "refs/heads/main",
    after: SHA,
  });
  assert.equal(readPush("gitlab", { ref: "refs/heads/dev", after: SHA }, "main").kind, "ignore");
  assert.equal(readPush("gitea", { ref: "refs/tags/v1", after: SHA }, "main").kind, "ignore");
  assert.equal(
    readPush("github", { ref: "refs/heads/main", after: "0".repeat(40), deleted: true }, "main")
      .kind,
    "ignore",
  );
  assert.equal(
    readPush("github", { ref: "refs/heads/main", after: "not-a-sha" }, "main").kind,
    "invalid",
  );
  assert.equal(readPush("github", { zen: "ping" }, "main").kind, "invalid");
  assert.equal(readPush("github", [1, 2], "main").kind, "invalid");
});

Deno.test("readPush() reads Bitbucket's push.changes[].new for the branch, not its repository links", () => {
  const change = (type: string, name: string) => ({
    new: { type, name, target: { type: "commit", hash: SHA } },
    old: null,
  });
  const push = (...changes: unknown[]) => ({ push: { changes } });
  assert.deepEqual(
    readPush("bitbucket", push(change("branch", "dev"), change("branch", "main")), "main"),
    {
      kind: "queue",
      ref: "refs/heads/main",
      after: SHA,
    },
  );
  const tag = readPush("bitbucket", push(change("tag", "v1")), "main");
  assert.deepEqual(tag, { kind: "ignore", why: "a tag push is not the branch main" });
  assert.equal(readPush("bitbucket", push(change("branch", "dev")), "main").kind, "ignore");
  const deleted = readPush(
    "bitbucket",
    push({ new: null, old: { type: "branch", name: "main" } }),
    "main",
  );
  assert.deepEqual(deleted, { kind: "ignore", why: "branch main was deleted" });
  assert.equal(readPush("bitbucket", { ref: "refs/heads/main" }, "main").kind, "invalid");
});

Deno.test("decodePayload() takes JSON, and the form encoding only where allowed", () => {
  const form = `payload=${encodeURIComponent('{"ref":"refs/heads/main"}')}`;
  assert.deepEqual(decodePayload(bytes('{"a":1}'), "application/json", false), {
    ok: true,
    value: { a: 1 },
  });
  assert.equal(decodePayload(bytes(form), "application/x-www-form-urlencoded", false).ok, false);
  assert.deepEqual(decodePayload(bytes(form), "application/x-www-form-urlencoded", true), {
    ok: true,
    value: { ref: "refs/heads/main" },
  });
  assert.equal(decodePayload(bytes("{oops"), "application/json", false).ok, false);
  assert.equal(decodePayload(new Uint8Array([0xff, 0xfe]), null, false).ok, false);
});
