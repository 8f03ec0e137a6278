import assert from "node:assert/strict";
import { join } from "node:path";
import {
  binaryHookCommand,
  createUserRepo,
  hookScript,
  installHooks,
  shellQuote,
  sourceHookCommand,
} from "../lib/git.ts";

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "dnsapi_repos_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Runs the customer's git with their own HOME and identity, plus `env`. */
async function customerGit(
  dir: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ stdout: string; stderr: string }> {
  const home = join(dir, "home");
  await Deno.mkdir(home, { recursive: true });
  const out = await new Deno.Command("git", {
    args,
    cwd,
    stdin: "null",
    env: {
      HOME: home,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: join(home, ".gitconfig"),
      GIT_AUTHOR_NAME: "Customer",
      GIT_AUTHOR_EMAIL: "customer@example.test",
      GIT_COMMITTER_NAME: "Customer",
      GIT_COMMITTER_EMAIL: "customer@example.test",
      ...env,
    },
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`git ${args.join(" ")}: ${stderr}`);
  return { stdout, stderr };
}

/** Commits one zone file in a fresh clone of `repo` and pushes it; returns the sha. */
async function pushOnce(
  dir: string,
  repo: string,
  env: Record<string, string> = {},
): Promise<{ sha: string; stderr: string }> {
  const clone = join(dir, `clone-${crypto.randomUUID()}`);
  await customerGit(dir, ["clone", "-q", repo, clone], dir);
  await Deno.mkdir(join(clone, "zones"), { recursive: true });
  await Deno.writeTextFile(join(clone, "zones/shop.test"), `; ${crypto.randomUUID()}\n`);
  await customerGit(dir, ["add", "-A"], clone);
  await customerGit(dir, ["commit", "-q", "-m", "zone"], clone);
  const sha = (await customerGit(dir, ["rev-parse", "HEAD"], clone)).stdout.trim();
  const { stderr } = await customerGit(dir, ["push", "origin", "HEAD:main"], clone, env);
  return { sha, stderr };
}

/** A hook command that records its arguments, one env variable and its stdin. */
async function recorder(dir: string): Promise<string> {
  const path = join(dir, "bin with space", "rec'ord.sh");
  await Deno.mkdir(join(dir, "bin with space"), { recursive: true });
  await Deno.writeTextFile(
    path,
    `#!/bin/sh\n{ printf 'arg:%s\\n' "$@"; printf 'env:%s\\n' "$FROM_ENV_FILE"; cat; echo ---; } >> "$REC_OUT"\n`,
    { mode: 0o755 },
  );
  return path;
}

Deno.test("createUserRepo() makes a bare repository on main with executable hooks running the command", async () => {
  await withTemp(async (dir) => {
    const root = join(dir, "repos");
    const r = await createUserRepo(root, "steve", binaryHookCommand("/usr/local/bin/dns-api-hook"));
    assert.equal(r.path, join(root, "steve"));
    assert.equal(r.created, true);
    assert.equal((await Deno.readTextFile(join(r.path, "HEAD"))).trim(), "ref: refs/heads/main");
    for (const mode of ["post-receive", "pre-receive"]) {
      const path = join(r.path, "hooks", mode);
      const info = await Deno.stat(path);
      assert.equal((info.mode ?? 0) & 0o777, 0o755, mode);
      const text = await Deno.readTextFile(path);
      assert(text.startsWith("#!/bin/sh\n"));
      assert(text.includes(`exec '/usr/local/bin/dns-api-hook' '${mode}'\n`), text);
    }
    // Only our hooks: no template samples.
    assert.deepStrictEqual(
      (await Array.fromAsync(Deno.readDir(join(r.path, "hooks")))).map((e) => e.name).sort(),
      ["post-receive", "pre-receive"],
    );
  });
});

Deno.test("a push runs both wrappers with the mode, every argument intact, git's stdin and the pusher's environment", async () => {
  await withTemp(async (dir) => {
    const rec = await recorder(dir);
    const out = join(dir, "rec.out");
    const args = ["it's", "$HOME; touch /tmp/pwned", "a b", "line\nbreak", "`id`"];
    const { path } = await createUserRepo(join(dir, "repos"), "steve", {
      command: [rec, ...args],
    });
    const { sha } = await pushOnce(dir, path, { REC_OUT: out });
    const lines = await Deno.readTextFile(out);
    const argLines = args.map((a) => `arg:${a}`).join("\n");
    const input = `${"0".repeat(40)} ${sha} refs/heads/main`;
    assert.equal(
      lines,
      `${argLines}\narg:pre-receive\nenv:\n${input}\n---\n` +
        `${argLines}\narg:post-receive\nenv:\n${input}\n---\n`,
    );
  });
});

Deno.test("a baked env file is read by the wrapper when it exists", async () => {
  await withTemp(async (dir) => {
    const rec = await recorder(dir);
    const out = join(dir, "rec.out");
    const envFile = join(dir, "etc", "hook env");
    const { path } = await createUserRepo(join(dir, "repos"), "steve", { command: [rec] }, {
      envFile,
      modes: ["post-receive"],
    });
    await pushOnce(dir, path, { REC_OUT: out });
    assert.match(await Deno.readTextFile(out), /^env:$/m, "a missing env file is skipped");
    await Deno.mkdir(join(dir, "etc"));
    await Deno.writeTextFile(envFile, "FROM_ENV_FILE='from the file'\n");
    await pushOnce(dir, path, { REC_OUT: out });
    assert.match(await Deno.readTextFile(out), /^env:from the file$/m);
  });
});

Deno.test("installHooks() is idempotent and rewrites hooks whose command changed", async () => {
  await withTemp(async (dir) => {
    const hook = binaryHookCommand("/usr/local/bin/dns-api-hook");
    const { path } = await createUserRepo(join(dir, "repos"), "steve", hook);
    const post = join(path, "hooks", "post-receive");
    const before = await Deno.stat(post);
    const again = await installHooks(path, hook);
    assert.deepStrictEqual(again.written, []);
    assert.equal(again.unchanged.length, 2);
    assert.equal((await Deno.stat(post)).mtime?.getTime(), before.mtime?.getTime());
    const second = await createUserRepo(join(dir, "repos"), "steve", hook);
    assert.equal(second.created, false);
    assert.deepStrictEqual(second.hooks.written, []);

    const moved = binaryHookCommand("/opt/dns-api/bin/dns-api-hook");
    assert.equal((await installHooks(path, moved)).written.length, 2);
    assert.match(await Deno.readTextFile(post), /exec '\/opt\/dns-api\/bin\/dns-api-hook'/);
    // A hook that lost its executable bit is repaired.
    await Deno.chmod(post, 0o644);
    assert.deepStrictEqual((await installHooks(path, moved)).written, [post]);
    assert.equal(((await Deno.stat(post)).mode ?? 0) & 0o777, 0o755);
    const leftovers = (await Array.fromAsync(Deno.readDir(join(path, "hooks"))))
      .filter((e) => e.name.endsWith(".tmp"));
    assert.deepStrictEqual(leftovers, []);
  });
});

Deno.test("createUserRepo() refuses bad user names and creates nothing", async () => {
  await withTemp(async (dir) => {
    const root = join(dir, "repos");
    const bad = ["", "Steve", "../steve", "a/b", "-x", ".git", "a b", "x".repeat(65), "ü"];
    for (const user of bad) {
      await assert.rejects(
        () => createUserRepo(root, user, binaryHookCommand("/bin/true")),
        TypeError,
        JSON.stringify(user),
      );
    }
    assert.equal(await Deno.lstat(root).then(() => true, () => false), false);
  });
});

Deno.test("createUserRepo() refuses a path that exists but is not a bare repository", async () => {
  await withTemp(async (dir) => {
    const root = join(dir, "repos");
    await Deno.mkdir(join(root, "steve"), { recursive: true });
    await Deno.writeTextFile(join(root, "steve", "notes"), "keep");
    await assert.rejects(
      () => createUserRepo(root, "steve", binaryHookCommand("/bin/true")),
      /not a bare git repository/,
    );
    await assert.rejects(
      () => installHooks(join(root, "steve"), binaryHookCommand("/bin/true")),
      /not a bare git repository/,
    );
    await assert.rejects(
      () => createUserRepo("repos", "steve", binaryHookCommand("/bin/true")),
      /not an absolute path/,
    );
  });
});

Deno.test("hookScript() refuses an empty command and NUL bytes", () => {
  assert.throws(() => hookScript("post-receive", { command: [] }), TypeError);
  assert.throws(() => hookScript("post-receive", { command: [""] }), TypeError);
  assert.throws(() => hookScript("post-receive", { command: ["/bin/x", "a\0b"] }), TypeError);
  assert.equal(shellQuote("it's"), `'it'"'"'s'`);
});

Deno.test("sourceHookCommand() runs hook.ts with deno and the hook's permissions", () => {
  const { command } = sourceHookCommand("/usr/bin/deno", "/opt/dns-api");
  assert.equal(command[0], "/usr/bin/deno");
  assert.equal(command[1], "run");
  assert.equal(command.at(-1), "/opt/dns-api/hook.ts");
  assert(command.includes("--allow-run=git"));
  assert(command.includes("/opt/dns-api/deno.json"));
});

Deno.test("a repository created with sourceHookCommand() runs this project's hook.ts on push", async () => {
  await withTemp(async (dir) => {
    const projectDir = new URL("..", import.meta.url).pathname;
    const root = join(dir, "repos");
    const { path } = await createUserRepo(
      root,
      "steve",
      sourceHookCommand(Deno.execPath(), projectDir),
    );
    // Nothing listens on port 1: the hook reports through git without touching a real queue.
    const { stderr } = await pushOnce(dir, path, {
      REDIS_URL: "redis://127.0.0.1:1",
      REPOS_ROOT: root,
      DNS_API_HOOK_WAIT: "0",
      DNSAPI_KEY_PREFIX: `test:${crypto.randomUUID()}:`,
    });
    assert.match(stderr, /^remote: dns-api: /m, stderr);
  });
});
