/**
 * The SSH door through a real sshd (testing/sshd.ts): a customer key's authorized_keys
 * line `command="<hook command> ssh <user>",restrict <key>` (the format the worker
 * writes) lets that customer push and clone their own repository, read their logs and
 * name servers and check a zone file, and nothing else. The hook gets its settings from
 * the file `user add` wrote, not from sshd's clean environment.
 */
import assert from "node:assert/strict";
import { hookCommand } from "../cli/user_cmds.ts";
import { hookSettingsPath, shellQuote } from "../lib/git.ts";
import { hasSshd, type Sshd, startSshd } from "../testing/sshd.ts";
import { createWorld, queuedUuid, type World } from "../testing/world.ts";

const decoder = new TextDecoder();

const ZONE = [
  "$ORIGIN shop.test.",
  "$TTL 300",
  "@ IN A 192.0.2.1",
  "www IN A 192.0.2.2",
  "",
].join("\n");

/** The line the worker writes for one key (issue 11: `command="…",restrict KEY`). */
function keyLine(world: World, user: string, publicKey: string): string {
  const hook = hookCommand(undefined, hookSettingsPath(world.reposRoot));
  const command = [...hook.command, "ssh", user].map(shellQuote).join(" ");
  return `command="${command.replaceAll('"', '\\"')}",restrict ${publicKey}`;
}

interface Ssh {
  code: number;
  stdout: string;
  stderr: string;
}

async function ssh(
  world: World,
  sshCommand: string,
  login: string,
  command: string[],
  stdin?: string,
): Promise<Ssh> {
  const [program, ...args] = sshCommand.split(" ");
  const child = new Deno.Command(program ?? "ssh", {
    args: [...args, login, ...command],
    env: world.env,
    clearEnv: true,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const out = await child.output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

Deno.test("the SSH door through a real sshd", async (t) => {
  assert(await hasSshd(), "sshd is missing: apt-get install openssh-server (.ci/run does)");
  const world = await createWorld();
  let sshd: Sshd | undefined;
  try {
    sshd = await startSshd();
    const door = sshd;
    await world.addUser("steve");
    await world.addUser("mallory");
    const mallory = await door.newKey("mallory");
    await Deno.writeTextFile(
      door.authorizedKeys,
      `${keyLine(world, "steve", door.key.publicKey)}\n` +
        `${keyLine(world, "mallory", mallory.publicKey)}\n`,
    );
    const login = `${door.user}@127.0.0.1`;
    const asSteve = (command: string[], stdin?: string) =>
      ssh(world, door.sshCommand, login, command, stdin);
    const gitSsh = { GIT_SSH_COMMAND: door.sshCommand };
    let pushedUuid = "";

    await t.step("a push over ssh to the key's own repository queues a job", async () => {
      const dir = await world.clone("steve");
      await world.git(["remote", "set-url", "origin", `${login}:steve`], dir);
      await world.commit(dir, { "zones/shop.test": ZONE });
      const push = await world.push(dir, ["origin", "main"], gitSsh);
      assert.equal(push.code, 0, push.output);
      // `remote: dns-api: queued <uuid>` (git pads sideband lines with spaces).
      assert(push.uuid, push.output);
      pushedUuid = push.uuid;
      const worker = world.startWorker();
      const view = await world.waitFinal(pushedUuid);
      worker.kill("SIGTERM");
      await worker.status;
      assert.equal(view.status, "succeeded", JSON.stringify(view));
    });

    await t.step(
      "a clone over ssh, however the path is written, gets the pushed zone",
      async () => {
        for (const path of ["steve.git", "/steve", "~/steve", `${world.reposRoot}/steve`]) {
          const target = `${world.root}/clone-${crypto.randomUUID()}`;
          const r = await world.git(
            ["clone", "-q", `${login}:${path}`, target],
            world.root,
            gitSsh,
          );
          assert.equal(r.code, 0, `${path}: ${r.stderr}`);
          assert.equal(await Deno.readTextFile(`${target}/zones/shop.test`), ZONE, path);
        }
      },
    );

    await t.step("another customer's repository is refused, for clone and push", async () => {
      for (const command of ["git-upload-pack 'mallory'", "git receive-pack '/mallory.git'"]) {
        const r = await asSteve([command]);
        assert.equal(r.code, 1, command);
        assert.equal(r.stdout, "", command);
        assert.match(
          r.stderr,
          /^dns-api: refused: your repository is steve, not .*mallory.*allowed: /,
        );
        assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
      }
      const target = `${world.root}/stolen`;
      const r = await world.git(["clone", "-q", `${login}:mallory`, target], world.root, gitSsh);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /refused: your repository is steve/);
    });

    await t.step(
      "a shell, scp, sftp and unknown commands are refused with what is allowed",
      async () => {
        const cases: [string[], RegExp][] = [
          [[], /refused: no shell here/],
          [["ls", "/"], /refused: unknown command "ls"/],
          [["scp", "-t", "/tmp"], /refused: scp is not available/],
          [["/usr/lib/openssh/sftp-server"], /refused: .*sftp-server is not available/],
          [["sh", "-c", "'id'"], /refused: unknown command "sh"/],
        ];
        for (const [command, reason] of cases) {
          const r = await asSteve(command);
          assert.equal(r.code, 1, command.join(" "));
          assert.match(r.stderr, reason, r.stderr);
          assert.match(r.stderr, /allowed: git push\/clone\/fetch of your own repository/);
        }
      },
    );

    await t.step("help names the customer and the commands", async () => {
      const r = await asSteve(["help"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^dns-api: you are steve\./);
      assert.match(r.stdout, /logs \[UUID\] \[--json\]/);
    });

    await t.step("check reads a zone file on stdin and answers as check does", async () => {
      const good = await asSteve(["check", "shop.test"], ZONE);
      assert.equal(good.code, 0, good.stderr);
      assert.equal(good.stdout, "shop.test: ok, zone shop.test, 2 record sets, 0 warnings\n");
      const bad = await asSteve(["check", "shop.test"], "$TTL 300\nwww IN A 999.1.1.1\n");
      assert.equal(bad.code, 1);
      assert.match(bad.stdout, /^shop\.test:2: /m, bad.stdout);
    });

    await t.step("logs shows the customer's latest job, and only their own", async () => {
      const latest = await asSteve(["logs"]);
      assert.equal(latest.code, 0, latest.stderr);
      assert.match(latest.stdout, new RegExp(`^job ${pushedUuid}  user steve  status succeeded`));
      const json = await asSteve(["logs", pushedUuid, "--json"]);
      assert.equal(json.code, 0, json.stderr);
      assert.equal(JSON.parse(json.stdout).uuid, pushedUuid);
      const other = await ssh(world, door.sshCommandFor(mallory.file), login, ["logs", pushedUuid]);
      assert.equal(other.code, 1);
      assert.equal(other.stdout, "");
      assert.match(other.stderr, /^no job .* \(unknown, or its record has expired\)$/m);
      const none = await ssh(world, door.sshCommandFor(mallory.file), login, ["logs"]);
      assert.equal(none.code, 1);
      assert.match(none.stderr, /no jobs yet/);
    });

    await t.step("nameservers shows the name servers of the customer's zones", async () => {
      const r = await asSteve(["nameservers"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^shop\.test: set these at your registrar: \S+ \S+ \S+ \S+$/m);
      const theirs = await ssh(world, door.sshCommandFor(mallory.file), login, [
        "nameservers",
        "shop.test",
      ]);
      assert.equal(theirs.code, 1);
      assert.match(theirs.stderr, /shop\.test is not one of your zones/);
    });

    await t.step("every connection leaves one line in the operator's log", async () => {
      const log = await Deno.readTextFile(`${world.reposRoot}/.dns-api-ssh.log`);
      const fp = decoder.decode(
        (await new Deno.Command("ssh-keygen", { args: ["-lf", `${door.key.file}.pub`] }).output())
          .stdout,
      ).split(" ")[1];
      assert.match(
        log,
        new RegExp(
          `^\\S+ ssh user=steve key=${fp?.replace(/[+/]/g, "\\$&")} from=127\\.0\\.0\\.1:\\d+ ` +
            `command="git-receive-pack 'steve'" allowed$`,
          "m",
        ),
      );
      assert.match(log, /user=steve .*command="ls \/" refused \(unknown command "ls"\)$/m);
    });
  } finally {
    await sshd?.close();
    await world.close();
  }
});

Deno.test("a push with a scrubbed environment queues and reports as a local push does", async () => {
  const world = await createWorld();
  try {
    await world.addUser("steve");
    const dir = await world.clone("steve");
    await world.commit(dir, { "zones/shop.test": ZONE });
    // env -i PATH=…: nothing of the worker's configuration; the hook reads its settings file.
    const out = await new Deno.Command("git", {
      args: ["push", "origin", "main"],
      cwd: dir,
      clearEnv: true,
      env: { PATH: "/usr/bin:/bin", HOME: `${world.root}/home` },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const output = decoder.decode(out.stdout) + decoder.decode(out.stderr);
    assert.equal(out.code, 0, output);
    const uuid = queuedUuid(output);
    assert(uuid, output);
    assert.equal(await world.redis.hexists(`${world.prefix}job:${uuid}`, "json"), 1, output);
  } finally {
    await world.close();
  }
});

Deno.test("a push over ssh that creates a zone shows its name servers to the customer", async () => {
  assert(await hasSshd(), "sshd is missing: apt-get install openssh-server (.ci/run does)");
  // The door's hooks read the installation's settings, written here with a result wait.
  const world = await createWorld({ env: { DNSAPI_HOOK_WAIT: "60" } });
  let door: Sshd | undefined;
  try {
    await world.addUser("nina");
    door = await startSshd();
    await Deno.writeTextFile(
      door.authorizedKeys,
      `${keyLine(world, "nina", door.key.publicKey)}\n`,
    );
    const worker = world.startWorker();
    try {
      await worker.waitForEvent((e) => e.event === "started");
      const dir = await world.clone("nina");
      await world.git(["remote", "set-url", "origin", `${door.user}@127.0.0.1:nina`], dir);
      await world.commit(dir, { "zones/fresh.test": "@ 300 IN A 192.0.2.99\n" });
      const push = await world.push(dir, ["origin", "main"], { GIT_SSH_COMMAND: door.sshCommand });
      assert.equal(push.code, 0, push.output);
      assert.match(
        push.output,
        /remote: dns-api: set these at your registrar for fresh\.test: \S+, \S+, \S+, \S+/,
        push.output,
      );
      assert.match(push.output, /remote: dns-api:\s+\+ fresh\.test\. 300 A 192\.0\.2\.99/);
    } finally {
      worker.kill("SIGTERM");
      await worker.status;
    }
  } finally {
    await door?.close();
    await world.close();
  }
});
