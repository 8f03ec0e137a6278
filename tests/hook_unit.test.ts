import assert from "node:assert/strict";
import { chooseMode } from "../hook.ts";
import {
  buildJob,
  chooseUpdate,
  headRefFrom,
  type HookIo,
  isZeroSha,
  parseRefUpdates,
  postReceive,
  resultLines,
} from "../lib/hook.ts";

const A = "a".repeat(40);
const B = "b".repeat(40);
const Z = "0".repeat(40);

Deno.test("parseRefUpdates() reads git's old/new/ref lines and ignores anything else", () => {
  const input = `${Z} ${A} refs/heads/main\n\ngarbage\n${A} ${B} refs/tags/v1\r\n`;
  assert.deepEqual(parseRefUpdates(input), [
    { old: Z, new: A, ref: "refs/heads/main" },
    { old: A, new: B, ref: "refs/tags/v1" },
  ]);
});

Deno.test("isZeroSha() is true only for git's all-zero object name", () => {
  assert.equal(isZeroSha(Z), true);
  assert.equal(isZeroSha("0".repeat(64)), true);
  assert.equal(isZeroSha(A), false);
  assert.equal(isZeroSha(`${"0".repeat(39)}1`), false);
});

Deno.test("chooseUpdate() prefers HEAD's branch, then the first ref not deleted", () => {
  const updates = [
    { old: A, new: Z, ref: "refs/heads/old" },
    { old: Z, new: A, ref: "refs/heads/dev" },
    { old: A, new: B, ref: "refs/heads/main" },
  ];
  assert.equal(chooseUpdate(updates, "refs/heads/main")?.ref, "refs/heads/main");
  assert.equal(chooseUpdate(updates, "refs/heads/none")?.ref, "refs/heads/dev");
  assert.equal(chooseUpdate([updates[0]!], "refs/heads/old"), undefined);
});

Deno.test("headRefFrom() reads a symbolic HEAD and nothing else", () => {
  assert.equal(headRefFrom("ref: refs/heads/main\n"), "refs/heads/main");
  assert.equal(headRefFrom(`${A}\n`), undefined);
});

Deno.test("buildJob() writes docs/design.md's job, with ref and after only when known", () => {
  const now = new Date("2026-11-25T12:00:00Z");
  const base = { uuid: "u", user: "steve", repo: "/repos/steve", now };
  assert.deepEqual(buildJob(base), {
    uuid: "u",
    user: "steve",
    repo: "/repos/steve",
    queuedAt: "2026-11-25T12:00:00.000Z",
  });
  const update = { old: Z, new: A, ref: "refs/heads/main" };
  assert.deepEqual(buildJob({ ...base, update }), {
    ...buildJob(base),
    ref: "refs/heads/main",
    after: A,
  });
});

Deno.test("chooseMode() takes the argument, else the binary's name, else post-receive", () => {
  assert.equal(chooseMode(["pre-receive"], "/usr/bin/deno"), "pre-receive");
  assert.equal(chooseMode(["bogus"], "/usr/bin/deno"), undefined);
  assert.equal(chooseMode([], "/repos/steve/hooks/pre-receive"), "pre-receive");
  assert.equal(chooseMode([], "/usr/local/bin/dns-api-hook"), "post-receive");
});

Deno.test("resultLines() shows the summary, the covering sync and the outcome", () => {
  assert.deepEqual(
    resultLines({
      uuid: "u1",
      status: "succeeded",
      lines: ["shop.test: +3 ~1 -2"],
      coveredBy: "u2",
    }),
    ["shop.test: +3 ~1 -2", "covered by the sync of job u2", "job u1 succeeded"],
  );
  assert.deepEqual(resultLines({ uuid: "u1", status: "failed", lines: [], coveredBy: "u1" }), [
    "job u1 failed",
  ]);
});

function fakeIo(overrides: Partial<HookIo>): { io: HookIo; printed: string[] } {
  const printed: string[] = [];
  const io: HookIo = {
    env: () => undefined,
    cwd: "/repos/steve",
    stdin: "",
    readTextFile: () => Promise.reject(new Error("no file")),
    realPath: (path) => Promise.resolve(path),
    print: (line) => printed.push(line),
    ...overrides,
  };
  return { io, printed };
}

Deno.test("postReceive() refuses a repository whose name is not a valid user, before Redis", async () => {
  const { io, printed } = fakeIo({ cwd: "/repos/Not.A.User" });
  assert.equal(await postReceive(io), 1);
  assert.match(printed.join("\n"), /^dns-api: your push is stored, but DNS was NOT updated/);
  assert.match(printed.join("\n"), /"Not.A.User" is not a valid user/);
});

Deno.test("postReceive() refuses a repository outside REPOS_ROOT, naming whom to contact", async () => {
  const { io, printed } = fakeIo({
    cwd: "/elsewhere/steve",
    env: (name) => ({ REPOS_ROOT: "/repos", DNSAPI_CONTACT: "ops@example.net" })[name],
  });
  assert.equal(await postReceive(io), 1);
  assert.match(printed.join("\n"), /\/elsewhere\/steve is not \/repos\/steve/);
  assert.match(printed.join("\n"), /contact ops@example.net/);
});

Deno.test("postReceive() finds the repository from an absolute GIT_DIR, then reports Redis down", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closed = listener.addr.port;
  listener.close();
  const env: Record<string, string> = {
    GIT_DIR: "/repos/steve",
    REPOS_ROOT: "/repos/",
    REDIS_URL: `redis://127.0.0.1:${closed}`,
  };
  const { io, printed } = fakeIo({ cwd: "/somewhere/else", env: (name) => env[name] });
  assert.equal(await postReceive(io), 1);
  assert.match(
    printed[0] ?? "",
    /^dns-api: your push is stored, but DNS was NOT updated yet: the job queue is unreachable$/,
  );
  assert.match(printed.join("\n"), new RegExp(`127\\.0\\.0\\.1:${closed}`));
});
