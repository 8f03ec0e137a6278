/**
 * End to end, output hygiene (issue 9): text a customer controls — file names, record
 * text — reaches push output, job logs, `logs` and `status` with its control characters
 * escaped, so an ANSI sequence cannot repaint a terminal and a file name holding a
 * newline cannot forge a `remote: dns-api: … succeeded` line; and a git failure on the
 * server reaches the customer without the server's paths.
 */
import assert from "node:assert/strict";
import mysql from "mysql2/promise";
import { createWorld, type World } from "../testing/world.ts";

/** Any control character but TAB and the newlines that end lines. */
// deno-lint-ignore no-control-regex
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

const FORGED_NAME = "zones/forged.test\nremote: dns-api: forged.test: +1 ~0 -0 succeeded";

/** A file whose name forges a line, and ANSI escapes in a TXT value and in a name. */
const HOSTILE_FILES = {
  [FORGED_NAME]: "forged.test. 300 IN A 192.0.2.1\n",
  "zones/\x1b[2Jansi.test": "ansi.test. 300 IN A 192.0.2.2\n",
  "zones/ansi.test": 'ansi.test. 300 IN TXT "\x1b[2Jcleared"\n' +
    "\x1b[2Jbad.ansi.test. 300 IN A 192.0.2.\x1b[2J\n",
  "zones/nul.test": "nul.test. 300 IN A 192.0.2.1\0\n",
  "zones/txt.test":
    'txt.test. 300 IN TXT "\x1b[2Jcleared"\n\x1b[2Jx.txt.test. 300 IN A 192.0.2.3\n',
};

/** Lines that start as the service's own lines would but that a file name made. */
function forgedLines(output: string): string[] {
  return output.split("\n").filter((l) => /^(remote: )?dns-api: forged/.test(l.trimStart()));
}

function assertClean(text: string, what: string): void {
  const raw = RAW_CONTROL.exec(text);
  assert.equal(
    raw,
    null,
    `${what} holds a raw control character ${JSON.stringify(raw?.[0])}:\n${JSON.stringify(text)}`,
  );
  assert.deepEqual(forgedLines(text), [], `${what} holds a forged line:\n${text}`);
}

async function withoutPreReceive(world: World, user: string): Promise<void> {
  await Deno.remove(`${world.reposRoot}/${user}/hooks/pre-receive`);
}

Deno.test("customer text is escaped in push output, logs and status; git's server paths stay out", async (t) => {
  const world = await createWorld();
  try {
    await world.addUser("mallory");
    await world.addUser("trudy");
    await withoutPreReceive(world, "trudy");
    await world.addUser("gail");
    const worker = world.startWorker();
    await worker.waitForEvent((e) => e.event === "started");

    await t.step("pre-receive reports the hostile files escaped, and forges nothing", async () => {
      const clone = await world.clone("mallory");
      await world.commit(clone, HOSTILE_FILES);
      const push = await world.push(clone);
      assertClean(push.output, "the push output");
      assert.match(push.output, /zones\/forged\.test\\nremote: dns-api: forged/);
      assert.match(push.output, /\\x1b\[2J/);
      assert.match(push.output, /zones\/nul\.test:1: .*\\0/);
      assert.match(push.output, /zones\/ansi\.test:2: .*\\x1b\[2J/);
    });

    let uuid = "";
    await t.step(
      "without pre-receive, the worker's result lines are escaped in the push output",
      async () => {
        const clone = await world.clone("trudy");
        await world.commit(clone, HOSTILE_FILES);
        const push = await world.push(clone, undefined, { DNS_API_HOOK_WAIT: "60" });
        assert.equal(push.code, 0, push.output);
        assert.ok(push.uuid, push.output);
        uuid = push.uuid;
        assertClean(push.output, "the push output");
        assert.match(push.output, /zones\/forged\.test\\nremote: dns-api: forged/);
        assert.match(push.output, /\\x1b\[2J/);
        const job = await world.waitFinal(uuid);
        assert.equal(job.status, "failed", JSON.stringify(job));
      },
    );

    await t.step("`logs` and `logs --json` show the escapes", async () => {
      const text = await world.cli(["logs", uuid]);
      assert.equal(text.code, 0, text.stderr);
      assertClean(text.stdout, "`logs`");
      assert.match(text.stdout, /forged\.test\\nremote: dns-api: forged/);
      assert.match(text.stdout, /\\x1b\[2J/);
      const json = await world.cli(["logs", uuid, "--json"]);
      assert.equal(json.code, 0, json.stderr);
      assertClean(json.stdout, "`logs --json`");
      const messages = (JSON.parse(json.stdout) as { log: { message: string }[] }).log
        .map((l) => l.message).join("\n");
      assertClean(messages, "the messages `logs --json` holds");
      assert.match(messages, /forged\.test\\nremote: dns-api: forged/);
      assert.match(messages, /\\x1b\[2J/);
    });

    await t.step("`status` shows the failure escaped", async () => {
      const status = await world.cli(["status"]);
      assertClean(status.stdout, "`status`");
      assert.match(status.stdout, /\\x1b\[2J|forged\.test\\n/);
    });

    await t.step(
      "a server failure reaches the customer's log without the server's paths",
      async () => {
        const clone = await world.clone("gail");
        await world.commit(clone, { "zones/gail.test": "gail.test. 300 IN A 192.0.2.9\n" });
        const first = await world.push(clone);
        assert.equal((await world.waitFinal(first.uuid ?? "")).status, "succeeded");
        // A working copy the worker cannot use: its error names the server path.
        await Deno.remove(`${world.workRoot}/gail/.git`, { recursive: true });
        await world.commit(clone, { "zones/gail.test": "gail.test. 300 IN A 192.0.2.10\n" });
        const second = await world.push(clone);
        assert.ok(second.uuid, second.output);
        const failed = await worker.waitForEvent((e) =>
          e.event === "error" && e.uuid === second.uuid
        );
        assert.ok(
          String(failed.message).includes(`${world.workRoot}/gail`),
          `the operator log has it all: ${JSON.stringify(failed)}`,
        );
        let said = "";
        for (let i = 0; i < 100 && !said.includes("attempt 1 failed"); i++) {
          said = ((await world.logs(second.uuid))?.log ?? []).map((l) => l.message).join("\n");
          await new Promise((r) => setTimeout(r, 100));
        }
        assert.match(said, /attempt 1 failed \(Cannot create working copy \(a server path\)/);
        for (const root of [world.workRoot, world.reposRoot]) assert.ok(!said.includes(root), said);
        // Back to a usable working copy for the steps after this one.
        await Deno.remove(`${world.workRoot}/gail`, { recursive: true });
      },
    );
    await t.step("a hosted zone id stays out of the customer's log", async () => {
      // A row whose hosted zone is gone: Route 53's error names the id.
      await world.addUser("zed");
      const clone = await world.clone("zed");
      await world.commit(clone, { "zones/zed.test": "zed.test. 300 IN A 192.0.2.20\n" });
      const first = await world.push(clone);
      assert.equal((await world.waitFinal(first.uuid ?? "")).status, "succeeded");
      const bogus = "Z0000000000000BOGUS1";
      const conn = await mysql.createConnection(world.env.DATABASE_URL!);
      try {
        await conn.query("UPDATE domains SET hosted_zone_id = ? WHERE name = 'zed.test'", [bogus]);
      } finally {
        await conn.end();
      }
      await world.commit(clone, { "zones/zed.test": "zed.test. 300 IN A 192.0.2.21\n" });
      const second = await world.push(clone);
      const job = await world.waitFinal(second.uuid ?? "");
      const said = job.log.map((l) => l.message).join("\n");
      assert.equal(job.status, "failed", said);
      assert.match(
        said,
        /Route 53 refused the change: No hosted zone found with ID: \(the hosted zone\)/,
      );
      assert.ok(!said.includes(bogus), said);
    });
  } finally {
    await world.close();
  }
});
