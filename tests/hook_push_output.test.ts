import assert from "node:assert/strict";
import {
  type HookIo,
  logsCommand,
  MAX_NOTE_LINES,
  notDeployed,
  noteLines,
  postReceive,
  runSsh,
  type SshIo,
} from "../lib/hook.ts";
import { MAX_CHANGE_LINES, resultLines } from "../lib/worker.ts";

const ZERO = "0".repeat(40);
const SHA = "a".repeat(40);

/** A port nothing listens on: a hook that reached for Redis there would fail. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  return port;
}

function hookIo(env: Record<string, string>, files: Record<string, string>, stdin: string) {
  const printed: string[] = [];
  const io: HookIo = {
    env: (name) => env[name],
    cwd: "/repos/steve",
    stdin,
    readTextFile: (path) =>
      path in files ? Promise.resolve(files[path] ?? "") : Promise.reject(new Error("no file")),
    realPath: (path) => Promise.resolve(path),
    print: (line) => printed.push(line),
  };
  return { io, printed };
}

Deno.test("a push to a branch that is not deployed says so and queues nothing", async () => {
  const { io, printed } = hookIo(
    { REPOS_ROOT: "/repos", REDIS_URL: `redis://127.0.0.1:${closedPort()}` },
    { "/repos/steve/HEAD": "ref: refs/heads/main\n" },
    `${ZERO} ${SHA} refs/heads/feature\n`,
  );
  // exit 0 with Redis unreachable: the hook never tried to queue
  assert.equal(await postReceive(io), 0);
  assert.deepEqual(printed, ["dns-api: not deployed: only `main` is deployed; nothing was queued"]);
});

Deno.test("notDeployed() is silent when the push updates HEAD's branch, or HEAD names none", () => {
  const main = [{ old: ZERO, new: SHA, ref: "refs/heads/main" }];
  assert.equal(notDeployed(main, "refs/heads/main"), undefined);
  assert.equal(notDeployed(main, undefined), undefined);
  assert.equal(notDeployed(main, "refs/heads/prod"), "not deployed: only `prod` is deployed");
});

Deno.test("the user's note (NOTES_ROOT/<user>) is printed in the push output, escaped", async () => {
  const { io, printed } = hookIo(
    { REPOS_ROOT: "/repos", NOTES_ROOT: "/notes/" },
    {
      "/repos/steve/HEAD": "ref: refs/heads/main\n",
      "/notes/steve": "your invoice is overdue\n\x1b[2Jpay by Friday\n",
    },
    `${ZERO} ${SHA} refs/heads/feature\n`,
  );
  assert.equal(await postReceive(io), 0);
  assert.deepEqual(printed.slice(0, 2), [
    "dns-api: note: your invoice is overdue",
    "dns-api: note: \\x1b[2Jpay by Friday",
  ]);
});

Deno.test("noteLines() keeps at most ten lines, cutting a longer note with …", () => {
  assert.deepEqual(noteLines(""), []);
  assert.deepEqual(noteLines("one\r\ntwo\n\n"), ["one", "two"]);
  const long = noteLines(Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join("\n"));
  assert.equal(long.length, MAX_NOTE_LINES);
  assert.equal(long[MAX_NOTE_LINES - 2], `line ${MAX_NOTE_LINES - 1}`);
  assert.equal(long[MAX_NOTE_LINES - 1], "…");
});

Deno.test("logsCommand() names the SSH door's host when DNSAPI_SSH_HOST is set", () => {
  const env = (values: Record<string, string>) => ({ env: (n: string) => values[n] });
  assert.equal(logsCommand(env({}), "u1"), "logs u1");
  assert.equal(
    logsCommand(env({ DNSAPI_SSH_HOST: "dns.example" }), "u1"),
    "ssh git@dns.example logs u1",
  );
  assert.equal(
    logsCommand(env({ DNSAPI_SSH_HOST: "dns@dns.example" }), "u1"),
    "ssh dns@dns.example logs u1",
  );
});

Deno.test("the SSH door's help ends with the user's note", async () => {
  const out: string[] = [];
  const env: Record<string, string> = {
    REPOS_ROOT: "/repos",
    NOTES_ROOT: "/notes",
    SSH_ORIGINAL_COMMAND: "help",
  };
  const io: SshIo = {
    env: (name) => env[name],
    childEnv: env,
    stderr: () => {},
    stdout: (text) => void out.push(text),
    run: () => Promise.resolve(0),
    appendLine: () => Promise.resolve(),
    readTextFile: (path) =>
      path === "/notes/steve"
        ? Promise.resolve("you are a sponsored account\n")
        : Promise.reject(new Error("no file")),
  };
  assert.equal(await runSsh(io, ["steve"]), 0);
  assert.match(out.join(""), /this text\n[^]*\nnote: you are a sponsored account\n$/);
});

const set = (name: string, ttl: number, value: string) => ({
  name,
  type: "A" as const,
  ttl,
  values: [value],
});

Deno.test("resultLines() shows a new zone's name servers and the changed records of a small push", () => {
  const lines = resultLines({
    user: "steve",
    commit: null,
    ok: true,
    log: [],
    zones: [{
      zone: "shop.test",
      file: "zones/shop.test",
      status: "synced",
      summary: "shop.test: +1 ~1 -1",
      created: true,
      nameservers: [
        "ns-1.awsdns-1.com",
        "ns-2.awsdns-2.net",
        "ns-3.awsdns-3.org",
        "ns-4.awsdns-4.co.uk",
      ],
      plan: {
        zone: "shop.test.",
        changes: [
          { kind: "delete", before: set("old.shop.test.", 300, "192.0.2.9") },
          { kind: "create", after: set("www.shop.test.", 300, "192.0.2.1") },
          {
            kind: "update",
            before: set("api.shop.test.", 600, "192.0.2.2"),
            after: set("api.shop.test.", 300, "192.0.2.2"),
          },
        ],
        unmanaged: [],
        skipped: [],
        existingCount: 0,
      },
    }],
  });
  assert.deepEqual(lines, [
    "shop.test: +1 ~1 -1",
    "set these at your registrar for shop.test: ns-1.awsdns-1.com, ns-2.awsdns-2.net, " +
    "ns-3.awsdns-3.org, ns-4.awsdns-4.co.uk",
    "  - old.shop.test. 300 A 192.0.2.9",
    "  + www.shop.test. 300 A 192.0.2.1",
    "  ~ api.shop.test. 600 A 192.0.2.2 -> 300 192.0.2.2",
  ]);
});

Deno.test("resultLines() gives only the counts of a zone whose changes would pass the limit", () => {
  const changes = (zone: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({
      kind: "create" as const,
      after: set(`h${i}.${zone}.`, 300, "192.0.2.1"),
    }));
  const zone = (name: string, n: number) => ({
    zone: name,
    file: `zones/${name}`,
    status: "synced" as const,
    summary: `${name}: +${n} ~0 -0`,
    plan: {
      zone: `${name}.`,
      changes: changes(name, n),
      unmanaged: [],
      skipped: [],
      existingCount: 0,
    },
  });
  const lines = resultLines({
    user: "steve",
    commit: null,
    ok: true,
    log: [],
    zones: [zone("big.test", MAX_CHANGE_LINES + 1), zone("small.test", 2)],
  });
  assert.deepEqual(lines, [
    `big.test: +${MAX_CHANGE_LINES + 1} ~0 -0`,
    "small.test: +2 ~0 -0",
    "  + h0.small.test. 300 A 192.0.2.1",
    "  + h1.small.test. 300 A 192.0.2.1",
  ]);
});
