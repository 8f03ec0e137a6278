import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createUserRepo, sourceHookCommand } from "../lib/git.ts";

const PROJECT = dirname(dirname(fileURLToPath(import.meta.url)));

async function git(cwd: string, env: Record<string, string>, ...args: string[]) {
  const out = await new Deno.Command("git", {
    args,
    cwd,
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, text };
}

Deno.test("the installed pre-receive hook rejects a push with a broken zone file, naming file and line", async () => {
  const root = await Deno.makeTempDir({ prefix: "dnsapi-prerecv-" });
  try {
    const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (closed.addr as Deno.NetAddr).port;
    closed.close();
    const env: Record<string, string> = {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: root,
      DENO_DIR: Deno.env.get("DENO_DIR") ?? join(Deno.env.get("HOME") ?? "/root", ".cache", "deno"),
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_AUTHOR_NAME: "T",
      GIT_AUTHOR_EMAIL: "t@shop.test",
      GIT_COMMITTER_NAME: "T",
      GIT_COMMITTER_EMAIL: "t@shop.test",
      // post-receive runs after an accepted push; nothing listens here, so it says so quickly.
      REDIS_URL: `redis://127.0.0.1:${port}`,
      DNS_API_HOOK_WAIT: "0",
      NO_COLOR: "1",
    };
    const repos = join(root, "repos");
    await Deno.mkdir(repos);
    await createUserRepo(repos, "carol", sourceHookCommand(Deno.execPath(), PROJECT));
    const clone = join(root, "clone");
    assert.equal((await git(root, env, "init", "-q", "-b", "main", clone)).code, 0);
    await Deno.mkdir(join(clone, "zones"));
    await Deno.writeTextFile(
      join(clone, "zones", "shop.test"),
      "$TTL 300\nwww IN A 192.0.2.300\nmail IN MX ten mail\n",
    );
    await git(clone, env, "add", ".");
    await git(clone, env, "commit", "-q", "-m", "broken");
    const rejected = await git(clone, env, "push", join(repos, "carol"), "main");
    assert.notEqual(rejected.code, 0, rejected.text);
    assert.match(rejected.text, /remote: zones\/shop\.test:2: .*192\.0\.2\.300/);
    assert.match(rejected.text, /remote: zones\/shop\.test:3: /);
    assert.match(rejected.text, /pre-receive hook declined/);
    const refs = await git(join(repos, "carol"), env, "for-each-ref");
    assert.equal(refs.text.trim(), "", "a rejected push must not create the branch");

    await Deno.writeTextFile(
      join(clone, "zones", "shop.test"),
      "$TTL 300\nwww IN A 192.0.2.30\nmail IN MX 10 mail\n",
    );
    await git(clone, env, "commit", "-q", "-am", "fixed");
    const accepted = await git(clone, env, "push", join(repos, "carol"), "main");
    assert.equal(accepted.code, 0, accepted.text);
    assert.doesNotMatch(accepted.text, /zones\/shop\.test:\d+:/);
    assert.match(accepted.text, /remote: dns-api: .*DNS (was|has) not (been )?updated/i);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
