/**
 * The keys the worker keeps in authorized_keys, through a real sshd (testing/sshd.ts):
 * a removed key and a banned user's key no longer get in once `user key remove` /
 * `user ban` rewrote the file, and a worker key from DNSAPI_WORKER_KEYS lets a worker on
 * another host (REPOS_REMOTE=ssh://…, its own GIT_SSH_COMMAND) clone and sync a customer's
 * repository through the door, while it can neither push nor run customer commands.
 */
import assert from "node:assert/strict";
import { hasSshd, type Sshd, startSshd } from "../testing/sshd.ts";
import { createWorld, type World } from "../testing/world.ts";

const decoder = new TextDecoder();

const ZONE = "$ORIGIN shop.test.\n$TTL 300\n@ IN A 192.0.2.1\nwww IN A 192.0.2.2\n";

/** `ssh … login command…` with the given client command line (sshd's sshCommandFor). */
async function ssh(world: World, sshCommand: string, login: string, command: string[]) {
  const [program, ...args] = sshCommand.split(" ");
  const out = await new Deno.Command(program ?? "ssh", {
    args: [...args, login, ...command],
    env: world.env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

async function fingerprint(publicKeyFile: string): Promise<string> {
  const out = await new Deno.Command("ssh-keygen", { args: ["-lf", publicKeyFile] }).output();
  return decoder.decode(out.stdout).split(" ")[1] ?? "";
}

Deno.test("keys kept by the worker: removed and banned keys are refused, a worker key only fetches", async (t) => {
  assert(await hasSshd(), "sshd is missing: apt-get install openssh-server (.ci/run does)");
  let sshd: Sshd | undefined;
  let world: World | undefined;
  try {
    sshd = await startSshd();
    const door = sshd;
    const workerKey = await door.newKey("worker");
    const workerKeys = `${door.authorizedKeys}.workers`;
    await Deno.writeTextFile(workerKeys, `# worker hosts\n${workerKey.publicKey}\n`);
    world = await createWorld({
      env: { DNSAPI_AUTHORIZED_KEYS: door.authorizedKeys, DNSAPI_WORKER_KEYS: workerKeys },
    });
    const w = world;
    const login = `${door.user}@127.0.0.1`;
    await w.addUser("steve");
    await w.addUser("mallory");
    const mallory = await door.newKey("mallory");
    for (const [user, key] of [["steve", door.key.publicKey], ["mallory", mallory.publicKey]]) {
      const added = await w.cli(["user", "key", "add", user ?? "", key ?? ""]);
      assert.equal(added.code, 0, added.stderr);
    }
    const asSteve = (command: string[]) => ssh(w, door.sshCommand, login, command);
    const asMallory = (command: string[]) =>
      ssh(w, door.sshCommandFor(mallory.file), login, command);
    const asWorker = (command: string[]) =>
      ssh(w, door.sshCommandFor(workerKey.file), login, command);

    await t.step("the keys written by `user key add` get their customers in", async () => {
      assert.match((await asSteve(["help"])).stdout, /^dns-api: you are steve\./);
      assert.match((await asMallory(["help"])).stdout, /^dns-api: you are mallory\./);
    });

    await t.step(
      "a worker with REPOS_REMOTE and the worker key clones through sshd and syncs",
      async () => {
        const dir = await w.clone("steve");
        await w.commit(dir, { "zones/shop.test": ZONE });
        const push = await w.push(dir);
        assert.equal(push.code, 0, push.output);
        assert(push.uuid, push.output);
        const worker = w.startWorker({
          env: {
            REPOS_REMOTE: `ssh://${door.user}@127.0.0.1:${door.port}/`,
            // The operator's own ssh settings, as git users give them.
            GIT_SSH_COMMAND: door.sshCommandFor(workerKey.file),
          },
        });
        const view = await w.waitFinal(push.uuid);
        worker.kill("SIGTERM");
        await worker.status;
        assert.equal(view.status, "succeeded", JSON.stringify(view));
        const sets = await w.managedSets("shop.test");
        assert.deepEqual(sets?.map((s) => s.name), ["shop.test.", "www.shop.test."]);
        const log = await Deno.readTextFile(`${w.reposRoot}/.dns-api-ssh.log`);
        assert.match(log, /ssh user=\(worker\) .*command="git-upload-pack '\/steve'" allowed$/m);
      },
    );

    await t.step("the worker key cannot push", async () => {
      const dir = await w.clone("mallory");
      await w.commit(dir, { "zones/evil.test": ZONE.replaceAll("shop", "evil") });
      const url = `ssh://${door.user}@127.0.0.1:${door.port}/mallory`;
      const push = await w.push(dir, [url, "main"], {
        GIT_SSH_COMMAND: door.sshCommandFor(workerKey.file),
      });
      assert.notEqual(push.code, 0, push.output);
      assert.match(push.output, /refused: git-receive-pack is not available to a worker key/);
      const direct = await asWorker(["git-receive-pack", "'steve'"]);
      assert.equal(direct.code, 1);
      assert.equal(direct.stdout, "");
    });

    await t.step("the worker key cannot read customer commands or get a shell", async () => {
      for (const command of [["help"], ["logs"], ["nameservers"], ["check", "shop.test"], []]) {
        const r = await asWorker(command);
        assert.equal(r.code, 1, command.join(" "));
        assert.equal(r.stdout, "", command.join(" "));
        assert.match(r.stderr, /^dns-api: refused: .*allowed for a worker key: git fetch/m);
      }
    });

    await t.step("a key removed by `user key remove` is refused", async () => {
      const fp = await fingerprint(`${door.key.file}.pub`);
      const removed = await w.cli(["user", "key", "remove", "steve", fp]);
      assert.equal(removed.code, 0, removed.stderr);
      const r = await asSteve(["help"]);
      assert.equal(r.code, 255, r.stderr);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /Permission denied \(publickey\)/);
    });

    await t.step("a banned user's key is refused", async () => {
      const banned = await w.cli(["user", "ban", "mallory"]);
      assert.equal(banned.code, 0, banned.stderr);
      const r = await asMallory(["help"]);
      assert.equal(r.code, 255, r.stderr);
      assert.match(r.stderr, /Permission denied \(publickey\)/);
      // The worker key stays: it is the operator's, not a customer's.
      const fetch = await w.git(
        ["ls-remote", `ssh://${door.user}@127.0.0.1:${door.port}/mallory`],
        w.root,
        { GIT_SSH_COMMAND: door.sshCommandFor(workerKey.file) },
      );
      assert.equal(fetch.code, 0, fetch.stderr);
    });
  } finally {
    await sshd?.close();
    await world?.close();
  }
});
