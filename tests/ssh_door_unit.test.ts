/**
 * The SSH door's decisions (lib/hook/ssh.ts) and the hook settings file format
 * (lib/git/repos.ts writes it, lib/hook/settings.ts reads it), without sshd.
 */
import assert from "node:assert/strict";
import { hookSettingsText, shellQuote, writeHookSettings } from "../lib/git.ts";
import { loadConfig } from "../lib/config.ts";
import { hookSettings } from "../cli/user_cmds.ts";
import {
  decide,
  decideWorker,
  fingerprintOf,
  parseSettings,
  repoOfPath,
  runSsh,
  runSshWorker,
  settingOf,
  splitWords,
  type SshIo,
} from "../lib/hook.ts";

const ROOT = "/srv/repos";

Deno.test("git-receive-pack and git-upload-pack reach the user's own repository however it is written", () => {
  for (
    const path of [
      "steve",
      "steve.git",
      "/steve",
      "/steve.git",
      "~/steve",
      `${ROOT}/steve`,
      "steve/",
    ]
  ) {
    for (
      const command of [
        "git-receive-pack",
        "git-upload-pack",
        "git receive-pack",
        "git upload-pack",
      ]
    ) {
      const d = decide(`${command} '${path}'`, "steve", ROOT);
      assert.equal(d.kind, "git", `${command} ${path}`);
    }
  }
  assert.deepEqual(decide(`git-upload-pack "steve.git"`, "steve", ROOT), {
    kind: "git",
    service: "upload-pack",
  });
});

Deno.test("another repository, a path out of the root, a shell and unknown commands are refused", () => {
  const refused = [
    "git-upload-pack 'mallory'",
    "git-upload-pack '/srv/repos/mallory'",
    "git-upload-pack '../steve'",
    "git-upload-pack '/srv/repos/../steve'",
    "git-upload-pack '/etc/steve'",
    "git-upload-pack 'steve/../mallory'",
    "git-receive-pack",
    "git-receive-pack steve mallory",
    "git-upload-archive 'steve'",
    "scp -t /tmp",
    "/usr/lib/openssh/sftp-server",
    "internal-sftp",
    "bash",
    "ls; git-upload-pack steve",
    "git-upload-pack 'steve",
    "help me",
    "check",
    "logs a b",
    "toString",
    "",
    "   ",
  ];
  for (const command of refused) {
    assert.equal(decide(command, "steve", ROOT).kind, "refuse", command);
  }
  assert.equal(decide(undefined, "steve", ROOT).kind, "refuse");
});

Deno.test("the customer commands are recognised with their arguments", () => {
  assert.deepEqual(decide("help", "steve", ROOT), { kind: "help" });
  for (
    const line of [
      "check shop.test",
      "logs",
      "logs --json",
      "logs 0b9c --json",
      "nameservers",
      "nameservers shop.test",
    ]
  ) {
    assert.equal(decide(line, "steve", ROOT).kind, "customer", line);
  }
});

Deno.test("splitWords() and repoOfPath() read what ssh clients send", () => {
  assert.deepEqual(splitWords(`git-upload-pack 'a b'"c" d\\ e`), [
    "git-upload-pack",
    "a bc",
    "d e",
  ]);
  assert.equal(splitWords("x 'open"), undefined);
  assert.equal(repoOfPath("~/steve.git", ROOT), "steve");
  assert.equal(repoOfPath("/srv/repos//steve/", ROOT), "steve");
  // `..` is resolved before the root is taken off, so it cannot climb to a neighbour.
  assert.equal(repoOfPath("/srv/repos/../steve", ROOT), "srv/steve");
});

Deno.test("fingerprintOf() gives ssh-keygen's SHA256 fingerprint of SSH_USER_AUTH's key", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await new Deno.Command("ssh-keygen", {
      args: ["-q", "-t", "ed25519", "-N", "", "-f", `${dir}/k`],
    }).output();
    const pub = (await Deno.readTextFile(`${dir}/k.pub`)).trim();
    const lf = new TextDecoder().decode(
      (await new Deno.Command("ssh-keygen", { args: ["-lf", `${dir}/k.pub`] }).output()).stdout,
    );
    assert.equal(await fingerprintOf(`publickey ${pub}\n`), lf.split(" ")[1]);
    assert.equal(await fingerprintOf("password\n"), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

function fakeIo(
  env: Record<string, string>,
): SshIo & { err: string[]; out: string[]; runs: string[][]; logged: string[] } {
  const io = {
    err: [] as string[],
    out: [] as string[],
    runs: [] as string[][],
    logged: [] as string[],
    env: (name: string) => env[name],
    childEnv: env,
    stderr: (line: string) => void io.err.push(line),
    stdout: (text: string) => void io.out.push(text),
    run: (argv: string[]) => {
      io.runs.push(argv);
      return Promise.resolve(0);
    },
    appendLine: (_path: string, line: string) => {
      io.logged.push(line);
      return Promise.resolve();
    },
    readTextFile: () => Promise.reject(new Error("no file")),
  };
  return io;
}

Deno.test("runSsh() runs git on the repository without a shell and hands customer commands to the worker", async () => {
  const env = {
    REPOS_ROOT: ROOT,
    SSH_CONNECTION: "192.0.2.9 50123 127.0.0.1 22",
    SSH_ORIGINAL_COMMAND: "git-receive-pack '/steve.git'",
    DNSAPI_WORKER_COMMAND: JSON.stringify(["/usr/local/bin/dns-api-worker"]),
  };
  const io = fakeIo(env);
  assert.equal(await runSsh(io, ["steve"]), 0);
  assert.deepEqual(io.runs, [["git", "receive-pack", `${ROOT}/steve`]]);
  assert.match(
    io.logged[0] ?? "",
    / ssh user=steve from=192\.0\.2\.9:50123 command="git-receive-pack '\/steve\.git'" allowed$/,
  );

  const logs = fakeIo({ ...env, SSH_ORIGINAL_COMMAND: "logs --json" });
  assert.equal(await runSsh(logs, ["steve"]), 0);
  assert.deepEqual(logs.runs, [[
    "/usr/local/bin/dns-api-worker",
    "customer",
    "steve",
    "--",
    "logs",
    "--json",
  ]]);

  const refused = fakeIo({ ...env, SSH_ORIGINAL_COMMAND: "rm -rf /" });
  assert.equal(await runSsh(refused, ["steve"]), 1);
  assert.deepEqual(refused.runs, []);
  assert.equal(refused.err.length, 1);
  assert.match(refused.logged[0] ?? "", /refused \(unknown command "rm"\)$/);

  const broken = fakeIo({ ...env, SSH_ORIGINAL_COMMAND: "git-upload-pack steve" });
  assert.equal(await runSsh(broken, ["../x"]), 1);
  assert.deepEqual(broken.runs, []);
});

Deno.test("a worker key fetches any customer repository, however written, and nothing else", () => {
  for (
    const command of [
      "git-upload-pack 'steve'",
      "git upload-pack '/ann.git'",
      `git-upload-pack ${ROOT}/bo`,
    ]
  ) {
    const d = decideWorker(command, ROOT);
    assert.equal(d.kind, "fetch", command);
  }
  assert.deepEqual(decideWorker("git-upload-pack '~/steve.git'", ROOT), {
    kind: "fetch",
    repo: "steve",
  });
  const refused: [string | undefined, RegExp][] = [
    [undefined, /no shell here/],
    ["", /no shell here/],
    ["git-receive-pack 'steve'", /git-receive-pack is not available to a worker key/],
    ["git receive-pack 'steve'", /git-receive-pack is not available to a worker key/],
    ["logs", /logs is not available/],
    ["help", /help is not available/],
    ["nameservers shop.test", /nameservers is not available/],
    ["sh -c id", /sh is not available/],
    ["git-upload-pack '../etc'", /not a customer repository/],
    ["git-upload-pack '/etc/passwd'", /not a customer repository/],
    ["git-upload-pack steve ann", /takes one repository/],
  ];
  for (const [command, reason] of refused) {
    const d = decideWorker(command, ROOT);
    assert.equal(d.kind, "refuse", String(command));
    assert.match(d.kind === "refuse" ? d.reason : "", reason, String(command));
  }
});

Deno.test("runSshWorker() runs git upload-pack without a shell and logs the connection as the worker's", async () => {
  const env = {
    REPOS_ROOT: ROOT,
    SSH_CONNECTION: "192.0.2.7 40000 127.0.0.1 22",
    SSH_ORIGINAL_COMMAND: "git-upload-pack '/steve'",
  };
  const io = fakeIo(env);
  assert.equal(await runSshWorker(io, []), 0);
  assert.deepEqual(io.runs, [["git", "upload-pack", `${ROOT}/steve`]]);
  assert.match(io.logged[0] ?? "", / ssh user=\(worker\) from=192\.0\.2\.7:40000 .* allowed$/);

  const push = fakeIo({ ...env, SSH_ORIGINAL_COMMAND: "git-receive-pack '/steve'" });
  assert.equal(await runSshWorker(push, []), 1);
  assert.deepEqual(push.runs, []);
  assert.match(push.err.join("\n"), /^dns-api: refused: .*allowed for a worker key: git fetch/);

  const extra = fakeIo(env);
  assert.equal(await runSshWorker(extra, ["steve"]), 1);
  assert.deepEqual(extra.runs, []);
});

Deno.test("the hook settings file reads back what the worker wrote, quotes and all", async () => {
  const settings = {
    REDIS_URL: "redis://:p'w$x@127.0.0.1:6379",
    REPOS_ROOT: "/srv/repos",
    EMPTY: "",
  };
  const text = hookSettingsText(settings);
  assert.equal(text.split("\n")[1], `REDIS_URL=${shellQuote(settings.REDIS_URL)}`);
  assert.deepEqual(parseSettings(text), settings);
  // sh reads it the same way.
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/hook.env`;
    assert.equal(await writeHookSettings(file, settings), true);
    assert.equal(await writeHookSettings(file, settings), false);
    assert.equal((await Deno.stat(file)).mode! & 0o777, 0o600);
    const sh = await new Deno.Command("sh", {
      args: ["-c", `. ${shellQuote(file)}; printf %s "$REDIS_URL"`],
      stdout: "piped",
    }).output();
    assert.equal(new TextDecoder().decode(sh.stdout), settings.REDIS_URL);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.throws(
    () => parseSettings("REDIS_URL=$(id)\n", "hook.env"),
    /hook\.env:1: not a KEY='value' line/,
  );
  assert.throws(() => hookSettingsText({ X: "a\nb" }), TypeError);
});

Deno.test("the settings file overrides the pusher's environment, but for how long the push waits", () => {
  const settings = { REDIS_URL: "redis://10.0.0.1:6379", DNS_API_HOOK_WAIT: "10" };
  const inherited = (name: string) =>
    ({ REDIS_URL: "redis://127.0.0.1:1", DNS_API_HOOK_WAIT: "60", GIT_DIR: "." })[name];
  assert.equal(settingOf(settings, inherited, "REDIS_URL"), "redis://10.0.0.1:6379");
  assert.equal(settingOf(settings, inherited, "DNS_API_HOOK_WAIT"), "60");
  assert.equal(settingOf(settings, () => undefined, "DNS_API_HOOK_WAIT"), "10");
  assert.equal(settingOf(settings, inherited, "GIT_DIR"), ".");
});

Deno.test("the wait is read as DNSAPI_HOOK_WAIT or the old DNS_API_HOOK_WAIT; the new name wins in each place", () => {
  const none = () => undefined;
  const pusher = (env: Record<string, string>) => (name: string) => env[name];
  const file = { DNSAPI_HOOK_WAIT: "10" };
  for (const name of ["DNSAPI_HOOK_WAIT", "DNS_API_HOOK_WAIT"]) {
    assert.equal(settingOf(file, none, name), "10", name);
    assert.equal(settingOf({ DNS_API_HOOK_WAIT: "7" }, none, name), "7", "an old settings file");
    assert.equal(settingOf(file, pusher({ DNS_API_HOOK_WAIT: "60" }), name), "60", "pusher's old");
    assert.equal(
      settingOf(file, pusher({ DNS_API_HOOK_WAIT: "60", DNSAPI_HOOK_WAIT: "5" }), name),
      "5",
      "both set: the new name",
    );
    assert.equal(
      settingOf({ DNS_API_HOOK_WAIT: "3", DNSAPI_HOOK_WAIT: "4" }, none, name),
      "4",
      "both in the file: the new name",
    );
  }
});

Deno.test("the hooks' settings file carries the wait under DNSAPI_HOOK_WAIT, read from either name", () => {
  const written = hookSettings(loadConfig({ DNS_API_HOOK_WAIT: "30" }));
  assert.equal(written.DNSAPI_HOOK_WAIT, "30");
  assert.equal(written.DNS_API_HOOK_WAIT, undefined, "one name in the file");
  assert.equal(hookSettings(loadConfig({ DNSAPI_HOOK_WAIT: "20" })).DNSAPI_HOOK_WAIT, "20");
});

Deno.test("an unreadable settings file is reported; pre-receive still lets the push through", async () => {
  const hook = new URL("../hook.ts", import.meta.url).pathname;
  const run = async (mode: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-q",
        "--allow-env",
        "--allow-read",
        hook,
        "--settings",
        "/nonexistent/x.env",
        ...mode,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    return { code: out.code, text };
  };
  for (
    const [mode, code] of [[["post-receive"], 1], [["pre-receive"], 0], [
      ["ssh", "steve"],
      1,
    ]] as const
  ) {
    const r = await run([...mode]);
    assert.equal(r.code, code, mode.join(" "));
    assert.match(
      r.text,
      /^dns-api: cannot read the hook settings: .*\/nonexistent\/x\.env/,
      r.text,
    );
  }
});
