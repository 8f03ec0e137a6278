import assert from "node:assert/strict";
import { UnrecoverableError } from "../lib/errors.ts";
import { type RemoteSource, tokenHeader, withRemoteAccess } from "../lib/git.ts";

const OPTIONS = {
  insecureHosts: [],
  knownHostsFile: "/git/.known_hosts",
  resolve: () => Promise.resolve(["140.82.121.4"]),
};
const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n-----END OPENSSH PRIVATE KEY-----";

Deno.test("a deploy key is a mode-600 file for the fetch only, used by ssh with IdentitiesOnly", async () => {
  const remote: RemoteSource = {
    url: "git@github.com:steve/zones.git",
    branch: "main",
    auth: "deploy-key",
    credential: KEY,
  };
  let keyFile = "";
  await withRemoteAccess(remote, OPTIONS, async (env) => {
    const ssh = env.GIT_SSH_COMMAND ?? "";
    keyFile = /-i '([^']+)'/.exec(ssh)?.[1] ?? "";
    assert.ok(keyFile, ssh);
    assert.equal((await Deno.stat(keyFile)).mode! & 0o777, 0o600);
    assert.equal(await Deno.readTextFile(keyFile), KEY + "\n");
    for (
      const option of [
        "-o IdentitiesOnly=yes",
        "-o StrictHostKeyChecking=accept-new",
        "-o UserKnownHostsFile='/git/.known_hosts'",
        "-o BatchMode=yes",
        "-F /dev/null",
      ]
    ) {
      assert.ok(ssh.includes(option), `${ssh} has ${option}`);
    }
    assert.ok(!JSON.stringify(env).includes("fake"), "the key itself is not in the environment");
  });
  await assert.rejects(Deno.stat(keyFile), Deno.errors.NotFound);
});

Deno.test("the key file is removed when the fetch fails", async () => {
  let keyFile = "";
  const remote: RemoteSource = {
    url: "ssh://git@github.com/steve/zones",
    branch: "main",
    auth: "deploy-key",
    credential: KEY,
  };
  await assert.rejects(
    withRemoteAccess(remote, OPTIONS, (env) => {
      keyFile = /-i '([^']+)'/.exec(env.GIT_SSH_COMMAND ?? "")?.[1] ?? "";
      return Promise.reject(new Error("network down"));
    }),
    /network down/,
  );
  assert.ok(keyFile);
  await assert.rejects(Deno.stat(keyFile), Deno.errors.NotFound);
});

Deno.test("a token travels as an http.extraHeader through GIT_CONFIG_*, and redirects are not followed", async () => {
  const remote: RemoteSource = {
    url: "https://github.com/steve/zones.git",
    branch: "main",
    auth: "token",
    credential: "ghp_abc",
  };
  await withRemoteAccess(remote, OPTIONS, (env) => {
    const pairs = Array.from(
      { length: Number(env.GIT_CONFIG_COUNT) },
      (_, i) => [env[`GIT_CONFIG_KEY_${i}`], env[`GIT_CONFIG_VALUE_${i}`]],
    );
    assert.deepEqual(pairs, [
      ["http.followRedirects", "false"],
      ["http.curloptResolve", "github.com:443:140.82.121.4"],
      ["http.extraHeader", `Authorization: Basic ${btoa("x-access-token:ghp_abc")}`],
    ]);
    assert.equal(env.GIT_SSH_COMMAND, undefined);
    return Promise.resolve();
  });
  assert.equal(tokenHeader(" t\n"), `Authorization: Basic ${btoa("x-access-token:t")}`);
  assert.equal(tokenHeader("x-token-auth:t"), `Authorization: Basic ${btoa("x-token-auth:t")}`);
});

Deno.test("a remote no longer allowed at fetch time fails the job for the operator to fix", async () => {
  const cases: [RemoteSource, RegExp][] = [
    [
      { url: "git://github.com/steve/zones.git", branch: "main", auth: "none", credential: null },
      /unencrypted/,
    ],
    [
      { url: "https://github.com/steve/zones.git", branch: "main", auth: "none", credential: null },
      /resolves to 10\.0\.0\.7, a private address/,
    ],
    [
      { url: "https://140.82.121.4/s/z", branch: "main", auth: "deploy-key", credential: KEY },
      /a deploy key needs an ssh/,
    ],
  ];
  for (const [remote, reason] of cases) {
    let fetched = false;
    const error = await withRemoteAccess(
      remote,
      { ...OPTIONS, resolve: () => Promise.resolve(["10.0.0.7"]) },
      () => {
        fetched = true;
        return Promise.resolve();
      },
    ).catch((e) => e);
    assert.ok(error instanceof UnrecoverableError, String(error));
    assert.match(error.message, /^Cannot fetch the registered remote: /);
    assert.match(error.message, reason);
    assert.equal(fetched, false);
  }
});

/** The GIT_CONFIG_* pairs of a fetch's environment. */
function configPairs(env: Record<string, string>): [string, string][] {
  return Array.from(
    { length: Number(env.GIT_CONFIG_COUNT) },
    (_, i) => [env[`GIT_CONFIG_KEY_${i}`] ?? "", env[`GIT_CONFIG_VALUE_${i}`] ?? ""],
  );
}

Deno.test("git connects only to the addresses the check approved: https through curl's resolve, ssh through HostName", async () => {
  const answers = ["2606:50c0:8000::154", "140.82.121.4"];
  const options = { ...OPTIONS, resolve: () => Promise.resolve(answers) };
  const https: RemoteSource = {
    url: "https://git.example.com:8443/steve/zones.git",
    branch: "main",
    auth: "none",
    credential: null,
  };
  await withRemoteAccess(https, options, (env) => {
    assert.deepEqual(
      configPairs(env).find(([key]) => key === "http.curloptResolve"),
      ["http.curloptResolve", "git.example.com:8443:[2606:50c0:8000::154],140.82.121.4"],
    );
    return Promise.resolve();
  });
  const cases: [string, string][] = [
    ["git@git.example.com:steve/zones.git", "git.example.com"],
    ["ssh://git@git.example.com:2222/steve/zones", "[git.example.com]:2222"],
    ["ssh://git@git.example.com:22/steve/zones", "git.example.com"],
  ];
  for (const [url, alias] of cases) {
    const remote: RemoteSource = { url, branch: "main", auth: "none", credential: null };
    await withRemoteAccess(remote, options, (env) => {
      const ssh = env.GIT_SSH_COMMAND ?? "";
      assert.ok(ssh.includes("-o 'HostName=140.82.121.4'"), ssh);
      assert.ok(ssh.includes(`-o 'HostKeyAlias=${alias}'`), ssh);
      assert.equal(configPairs(env).some(([key]) => key === "http.curloptResolve"), false);
      return Promise.resolve();
    });
  }
  // An address in the URL, or a listed host, is used as it is: nothing to pin.
  for (
    const [url, insecureHosts] of [
      ["https://140.82.121.4/steve/zones.git", []],
      ["https://git.internal/steve/zones.git", ["git.internal"]],
    ] as const
  ) {
    const remote: RemoteSource = { url, branch: "main", auth: "none", credential: null };
    await withRemoteAccess(remote, { ...options, insecureHosts }, (env) => {
      assert.equal(configPairs(env).some(([key]) => key === "http.curloptResolve"), false, url);
      return Promise.resolve();
    });
  }
});
