import assert from "node:assert/strict";
import { join } from "node:path";
import {
  changedFiles,
  GitError,
  headCommit,
  listTree,
  NEUTRAL_ATTRIBUTES,
  NoCommitsError,
  readFileAt,
  RepositoryTooLargeError,
  runGit,
  sourceProtocol,
  syncWorkingCopy,
} from "../lib/git.ts";

/** A customer with a bare repository and a clone to commit and push from. */
interface Fixture {
  dir: string;
  bare: string;
  clone: string;
  work: string;
  /** Runs the customer's git (own HOME and identity) in their clone or another dir. */
  git(args: string[], cwd?: string): Promise<string>;
  /** Writes files (null deletes) in the clone, commits everything and returns the sha. */
  commit(files: Record<string, string | null>, message?: string): Promise<string>;
  push(force?: boolean): Promise<void>;
}

async function withFixture(fn: (f: Fixture) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "dnsapi_git_test_" });
  const home = join(dir, "home");
  await Deno.mkdir(home);
  const env = {
    HOME: home,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: join(home, ".gitconfig"),
    GIT_AUTHOR_NAME: "Customer",
    GIT_AUTHOR_EMAIL: "customer@example.test",
    GIT_COMMITTER_NAME: "Customer",
    GIT_COMMITTER_EMAIL: "customer@example.test",
  };
  const git = async (args: string[], cwd = join(dir, "clone")) => {
    const out = await new Deno.Command("git", { args, cwd, env, stdin: "null" }).output();
    const text = new TextDecoder().decode(out.stdout);
    if (!out.success) {
      throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
    }
    return text.trim();
  };
  const bare = join(dir, "repos", "steve");
  await Deno.mkdir(bare, { recursive: true });
  await git(["init", "-q", "--bare", "--initial-branch=main", bare], dir);
  await git(["init", "-q", "--initial-branch=main", join(dir, "clone")], dir);
  await git(["remote", "add", "origin", bare]);
  const f: Fixture = {
    dir,
    bare,
    clone: join(dir, "clone"),
    work: join(dir, "git", "steve"),
    git,
    async commit(files, message = "update") {
      for (const [path, content] of Object.entries(files)) {
        const p = join(dir, "clone", path);
        if (content === null) await Deno.remove(p);
        else {
          await Deno.mkdir(join(p, ".."), { recursive: true });
          await Deno.writeTextFile(p, content);
        }
      }
      await git(["add", "-A"]);
      await git(["commit", "-q", "--allow-empty", "-m", message]);
      return await git(["rev-parse", "HEAD"]);
    },
    async push(force = false) {
      await git(["push", "-q", ...(force ? ["--force"] : []), "origin", "main"]);
    },
  };
  try {
    await fn(f);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

const read = (path: string) => Deno.readTextFile(path);

Deno.test("syncWorkingCopy() clones on first use and checks out the pushed commit", async () => {
  await withFixture(async (f) => {
    const c1 = await f.commit({ "zones/shop.test": "www A 192.0.2.1\n" });
    await f.push();
    assert.equal(await headCommit(f.work).catch(() => null), null);
    const r = await syncWorkingCopy(f.bare, f.work, c1);
    assert.deepStrictEqual(r, { commit: c1, cloned: true });
    assert.equal(await headCommit(f.work), c1);
    assert.equal(await read(join(f.work, "zones/shop.test")), "www A 192.0.2.1\n");
    assert.equal(await exists(join(f.work, ".git/hooks")), false, "no template hooks");
    assert.equal(await read(join(f.work, ".git/info/attributes")), NEUTRAL_ATTRIBUTES);
  });
});

Deno.test("syncWorkingCopy() without a commit takes the default branch head, or the given branch", async () => {
  await withFixture(async (f) => {
    await f.commit({ "zones/a.test": "1\n" });
    const c2 = await f.commit({ "zones/a.test": "2\n" });
    await f.push();
    assert.equal((await syncWorkingCopy(f.bare, f.work)).commit, c2);
    assert.equal(await read(join(f.work, "zones/a.test")), "2\n");
    const c3 = await f.commit({ "zones/a.test": "3\n" });
    await f.git(["push", "-q", "origin", "main:staging"]);
    const staging = await syncWorkingCopy(f.bare, f.work, undefined, { ref: "refs/heads/staging" });
    assert.equal(staging.commit, c3);
    for (const ref of ["refs/tags/v1", "refs/heads/../../x", "HEAD"]) {
      await assert.rejects(() => syncWorkingCopy(f.bare, f.work, undefined, { ref }), TypeError);
    }
  });
});

Deno.test("a second push updates files and changedFiles() reports changed and deleted", async () => {
  await withFixture(async (f) => {
    const c1 = await f.commit({
      "zones/a.test": "a1\n",
      "zones/b.test": "b1\n",
      "zones/c.test": "c1\n",
      "README": "hi\n",
    });
    await f.push();
    await syncWorkingCopy(f.bare, f.work, c1);
    const c2 = await f.commit({
      "zones/a.test": "a2\n",
      "zones/b.test": null,
      "zones/d.test": "d1\n",
      "README": "changed outside zones\n",
    });
    await f.push();
    const r = await syncWorkingCopy(f.bare, f.work, c2);
    assert.deepStrictEqual(r, { commit: c2, cloned: false });
    assert.equal(await read(join(f.work, "zones/a.test")), "a2\n");
    assert.equal(await exists(join(f.work, "zones/b.test")), false);
    assert.deepStrictEqual(await changedFiles(f.work, c1, c2), {
      changed: ["zones/a.test", "zones/d.test"],
      deleted: ["zones/b.test"],
    });
    assert.deepStrictEqual(await changedFiles(f.work, c2, c2), { changed: [], deleted: [] });
  });
});

Deno.test("changedFiles() lists every file as changed without a base or with a missing one", async () => {
  await withFixture(async (f) => {
    const c1 = await f.commit({ "zones/a.test": "a\n", "zones/sub/b.test": "b\n", "x": "y" });
    await f.push();
    await syncWorkingCopy(f.bare, f.work, c1);
    const all = { changed: ["zones/a.test", "zones/sub/b.test"], deleted: [] };
    assert.deepStrictEqual(await changedFiles(f.work, null, c1), all);
    assert.deepStrictEqual(await changedFiles(f.work, "e".repeat(40), c1), all);
    assert.deepStrictEqual(await changedFiles(f.work, "not-a-sha", c1), all);
  });
});

Deno.test("a force push that rewrites history is synced exactly; its dropped base counts as missing", async () => {
  await withFixture(async (f) => {
    await f.commit({ "zones/a.test": "a1\n", "zones/b.test": "b1\n" });
    const old = await f.commit({ "zones/a.test": "a2\n" });
    await f.push();
    await syncWorkingCopy(f.bare, f.work, old);
    // Rewrite: a new root commit with different content, pushed with --force.
    await f.git(["checkout", "-q", "--orphan", "rewrite"]);
    await f.git(["rm", "-rq", "--cached", "."]);
    await Deno.remove(join(f.clone, "zones"), { recursive: true });
    const fresh = await f.commit({ "zones/c.test": "c1\n" }, "rewritten");
    await f.git(["push", "-q", "--force", "origin", "rewrite:main"]);
    const r = await syncWorkingCopy(f.bare, f.work, fresh);
    assert.equal(r.commit, fresh);
    assert.equal(await exists(join(f.work, "zones/a.test")), false);
    assert.equal(await read(join(f.work, "zones/c.test")), "c1\n");
    // The old base is still in this copy: a real diff.
    assert.deepStrictEqual(await changedFiles(f.work, old, fresh), {
      changed: ["zones/c.test"],
      deleted: ["zones/a.test", "zones/b.test"],
    });
    // A copy made after the rewrite never saw the old base: everything is changed.
    const other = join(f.dir, "git", "other");
    await syncWorkingCopy(f.bare, other, fresh);
    assert.deepStrictEqual(await changedFiles(other, old, fresh), {
      changed: ["zones/c.test"],
      deleted: [],
    });
  });
});

Deno.test("syncWorkingCopy() falls back to the branch head when the pushed commit was overwritten", async () => {
  await withFixture(async (f) => {
    const first = await f.commit({ "zones/a.test": "1\n" });
    await f.push();
    await f.git(["commit", "-q", "--amend", "-m", "amended"]);
    const amended = await f.git(["rev-parse", "HEAD"]);
    await f.push(true);
    // A fresh copy cannot fetch `first` any more: it is unreachable in the source.
    const r = await syncWorkingCopy(f.bare, f.work, first);
    assert.deepStrictEqual(r, { commit: amended, cloned: true, missingCommit: first });
  });
});

Deno.test("syncWorkingCopy() removes untracked files and undoes local edits", async () => {
  await withFixture(async (f) => {
    const c1 = await f.commit({ "zones/a.test": "a\n", ".gitignore": "*.tmp\n" });
    await f.push();
    await syncWorkingCopy(f.bare, f.work, c1);
    await Deno.writeTextFile(join(f.work, "zones/stray.test"), "x\n");
    await Deno.writeTextFile(join(f.work, "zones/ignored.tmp"), "x\n");
    await Deno.writeTextFile(join(f.work, "zones/a.test"), "edited\n");
    await syncWorkingCopy(f.bare, f.work, c1);
    assert.equal(await exists(join(f.work, "zones/stray.test")), false);
    assert.equal(await exists(join(f.work, "zones/ignored.tmp")), false);
    assert.equal(await read(join(f.work, "zones/a.test")), "a\n");
  });
});

Deno.test("syncWorkingCopy() recovers from lock files left by a killed git", async () => {
  await withFixture(async (f) => {
    const c1 = await f.commit({ "zones/a.test": "a\n" });
    await f.push();
    await syncWorkingCopy(f.bare, f.work, c1);
    const c2 = await f.commit({ "zones/a.test": "b\n" });
    await f.push();
    await Deno.writeTextFile(join(f.work, ".git/index.lock"), "");
    await Deno.mkdir(join(f.work, ".git/refs/remotes/origin"), { recursive: true });
    await Deno.writeTextFile(join(f.work, ".git/refs/remotes/origin/main.lock"), "");
    assert.equal((await syncWorkingCopy(f.bare, f.work, c2)).commit, c2);
  });
});

Deno.test("syncWorkingCopy() of a repository nobody pushed to throws NoCommitsError naming the branch", async () => {
  await withFixture(async (f) => {
    await assert.rejects(() => syncWorkingCopy(f.bare, f.work), (error) => {
      assert.ok(error instanceof NoCommitsError, String(error));
      assert.equal(error.branch, "refs/heads/main");
      return true;
    });
  });
});

Deno.test("syncWorkingCopy() refuses a non-empty directory that is not a working copy", async () => {
  await withFixture(async (f) => {
    await f.commit({ "zones/a.test": "a\n" });
    await f.push();
    await Deno.mkdir(f.work, { recursive: true });
    await Deno.writeTextFile(join(f.work, "precious"), "keep me");
    await assert.rejects(() => syncWorkingCopy(f.bare, f.work), /not empty/);
    assert.equal(await read(join(f.work, "precious")), "keep me");
  });
});

Deno.test("a customer's .gitattributes filter never runs and files arrive byte for byte", async () => {
  await withFixture(async (f) => {
    const marker = join(f.dir, "FILTER_RAN");
    const smudge = `touch ${marker}; cat`;
    const c1 = await f.commit({
      ".gitattributes": "* filter=evil\nzones/crlf.test text eol=crlf\n",
      "zones/a.test": "raw\n",
      "zones/crlf.test": "line1\nline2\n",
    });
    await f.push();
    // Control: the fixture is live, a plain clone with the driver defined runs it.
    await f.git(["-c", `filter.evil.smudge=${smudge}`, "clone", "-q", f.bare, "control"], f.dir);
    assert.equal(await exists(marker), true, "control clone should run the filter");
    await Deno.remove(marker);

    await syncWorkingCopy(f.bare, f.work, c1);
    // Even with the driver defined in the working copy's own config, nothing runs.
    await runGit(["-C", f.work, "config", "filter.evil.smudge", smudge]);
    await runGit(["-C", f.work, "config", "filter.evil.required", "true"]);
    const c2 = await f.commit({ "zones/a.test": "raw2\n" });
    await f.push();
    await syncWorkingCopy(f.bare, f.work, c2);
    assert.equal(await exists(marker), false, "the filter ran");
    assert.equal(await read(join(f.work, "zones/a.test")), "raw2\n");
    assert.equal(await read(join(f.work, "zones/crlf.test")), "line1\nline2\n");
    // Removing the working copy and cloning afresh with the driver defined globally
    // (a trusted config file) does not run it either.
    await Deno.remove(f.work, { recursive: true });
    const global = join(f.dir, "global.gitconfig");
    await Deno.writeTextFile(global, `[filter "evil"]\n\tsmudge = ${smudge}\n`);
    await syncWorkingCopy(f.bare, f.work, c2, { globalConfig: global });
    assert.equal(await exists(marker), false, "the filter ran on a fresh clone");
  });
});

Deno.test("hooks in the working copy never run during a sync", async () => {
  await withFixture(async (f) => {
    const marker = join(f.dir, "HOOK_RAN");
    const c1 = await f.commit({ "zones/a.test": "a\n" });
    await f.push();
    await syncWorkingCopy(f.bare, f.work, c1);
    const hook = join(f.work, ".git/hooks/post-checkout");
    await Deno.mkdir(join(f.work, ".git/hooks"), { recursive: true });
    await Deno.writeTextFile(hook, `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
    const c2 = await f.commit({ "zones/a.test": "b\n" });
    await f.push();
    await syncWorkingCopy(f.bare, f.work, c2);
    assert.equal(await exists(marker), false, "the hook ran");
    // Control: plain git in the same copy does run it.
    await f.git(["checkout", "-q", "--detach", c1], f.work);
    assert.equal(await exists(marker), true, "control checkout should run the hook");
  });
});

Deno.test("submodules of a customer repository are never fetched or checked out", async () => {
  await withFixture(async (f) => {
    const sub = join(f.dir, "secret-sub");
    await f.git(["init", "-q", "--initial-branch=main", sub], f.dir);
    await Deno.writeTextFile(join(sub, "SUBFILE"), "from the submodule\n");
    await f.git(["add", "SUBFILE"], sub);
    await f.git(["commit", "-q", "-m", "sub"], sub);
    const subSha = await f.git(["rev-parse", "HEAD"], sub);
    await Deno.writeTextFile(
      join(f.clone, ".gitmodules"),
      `[submodule "zones/sub"]\n\tpath = zones/sub\n\turl = ${sub}\n`,
    );
    await Deno.mkdir(join(f.clone, "zones"));
    await Deno.writeTextFile(join(f.clone, "zones/a.test"), "a\n");
    await f.git(["add", ".gitmodules", "zones/a.test"]);
    await f.git(["update-index", "--add", "--cacheinfo", `160000,${subSha},zones/sub`]);
    // Not f.commit(): `add -A` would drop the gitlink, which has no directory here.
    await f.git(["commit", "-q", "-m", "with a submodule"]);
    const c1 = await f.git(["rev-parse", "HEAD"]);
    await f.push();
    // Control: a recursive clone of this repository does fetch the submodule.
    const control = join(f.dir, "control");
    await f.git(
      ["-c", "protocol.file.allow=always", "clone", "-q", "--recurse-submodules", f.bare, control],
      f.dir,
    );
    assert.equal(await exists(join(control, "zones/sub/SUBFILE")), true, "control clone");
    await syncWorkingCopy(f.bare, f.work, c1);
    assert.equal(await exists(join(f.work, "zones/sub/SUBFILE")), false);
    assert.equal(await exists(join(f.work, ".git/modules")), false);
    const entries = await listTree(f.work, c1, "zones");
    assert.deepStrictEqual(
      entries.find((e) => e.path === "zones/sub"),
      { path: "zones/sub", mode: "160000", type: "commit", oid: subSha, size: null },
    );
    assert.deepStrictEqual((await changedFiles(f.work, null, c1)).changed, ["zones/a.test"]);
  });
});

Deno.test("readFileAt() refuses a symlink to /etc/passwd, one escaping with ../ and one into .git", async () => {
  await withFixture(async (f) => {
    await Deno.mkdir(join(f.clone, "zones"), { recursive: true });
    await Deno.symlink("/etc/passwd", join(f.clone, "zones/passwd.test"));
    await Deno.symlink("../../../../../../../etc/hostname", join(f.clone, "zones/up.test"));
    await Deno.symlink("../.git/config", join(f.clone, "zones/gitcfg.test"));
    await Deno.symlink("missing.test", join(f.clone, "zones/dangling.test"));
    await Deno.symlink("loop.test", join(f.clone, "zones/loop.test"));
    await Deno.symlink("/etc", join(f.clone, "zones/outside"));
    const c1 = await f.commit({ "zones/a.test": "a\n" });
    await f.push();
    await syncWorkingCopy(f.bare, f.work, c1);
    for (const name of ["passwd.test", "up.test", "outside/passwd"]) {
      const r = await readFileAt(f.work, c1, `zones/${name}`, 1 << 20);
      assert(!r.ok, name);
      assert.match(r.reason, /leads outside the repository/, name);
      assert(!r.reason.includes("/etc"), "the reason does not reveal the target");
    }
    // Read from git objects, a link into .git finds no such file in the commit: the
    // working copy's own files are never reachable.
    const gitcfg = await readFileAt(f.work, c1, "zones/gitcfg.test", 1 << 20);
    assert(!gitcfg.ok && /symlink to a file that does not exist/.test(gitcfg.reason));
    const dangling = await readFileAt(f.work, c1, "zones/dangling.test", 1 << 20);
    assert(!dangling.ok && /symlink to a file that does not exist/.test(dangling.reason));
    const loop = await readFileAt(f.work, c1, "zones/loop.test", 1 << 20);
    assert(!loop.ok && /a loop/.test(loop.reason));
    const dots = await readFileAt(f.work, c1, "zones/../../x", 1 << 20);
    assert(!dots.ok);
    const abs = await readFileAt(f.work, c1, "/etc/passwd", 1 << 20);
    assert(!abs.ok);
  });
});

Deno.test("readFileAt() follows a symlink to another zone file in the tree, through a chain", async () => {
  await withFixture(async (f) => {
    await Deno.mkdir(join(f.clone, "zones"), { recursive: true });
    await Deno.symlink("shop.test", join(f.clone, "zones/shop.example-alias.test"));
    await Deno.mkdir(join(f.clone, "zones/sub"));
    await Deno.symlink("../shop.example-alias.test", join(f.clone, "zones/sub/chain.test"));
    const c1 = await f.commit({ "zones/shop.test": "www A 192.0.2.1\n", "zones/b.test": "b\n" });
    await f.push();
    await syncWorkingCopy(f.bare, f.work, c1);
    const expected = { ok: true, text: "www A 192.0.2.1\n", bytes: 16 };
    assert.deepStrictEqual(
      await readFileAt(f.work, c1, "zones/shop.example-alias.test", 1 << 20),
      expected,
    );
    assert.deepStrictEqual(await readFileAt(f.work, c1, "zones/sub/chain.test", 1 << 20), expected);
    assert.deepStrictEqual(await readFileAt(f.work, c1, "zones/b.test", 1 << 20), {
      ok: true,
      text: "b\n",
      bytes: 2,
    });
    // Changing the target marks the link changed too: its zone's content changed.
    const c2 = await f.commit({ "zones/shop.test": "www A 192.0.2.2\n" });
    await f.push();
    await syncWorkingCopy(f.bare, f.work, c2);
    assert.deepStrictEqual(await changedFiles(f.work, c1, c2), {
      changed: ["zones/shop.example-alias.test", "zones/shop.test", "zones/sub/chain.test"],
      deleted: [],
    });
  });
});

Deno.test("readFileAt() checks the size limit before reading and refuses non-UTF-8 and directories", async () => {
  await withFixture(async (f) => {
    await Deno.mkdir(join(f.clone, "zones"), { recursive: true });
    await Deno.writeFile(join(f.clone, "zones/latin1.test"), new Uint8Array([0x61, 0xe9, 0x0a]));
    const c1 = await f.commit({ "zones/big.test": "x".repeat(5000), "zones/ok.test": "ok\n" });
    await f.push();
    await syncWorkingCopy(f.bare, f.work, c1);
    const big = await readFileAt(f.work, c1, "zones/big.test", 4096);
    assert(!big.ok && /5000 bytes, over the limit of 4096/.test(big.reason));
    assert((await readFileAt(f.work, c1, "zones/big.test", 5000)).ok, "exactly at the limit");
    const bad = await readFileAt(f.work, c1, "zones/latin1.test", 4096);
    assert(!bad.ok && /not valid UTF-8/.test(bad.reason));
    const dir = await readFileAt(f.work, c1, "zones", 4096);
    assert(!dir.ok && /not a regular file/.test(dir.reason));
    const missing = await readFileAt(f.work, c1, "zones/nope.test", 4096);
    assert(!missing.ok && missing.missing === true);
  });
});

Deno.test("readFileAt() reads a previous version with a size limit; listTree() gives sizes from a bare repo", async () => {
  await withFixture(async (f) => {
    const c1 = await f.commit({ "zones/a.test": "old\n", "zones/big.test": "y".repeat(300) });
    const c2 = await f.commit({ "zones/a.test": "new!\n", "zones/big.test": null });
    await f.push();
    await syncWorkingCopy(f.bare, f.work, c2);
    assert.deepStrictEqual(await readFileAt(f.work, c1, "zones/a.test", 100), {
      ok: true,
      text: "old\n",
      bytes: 4,
    });
    const big = await readFileAt(f.work, c1, "zones/big.test", 100);
    assert(!big.ok && /300 bytes, over the limit of 100/.test(big.reason));
    const gone = await readFileAt(f.work, c2, "zones/big.test", 100);
    assert(!gone.ok && gone.missing === true);
    await assert.rejects(
      () =>
        runGit(["-C", f.bare, "cat-file", "blob", `${c1}:zones/big.test`], { maxOutputBytes: 100 }),
      /printed more than 100 bytes/,
    );
    const tree = await listTree(f.bare, c1, "zones");
    assert.deepStrictEqual(
      tree.map((e) => [e.path, e.mode, e.type, e.size]),
      [["zones/a.test", "100644", "blob", 4], ["zones/big.test", "100644", "blob", 300]],
    );
  });
});

Deno.test("runGit() kills a hanging git after the timeout", async () => {
  await withFixture(async (f) => {
    // An ssh that never answers: git waits for it forever without a timeout.
    const fakeSsh = join(f.dir, "hang-ssh");
    await Deno.writeTextFile(fakeSsh, "#!/bin/sh\nexec sleep 5\n", { mode: 0o755 });
    let error: unknown;
    try {
      await syncWorkingCopy("ssh://git-host.invalid/repos/steve", f.work, undefined, {
        timeoutMs: 300,
        env: { GIT_SSH: fakeSsh },
      });
    } catch (e) {
      error = e;
    }
    assert(error instanceof GitError, String(error));
    assert.match(error.message, /timed out after 300 ms/);
    assert.equal(error.code, null);
  });
});

Deno.test("sourceProtocol() allows paths and ssh/https URLs only", () => {
  assert.equal(sourceProtocol("/repos/steve"), "file");
  assert.equal(sourceProtocol("ssh://git@git-host/repos/steve"), "ssh");
  assert.equal(sourceProtocol("git@git-host:repos/steve"), "ssh");
  assert.equal(sourceProtocol("https://git-host/repos/steve"), "https");
  for (const bad of ["-oProxyCommand=touch /tmp/x", "ext::sh -c touch% /tmp/x", "repos/steve"]) {
    assert.throws(() => sourceProtocol(bad), TypeError, bad);
  }
});

Deno.test("GitError messages hide a password in a source URL", async () => {
  await withFixture(async (f) => {
    const err = await syncWorkingCopy("https://user:hunter2@127.0.0.1:1/repo", f.work).catch((
      e,
    ) => e);
    assert(err instanceof GitError, String(err));
    const shown = [err.message, err.stderr, ...err.args].join(" ");
    assert(!shown.includes("hunter2"), shown);
  });
});

Deno.test("syncWorkingCopy() fetches only the deployed branch: objects pushed to other branches never reach the working copy", async () => {
  await withFixture(async (f) => {
    const deployed = await f.commit({ "zones/a.test": "a\n" });
    await f.push();
    await f.git(["checkout", "-q", "-b", "side"]);
    const side = await f.commit({ "big.bin": "x".repeat(4096) }, "side branch");
    await f.git(["push", "-q", "origin", "side"]);
    assert.equal((await syncWorkingCopy(f.bare, f.work)).commit, deployed);
    const cat = await runGit(["-C", f.work, "cat-file", "-e", side]).then(() => true, () => false);
    assert.equal(cat, false, "the side branch's commit was not fetched");
    const refs = await runGit(["-C", f.work, "for-each-ref", "--format=%(refname)"]);
    assert.deepEqual(refs.text.trim().split("\n"), ["refs/remotes/origin/main"]);
  });
});

Deno.test("syncWorkingCopy() refuses a history over maxRepoBytes and removes the working copy", async () => {
  await withFixture(async (f) => {
    // Random bytes do not compress: about 64 KiB of objects.
    const noise = Array.from(
      crypto.getRandomValues(new Uint8Array(48 * 1024)),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    await f.commit({ "zones/a.test": "a\n", "noise.txt": noise });
    await f.push();
    await assert.rejects(
      () => syncWorkingCopy(f.bare, f.work, undefined, { maxRepoBytes: 16 * 1024 }),
      (error) => {
        assert.ok(error instanceof RepositoryTooLargeError, String(error));
        assert.ok(error.bytes > 16 * 1024, String(error.bytes));
        assert.match(
          error.message,
          /history takes \d+ KiB, over the limit of 16 KiB; remove large/,
        );
        return true;
      },
    );
    assert.equal(await exists(f.work), false, "nothing over the limit stays in WORK_ROOT");
    const ok = await syncWorkingCopy(f.bare, f.work, undefined, { maxRepoBytes: 100 << 20 });
    assert.equal(ok.cloned, true);
  });
});
