/**
 * Pinned addresses, with the real git and ssh: the environment withRemoteAccess gives a
 * fetch for the addresses its check approved (curl's resolve list for https, HostName and
 * HostKeyAlias for ssh) makes git reach that address for a name that resolves nowhere,
 * and keeps the host key filed under the name. The check refuses loopback addresses, so
 * it is given a public one, which the environment then has replaced by 127.0.0.1, where
 * the test's hosts listen: every other byte is the product's.
 */
import assert from "node:assert/strict";
import { type RemoteSource, withRemoteAccess } from "../lib/git.ts";
import { gitHttpHost } from "../testing/git_http.ts";
import { startSshd } from "../testing/sshd.ts";

const NAME = "pinned.invalid";

const PUBLIC = "140.82.121.4";

/** The environment withRemoteAccess gives the fetch, the approved address moved to loopback. */
async function pinnedEnv(remote: RemoteSource, knownHostsFile: string) {
  const options = { insecureHosts: [], knownHostsFile, resolve: () => Promise.resolve([PUBLIC]) };
  return await withRemoteAccess(remote, options, (env) => {
    assert.ok(JSON.stringify(env).includes(PUBLIC), "the approved address is pinned");
    return Promise.resolve(
      Object.fromEntries(
        Object.entries(env).map(([k, v]) => [k, v.replaceAll(PUBLIC, "127.0.0.1")]),
      ),
    );
  });
}

async function git(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command("git", {
    args,
    env: { GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

async function bareRepository(): Promise<string> {
  const base = await Deno.makeTempDir({ prefix: "dnsapi-pin-" });
  assert.equal((await git(["init", "-q", "--bare", `${base}/zones.git`])).code, 0);
  return base;
}

Deno.test("git over http(s) goes to the pinned address of a name that resolves nowhere", async () => {
  const base = await bareRepository();
  const host = gitHttpHost(base, "u:t");
  try {
    const port = new URL(host.url).port;
    const url = `http://${NAME}:${port}/zones.git`;
    const auth = `http.extraHeader=Authorization: Basic ${btoa("u:t")}`;
    const unpinned = await git(["-c", auth, "ls-remote", url]);
    assert.notEqual(unpinned.code, 0);
    assert.match(unpinned.stderr, /Could not resolve host: pinned\.invalid/);
    const env = await pinnedEnv(
      { url: url.replace("http:", "https:"), branch: "main", auth: "none", credential: null },
      `${base}/known_hosts`,
    );
    // The environment is the https one; the test host speaks plain http on that port.
    const pinned = await git(["-c", auth, "ls-remote", url], env);
    assert.equal(pinned.code, 0, pinned.stderr);
    assert.ok(host.seen.length > 0);
  } finally {
    await host.close();
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("git over ssh goes to the pinned address and files the host key under the name", async () => {
  const base = await bareRepository();
  const server = await startSshd({ permitRootLogin: "prohibit-password" });
  const knownHosts = `${base}/known_hosts`;
  try {
    await Deno.writeTextFile(server.authorizedKeys, `${server.key.publicKey}\n`, { mode: 0o600 });
    const url = `ssh://${server.user}@${NAME}:${server.port}${base}/zones.git`;
    const key = await Deno.readTextFile(server.key.file);
    const options = {
      insecureHosts: [],
      knownHostsFile: knownHosts,
      resolve: () => Promise.resolve([PUBLIC]),
    };
    const remote: RemoteSource = { url, branch: "main", auth: "deploy-key", credential: key };
    // Inside the access: the deploy key's file exists only while it lasts.
    await withRemoteAccess(remote, options, async (env) => {
      const ssh = (env.GIT_SSH_COMMAND ?? "").replaceAll(PUBLIC, "127.0.0.1");
      for (let i = 0; i < 2; i++) {
        const fetched = await git(["ls-remote", url], { GIT_SSH_COMMAND: ssh });
        assert.equal(fetched.code, 0, fetched.stderr);
      }
    });
    const filed = (await Deno.readTextFile(knownHosts)).trim().split("\n");
    assert.equal(filed.length, 1, filed.join("\n"));
    assert.match(filed[0] ?? "", new RegExp(`^\\[${NAME.replace(".", "\\.")}\\]:${server.port} `));
  } finally {
    await server.close();
    await Deno.remove(base, { recursive: true });
  }
});
