import assert from "node:assert/strict";
import {
  enqueueArgs,
  isValidUser,
  normalizePath,
  parseJobResult,
  queueKeys,
  realRepoProblem,
  repoProblem,
} from "../lib/queue.ts";
import { parseJob, parseLegacyJob, remoteProblem } from "../lib/queue.ts";

const uuid = "3f1c2b9e-6c1d-4f55-9a1e-2b7f0c4d5e6a";
const good = {
  uuid,
  user: "steve",
  repo: "/repos/steve",
  queuedAt: "2026-11-25T12:00:00.000Z",
  ref: "refs/heads/main",
  after: "a".repeat(40),
};

Deno.test("isValidUser() accepts lower-case names and refuses paths, dots and spaces", () => {
  for (const user of ["steve", "a", "user-1", "web_2", "0day"]) assert.ok(isValidUser(user), user);
  for (const user of ["", "Steve", "..", ".git", "a/b", "a b", "-x", "_x", "x".repeat(65)]) {
    assert.ok(!isValidUser(user), user);
  }
});

Deno.test("normalizePath() resolves . and .. lexically and drops doubled and trailing slashes", () => {
  assert.equal(normalizePath("/repos//alice/../steve/"), "/repos/steve");
  assert.equal(normalizePath("/../.."), "/");
  assert.equal(normalizePath("a/./b/../../.."), "..");
  assert.equal(normalizePath(""), ".");
});

Deno.test("repoProblem() accepts exactly REPOS_ROOT/<user>", () => {
  assert.equal(repoProblem("/repos/steve", "steve", "/repos"), undefined);
  assert.equal(repoProblem("/repos/steve/", "steve", "/repos/"), undefined);
});

Deno.test("repoProblem() refuses .., other users, relative and look-alike paths", () => {
  for (
    const repo of [
      "/repos/alice/../steve",
      "/repos/./steve",
      "/repos//steve",
      "/repos/alice",
      "repos/steve",
      "/repos/steve/..",
      "/repos/steve.git",
      "/etc/passwd",
      "/repos/steve/sub",
    ]
  ) {
    assert.match(repoProblem(repo, "steve", "/repos") ?? "", /is not \/repos\/steve/, repo);
  }
  assert.match(repoProblem("/repos/..", "..", "/repos") ?? "", /does not match/);
});

Deno.test("realRepoProblem() refuses a user repository that is a symlink to another", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/alice`);
    await Deno.symlink(`${root}/alice`, `${root}/steve`);
    assert.equal(await realRepoProblem("alice", root), undefined);
    assert.match(await realRepoProblem("steve", root) ?? "", /resolves to .*alice/);
    assert.match(await realRepoProblem("nobody", root) ?? "", /Cannot use repository/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("queueKeys() puts every key under the prefix", () => {
  const keys = queueKeys("t:");
  const names = [
    keys.ready,
    keys.leases,
    keys.attempts,
    keys.holders,
    keys.dead,
    keys.invalid,
    keys.job("u"),
    keys.pending("s"),
    keys.inflight("s"),
    keys.lock("s"),
    keys.result("u"),
    keys.done("u"),
  ];
  assert.ok(names.every((n) => n.startsWith("t:")));
  assert.equal(new Set(names).size, names.length);
  assert.equal(queueKeys().pending("steve"), "dnsapi:pending:steve");
});

Deno.test("enqueueArgs() carries the job JSON unchanged", () => {
  const args = enqueueArgs("p:", good);
  assert.deepEqual(args.slice(0, 4), ["0", "p:", uuid, "steve"]);
  assert.deepEqual(JSON.parse(args[4]!), good);
});

Deno.test("parseJob() accepts the design's job and refuses a repo outside REPOS_ROOT/<user>", () => {
  assert.deepEqual(parseJob(JSON.stringify(good), "/repos"), { ok: true, job: good });
  const escaped = parseJob(JSON.stringify({ ...good, repo: "/repos/alice" }), "/repos");
  assert.deepEqual(escaped, { ok: false, reason: 'repo "/repos/alice" is not /repos/steve' });
});

Deno.test("parseJob() names what is wrong with a payload", () => {
  const notJson = parseJob("{", "/repos");
  assert.ok(!notJson.ok && notJson.reason.startsWith("not JSON"));
  const shape = parseJob(JSON.stringify({ ...good, uuid: "nope", user: "A" }), "/repos");
  assert.ok(!shape.ok && /uuid/.test(shape.reason) && /user/.test(shape.reason), String(shape));
  const noTime = parseJob(JSON.stringify({ ...good, queuedAt: undefined }), "/repos");
  assert.ok(!noTime.ok && /queuedAt/.test(noTime.reason));
});

Deno.test("parseLegacyJob() turns {uuid,user,repo} into a job queued now", () => {
  const now = new Date("2026-11-25T13:00:00Z");
  const raw = JSON.stringify({ uuid, user: "steve", repo: "/repos/steve" });
  assert.deepEqual(parseLegacyJob(raw, "/repos", now), {
    ok: true,
    job: { uuid, user: "steve", repo: "/repos/steve", queuedAt: now.toISOString() },
  });
  assert.deepEqual(parseLegacyJob(JSON.stringify(good), "/repos", now), { ok: true, job: good });
  const bad = parseLegacyJob(JSON.stringify({ uuid, user: "steve", repo: "/tmp" }), "/repos", now);
  assert.ok(!bad.ok);
});

Deno.test("parseJobResult() reads a stored result and refuses anything else", () => {
  const result = { uuid, status: "succeeded", lines: ["shop.test: +3 ~1 -2"], coveredBy: uuid };
  assert.deepEqual(parseJobResult(JSON.stringify(result)), result);
  assert.equal(parseJobResult("nope"), undefined);
  assert.equal(parseJobResult(JSON.stringify({ ...result, status: "done" })), undefined);
  assert.equal(parseJobResult(JSON.stringify({ ...result, lines: [1] })), undefined);
});

// The original producers' payloads, byte for byte: the hook script's key order, Perl's
// JSON encoder without spaces, version-1 uuids.
const V1 = "6fa459ea-ee8a-11e0-a0b2-0800200c9a66";
const NOW = new Date("2026-11-25T13:00:00Z");

Deno.test("parseLegacyJob() takes the original hook's {owner,url,uuid} for REPOS_ROOT/<owner>", () => {
  const raw = `{"owner":"steve","url":"/repos/steve","uuid":"${V1}"}`;
  assert.deepEqual(parseLegacyJob(raw, "/repos", NOW), {
    ok: true,
    job: { uuid: V1, user: "steve", repo: "/repos/steve", queuedAt: NOW.toISOString() },
  });
});

Deno.test("parseLegacyJob() maps an original name to the lower-case user, as the original compared names", () => {
  const raw = `{"owner":"Steve","url":"/repos/Steve","uuid":"${V1.toUpperCase()}"}`;
  assert.deepEqual(parseLegacyJob(raw, "/repos", NOW), {
    ok: true,
    job: { uuid: V1, user: "steve", repo: "/repos/steve", queuedAt: NOW.toISOString() },
  });
  const seed = parseLegacyJob(
    JSON.stringify({ uuid: V1, user: "Web_2-x", repo: "/repos/web_2-x" }),
    "/repos",
    NOW,
  );
  assert.ok(seed.ok && seed.job.user === "web_2-x", JSON.stringify(seed));
});

Deno.test("parseLegacyJob() refuses the webhook receiver's clone URLs: remotes are not registered", () => {
  for (
    const url of [
      "https://github.com/steve/dns.git",
      "git@github.com:steve/dns.git",
      "git@bitbucket.org:steve/dns.git",
      "http://git.example.org/steve/dns",
    ]
  ) {
    const parsed = parseLegacyJob(`{"owner":"steve","url":"${url}","uuid":"${V1}"}`, "/repos", NOW);
    assert.ok(!parsed.ok, url);
    assert.match(parsed.reason, /^remote repositories are not registered for steve; /);
    assert.ok(!parsed.reason.includes(url), "the URL (it may hold a token) stays out");
  }
});

Deno.test("remoteProblem() accepts a remote the user registered, and only that one", () => {
  const url = "https://github.com/steve/dns.git";
  assert.equal(remoteProblem(url, "steve", [url]), undefined);
  assert.match(
    remoteProblem("https://github.com/eve/x.git", "steve", [url]) ?? "",
    /not registered/,
  );
});

Deno.test("parseLegacyJob() refuses original names that are not names, and paths of another user", () => {
  const cases: [string, RegExp][] = [
    [`{"owner":"Stevestevest1","url":"/repos/Stevestevest1","uuid":"${V1}"}`, /owner: not a user/],
    [`{"owner":"st/eve","url":"/repos/st/eve","uuid":"${V1}"}`, /owner: not a user/],
    [`{"owner":"_steve","url":"/repos/_steve","uuid":"${V1}"}`, /no user can be named "_steve"/],
    [`{"owner":"steve","url":"/repos/alice","uuid":"${V1}"}`, /is not \/repos\/steve/],
    [`{"owner":"steve","url":"/repos/alice/../steve","uuid":"${V1}"}`, /is not \/repos\/steve/],
    [`{"owner":"steve","url":"/repos/steve","uuid":"not-a-uuid"}`, /uuid/],
    [`{"owner":"steve","uuid":"${V1}"}`, /url/],
  ];
  for (const [raw, reason] of cases) {
    const parsed = parseLegacyJob(raw, "/repos", NOW);
    assert.ok(!parsed.ok, raw);
    assert.match(parsed.reason, reason, raw);
  }
});
