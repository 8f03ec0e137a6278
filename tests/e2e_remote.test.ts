/**
 * End to end, a customer whose repository lives elsewhere: the operator registers the
 * remote (`user remote set`), the worker syncs the registered branch from it (served
 * here by `git daemon` on 127.0.0.1, allowed through DNSAPI_REMOTE_INSECURE_HOSTS) and
 * the job log names the remote and the commit; the original receiver's
 * `{uuid,owner,url}` job for that remote is queued, one for another URL set aside; a
 * local path or a loopback host that is not listed is refused at `set`. Private remotes:
 * over ssh with a deploy key (a local sshd), over http with a token (testing/git_http.ts,
 * a host that refuses any request without it).
 */
import assert from "node:assert/strict";
import { createWorld, sets, type World } from "../testing/world.ts";
import { freePort, gitDaemon } from "../testing/git_daemon.ts";
import { gitHttpHost } from "../testing/git_http.ts";
import { type Sshd, startSshd } from "../testing/sshd.ts";

function messages(job: { log: { message: string }[] }): string {
  return job.log.map((l) => l.message).join("\n");
}

/** A repository elsewhere with zones on `main` and other zones on `dns`; its bare copy. */
async function upstream(world: World): Promise<{ base: string; dnsCommit: string }> {
  const work = `${world.root}/elsewhere-work`;
  const base = `${world.root}/elsewhere`;
  await Deno.mkdir(work, { recursive: true });
  const git = async (args: string[], cwd = work) => {
    const r = await world.git(args, cwd);
    assert.equal(r.code, 0, `git ${args.join(" ")}: ${r.stderr}`);
    return r.stdout.trim();
  };
  await git(["init", "-q", "-b", "main"]);
  await world.commit(work, { "zones/steve.test": "steve.test. 300 IN A 192.0.2.1\n" });
  await git(["checkout", "-q", "-b", "dns"]);
  const dnsCommit = await world.commit(work, {
    "zones/steve.test": "steve.test. 300 IN A 192.0.2.53\n",
  });
  await Deno.mkdir(base, { recursive: true });
  await git(["clone", "-q", "--bare", work, `${base}/zones.git`], world.root);
  return { base, dnsCommit };
}

Deno.test("a user with a registered remote is synced from it; the original receiver's jobs for it are queued", async (t) => {
  const world = await createWorld({
    env: { DNSAPI_REMOTE_INSECURE_HOSTS: "127.0.0.1", DNSAPI_WEBHOOK_URL: "https://hooks.test/" },
  });
  let daemon: Deno.ChildProcess | undefined;
  try {
    await world.addUser("steve");
    await world.addUser("alice");
    const { base, dnsCommit } = await upstream(world);
    const port = freePort();
    daemon = await gitDaemon(base, port);
    const url = `git://127.0.0.1:${port}/zones.git`;

    let secret = "";
    await t.step(
      "`user remote set` registers the remote and prints the webhook secret once",
      async () => {
        const set = await world.cli(["user", "remote", "set", "steve", url, "--branch", "dns"]);
        assert.equal(set.code, 0, set.stderr);
        secret = /^webhook secret: ([0-9a-f]{64})$/m.exec(set.stdout)?.[1] ?? "";
        assert.ok(secret, set.stdout);
        assert.match(set.stdout, /^webhook URL: https:\/\/hooks\.test\/webhooks\/steve$/m);
        const again = await world.cli(["user", "remote", "set", "steve", url, "--branch", "dns"]);
        assert.equal(again.code, 0, again.stderr);
        assert.doesNotMatch(again.stdout, /webhook secret/);
      },
    );

    await t.step(
      "`user remote show` prints the remote and webhook URL, never the secret",
      async () => {
        const show = await world.cli(["user", "remote", "show", "steve", "--json"]);
        assert.equal(show.code, 0, show.stderr);
        const view = JSON.parse(show.stdout);
        assert.deepEqual(
          {
            user: view.user,
            url: view.url,
            branch: view.branch,
            auth: view.auth,
            hook: view.webhookUrl,
          },
          {
            user: "steve",
            url,
            branch: "dns",
            auth: "none",
            hook: "https://hooks.test/webhooks/steve",
          },
        );
        const text = await world.cli(["user", "remote", "show", "steve"]);
        assert.ok(!show.stdout.includes(secret) && !text.stdout.includes(secret));
        const printed = await world.cli(["user", "remote", "secret", "steve"]);
        assert.equal(printed.stdout.trim(), secret);
        const rotated = await world.cli(["user", "remote", "secret", "steve", "--rotate"]);
        assert.match(rotated.stdout.trim(), /^[0-9a-f]{64}$/);
        assert.notEqual(rotated.stdout.trim(), secret);
      },
    );

    await t.step(
      "a local path, file://, credentials and a loopback host not listed are refused",
      async () => {
        const cases: [string[], RegExp, Record<string, string>?][] = [
          [["alice", `${base}/zones.git`], /a local path is not a remote/],
          [["alice", `file://${base}/zones.git`], /file:\/\/ transport is not allowed/],
          [["alice", "https://alice:pw@github.com/a/z.git"], /must not carry credentials/],
          [
            ["alice", "https://127.0.0.1/zones.git"],
            /host 127\.0\.0\.1 is a loopback address/,
            { DNSAPI_REMOTE_INSECURE_HOSTS: "" },
          ],
          [["alice", "ssh://git@[::1]/zones.git"], /host ::1 is a loopback address/],
          [["alice", url], /git:\/\/ is unencrypted/, { DNSAPI_REMOTE_INSECURE_HOSTS: "" }],
          [["alice", "https://140.82.121.4/a/z.git", "--deploy-key"], /deploy key needs an ssh/],
        ];
        for (const [args, reason, env] of cases) {
          const r = await world.cli(["user", "remote", "set", ...args], env);
          assert.equal(r.code, 1, `${args.join(" ")}: ${r.stdout}`);
          assert.match(r.stderr, reason);
        }
        const none = await world.cli(["user", "remote", "show", "alice"]);
        assert.equal(none.code, 1);
        assert.match(none.stderr, /alice has no registered remote/);
      },
    );

    await t.step("`--token-file` stores an https token that `show` never prints", async () => {
      const file = `${world.root}/token`;
      await Deno.writeTextFile(file, "glpat-secret-token\n");
      const https = "https://140.82.121.4/alice/zones.git";
      const set = await world.cli(["user", "remote", "set", "alice", https, "--token-file", file]);
      assert.equal(set.code, 0, set.stderr);
      const show = await world.cli(["user", "remote", "show", "alice", "--json"]);
      assert.equal(JSON.parse(show.stdout).auth, "token");
      assert.ok(!(set.stdout + show.stdout).includes("glpat-secret-token"));
      const both = await world.cli(
        ["user", "remote", "set", "alice", https, "--token-file", file, "--deploy-key"],
      );
      assert.equal(both.code, 1);
      assert.match(both.stderr, /not both/);
      assert.equal((await world.cli(["user", "remote", "clear", "alice"])).code, 0);
    });

    const worker = world.startWorker();
    await worker.waitForEvent((e) => e.event === "started");

    await t.step(
      "the original receiver's job naming the remote (as https) is synced from its branch",
      async () => {
        const uuid = "6fa459ea-ee8a-11e0-a0b2-0800200c9a66";
        // The same repository in another form: the original receiver sent its clone URL.
        const sameRepo = `https://127.0.0.1/zones`;
        await world.redis.rpush(
          world.legacyKey,
          JSON.stringify({ uuid, owner: "Steve", url: sameRepo }),
        );
        const job = await world.waitFinal(uuid);
        assert.equal(job.status, "succeeded", JSON.stringify(job));
        assert.equal(job.commit, dnsCommit);
        assert.match(
          messages(job),
          new RegExp(
            `^synced working copy to ${dnsCommit.slice(0, 12)} from ${url} \\(branch dns\\)$`,
            "m",
          ),
        );
        assert.deepEqual(
          await world.managedSets("steve.test"),
          sets([{ name: "steve.test.", type: "A", ttl: 300, values: ["192.0.2.53"] }]),
        );
      },
    );

    await t.step("one naming another repository is set aside with the reason", async () => {
      const uuid = "7b2e14d0-ee8a-11e0-9b5f-0800200c9a66";
      await world.redis.rpush(
        world.legacyKey,
        JSON.stringify({ uuid, owner: "steve", url: "https://github.com/eve/zones.git" }),
      );
      const refused = await world.waitFinal(uuid);
      assert.equal(refused.status, "failed");
      assert.match(
        messages(refused),
        /^job refused: the job names a remote repository not registered for steve; /m,
      );
    });

    await t.step("`user remote clear` forgets the remote", async () => {
      const clear = await world.cli(["user", "remote", "clear", "steve"]);
      assert.equal(clear.code, 0, clear.stderr);
      assert.equal((await world.cli(["user", "remote", "show", "steve"])).code, 1);
    });

    worker.kill("SIGTERM");
    assert.equal((await worker.status).code, 0, worker.output());
  } finally {
    if (daemon) {
      daemon.kill("SIGTERM");
      await daemon.status;
    }
    await world.close();
  }
});

Deno.test("a private remote over ssh is synced with the deploy key `user remote set --deploy-key` made", async () => {
  const world = await createWorld({ env: { DNSAPI_REMOTE_INSECURE_HOSTS: "127.0.0.1" } });
  let server: Sshd | undefined;
  try {
    await world.addUser("steve");
    const { base, dnsCommit } = await upstream(world);
    // A git host that takes any key (no forced command): the deploy key logs in.
    server = await startSshd({ permitRootLogin: "prohibit-password" });
    const url = `ssh://${server.user}@127.0.0.1:${server.port}${base}/zones.git`;
    const set = await world.cli([
      "user",
      "remote",
      "set",
      "steve",
      url,
      "--branch",
      "dns",
      "--deploy-key",
    ]);
    assert.equal(set.code, 0, set.stderr);
    const publicKey = /^ssh-ed25519 \S+ dns-api steve$/m.exec(set.stdout)?.[0];
    assert.ok(publicKey, set.stdout);
    assert.doesNotMatch(set.stdout, /PRIVATE KEY/);
    const show = await world.cli(["user", "remote", "show", "steve", "--json"]);
    assert.equal(JSON.parse(show.stdout).auth, "deploy-key");
    assert.equal(JSON.parse(show.stdout).deployKey, publicKey, "show prints the public half again");
    assert.doesNotMatch(show.stdout, /PRIVATE KEY/);

    await Deno.writeTextFile(server.authorizedKeys, `${publicKey}\n`, { mode: 0o600 });
    const sync = await world.cli(["sync", "--user", "steve"]);
    assert.equal(sync.code, 0, sync.stdout + sync.stderr);
    assert.match(
      sync.stdout,
      new RegExp(`synced working copy to ${dnsCommit.slice(0, 12)} from ssh://`),
    );
    assert.deepEqual(
      await world.managedSets("steve.test"),
      sets([{ name: "steve.test.", type: "A", ttl: 300, values: ["192.0.2.53"] }]),
    );
    // The host key was learned on first use, into WORK_ROOT/.known_hosts.
    assert.match(await Deno.readTextFile(`${world.workRoot}/.known_hosts`), /ssh-ed25519/);
  } finally {
    await server?.close();
    await world.close();
  }
});

/** `user remote set USER URL --branch dns --token-file FILE`, the file holding `token`. */
async function setTokenRemote(world: World, url: string, token: string): Promise<void> {
  const tokenFile = `${world.root}/token`;
  await Deno.writeTextFile(tokenFile, `${token}\n`);
  const set = await world.cli(
    ["user", "remote", "set", "steve", url, "--branch", "dns", "--token-file", tokenFile],
  );
  assert.equal(set.code, 0, set.stderr);
}

Deno.test("a private remote over http is synced with the token `--token-file` stored; a wrong token fails without showing it", async () => {
  const world = await createWorld({ env: { DNSAPI_REMOTE_INSECURE_HOSTS: "127.0.0.1" } });
  const token = "glpat-Rz9xK2vQ7mT4";
  const { base, dnsCommit } = await upstream(world);
  // A bare token goes as GitHub's x-access-token user; the host checks exactly that pair.
  const host = gitHttpHost(base, `x-access-token:${token}`);
  try {
    await world.addUser("steve");
    const url = `${host.url}/zones.git`;
    await setTokenRemote(world, url, token);

    const sync = await world.cli(["sync", "--user", "steve"]);
    assert.equal(sync.code, 0, sync.stdout + sync.stderr);
    assert.match(sync.stdout, new RegExp(`synced working copy to ${dnsCommit.slice(0, 12)} from `));
    assert.deepEqual(
      await world.managedSets("steve.test"),
      sets([{ name: "steve.test.", type: "A", ttl: 300, values: ["192.0.2.53"] }]),
    );
    const expected = `Basic ${btoa(`x-access-token:${token}`)}`;
    assert.ok(host.seen.length > 0, "git never asked the host");
    assert.deepEqual(new Set(host.seen), new Set([expected]), "every request carries the token");

    // The token is revoked at the host: the next sync fails, saying why, never showing it.
    await setTokenRemote(world, url, "glpat-revoked-0000");
    const refused = await world.cli(["sync", "--user", "steve"]);
    const said = refused.stdout + refused.stderr;
    assert.notEqual(refused.code, 0, said);
    assert.match(said, /Authentication failed for 'http:\/\/127\.0\.0\.1:\d+\/zones\.git\/'/);
    assert.ok(!said.includes("glpat-revoked-0000") && !said.includes(token), said);
    assert.ok(!said.includes(btoa("x-access-token:glpat-revoked-0000")), said);
    assert.deepEqual(
      await world.managedSets("steve.test"),
      sets([{ name: "steve.test.", type: "A", ttl: 300, values: ["192.0.2.53"] }]),
      "a failed fetch changes nothing",
    );
  } finally {
    await host.close();
    await world.close();
  }
});

Deno.test("a private http remote that redirects elsewhere is not followed: the token never reaches the other host", async () => {
  const world = await createWorld({ env: { DNSAPI_REMOTE_INSECURE_HOSTS: "127.0.0.1" } });
  const token = "glpat-Rz9xK2vQ7mT4";
  const { base } = await upstream(world);
  // The other host would serve the repository to that token: following the redirect
  // would succeed, so only a refusal to follow it makes the sync fail.
  const elsewhere = gitHttpHost(base, `x-access-token:${token}`);
  const host = gitHttpHost(base, `x-access-token:${token}`, {
    redirectTo: elsewhere.url.replace("127.0.0.1", "localhost"),
  });
  try {
    await world.addUser("steve");
    await setTokenRemote(world, `${host.url}/zones.git`, token);
    const sync = await world.cli(["sync", "--user", "steve"]);
    const said = sync.stdout + sync.stderr;
    assert.notEqual(sync.code, 0, said);
    assert.ok(host.seen.length > 0, "git never asked the first host");
    assert.deepEqual(elsewhere.seen, [], "the redirect was followed");
    assert.ok(!said.includes(token), said);
    assert.equal(await world.managedSets("steve.test"), null, "no zone was created");
  } finally {
    await host.close();
    await elsewhere.close();
    await world.close();
  }
});
