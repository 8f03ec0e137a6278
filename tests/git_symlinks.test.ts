import assert from "node:assert/strict";
import { join } from "node:path";
import { changedFiles, readFileAt, resolvePaths } from "../lib/git.ts";
import { nestedNotice } from "../lib/zones.ts";
import { runCheck } from "../cli/check.ts";

/** A plain repository; `commit` writes files (null deletes) or links (`{ link }`). */
async function withRepo(
  fn: (
    dir: string,
    commit: (files: Record<string, string | { link: string } | null>) => Promise<string>,
  ) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "dnsapi_symlink_test_" });
  const env = {
    HOME: dir,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_AUTHOR_NAME: "Customer",
    GIT_AUTHOR_EMAIL: "customer@example.test",
    GIT_COMMITTER_NAME: "Customer",
    GIT_COMMITTER_EMAIL: "customer@example.test",
  };
  const git = async (args: string[]) => {
    const out = await new Deno.Command("git", { args, cwd: dir, env, stdin: "null" }).output();
    if (!out.success) {
      throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
    }
    return new TextDecoder().decode(out.stdout).trim();
  };
  await git(["init", "-q", "--initial-branch=main"]);
  const commit = async (files: Record<string, string | { link: string } | null>) => {
    for (const [path, content] of Object.entries(files)) {
      const p = join(dir, path);
      await Deno.remove(p).catch(() => {});
      if (content === null) continue;
      await Deno.mkdir(join(p, ".."), { recursive: true });
      if (typeof content === "string") await Deno.writeTextFile(p, content);
      else await Deno.symlink(content.link, p);
    }
    await git(["add", "-A"]);
    await git(["commit", "-q", "--allow-empty", "-m", "update"]);
    return await git(["rev-parse", "HEAD"]);
  };
  try {
    await fn(dir, commit);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("changedFiles() marks a zone file link changed when only its target changed, outside zones/ and through a chain", async () => {
  await withRepo(async (dir, commit) => {
    const c1 = await commit({
      "common/shop.db": "@ 300 A 192.0.2.1\n",
      "common/link.db": { link: "shop.db" },
      "zones/shop.test": { link: "../common/shop.db" },
      "zones/chain.test": { link: "../common/link.db" },
      "zones/quiet.test": { link: "../common/quiet.db" },
      "common/quiet.db": "@ 300 A 192.0.2.9\n",
    });
    const c2 = await commit({ "common/shop.db": "@ 300 A 192.0.2.2\n" });
    assert.deepStrictEqual(await changedFiles(dir, c1, c2), {
      changed: ["zones/chain.test", "zones/shop.test"],
      deleted: [],
    });
    const c3 = await commit({ "common/other.db": "x\n", "common/link.db": { link: "other.db" } });
    assert.deepStrictEqual(await changedFiles(dir, c2, c3), {
      changed: ["zones/chain.test"],
      deleted: [],
    });
    const c4 = await commit({ "common/quiet.db": null });
    assert.deepStrictEqual(await changedFiles(dir, c3, c4), {
      changed: ["zones/quiet.test"],
      deleted: [],
    }, "a link whose target went is changed (and then refused by the read)");
  });
});

Deno.test("changedFiles() reads link targets in bytes: a non-ASCII link text does not hide the links after it", async () => {
  await withRepo(async (dir, commit) => {
    const c1 = await commit({
      "zones/café.test": "@ 300 A 192.0.2.1\n",
      "zones/gamma.test": "@ 300 A 192.0.2.3\n",
      "zones/a-ünï.test": { link: "café.test" },
      "zones/b.test": { link: "gamma.test" },
      "zones/c.test": { link: "café.test" },
    });
    const c2 = await commit({ "zones/café.test": "@ 300 A 192.0.2.11\n" });
    assert.deepStrictEqual((await changedFiles(dir, c1, c2)).changed, [
      "zones/a-ünï.test",
      "zones/c.test",
      "zones/café.test",
    ]);
    const c3 = await commit({ "zones/gamma.test": "@ 300 A 192.0.2.13\n" });
    assert.deepStrictEqual((await changedFiles(dir, c2, c3)).changed, [
      "zones/b.test",
      "zones/gamma.test",
    ]);
  });
});

Deno.test("readFileAt() reads a link's target as it was at the commit, never the link's text", async () => {
  await withRepo(async (dir, commit) => {
    const c1 = await commit({
      "common/shop.db": "@ 300 A 192.0.2.1\n",
      "zones/shop.test": { link: "../common/shop.db" },
      "zones/out.test": { link: "/etc/hostname" },
      "zones/up.test": { link: "../../outside" },
      "zones/dangling.test": { link: "nothing" },
    });
    await commit({ "common/shop.db": "@ 300 A 192.0.2.2\n" });
    assert.deepStrictEqual(await readFileAt(dir, c1, "zones/shop.test", 1000), {
      ok: true,
      text: "@ 300 A 192.0.2.1\n",
      bytes: 18,
    });
    for (const path of ["zones/out.test", "zones/up.test"]) {
      assert.deepStrictEqual(await readFileAt(dir, c1, path, 1000), {
        ok: false,
        reason: `${path} is a symlink that leads outside the repository; only links to ` +
          `files inside it are followed`,
      });
    }
    const dangling = await readFileAt(dir, c1, "zones/dangling.test", 1000);
    assert.equal(dangling.ok, false);
    assert.equal((await readFileAt(dir, c1, "zones/none.test", 1000)).ok, false);
    assert.deepStrictEqual(await resolvePaths(dir, c1, ["zones", "zones/a\nb"]), [
      { kind: "unreadable", why: "not-a-file" },
      { kind: "unreadable", why: "not-a-file" },
    ]);
  });
});

Deno.test("nestedNotice() says thousands of nested files in one line with a count and three names", () => {
  const paths = Array.from({ length: 20_000 }, (_, i) => `zones/d${i}/f`);
  assert.equal(
    nestedNotice(paths, "zones"),
    "zones/: 20,000 files in subdirectories ignored (zone files live directly in zones/), " +
      "e.g. d0/f, d1/f, d2/f",
  );
  assert.equal(
    nestedNotice(["zones/a/x", "zones/b/y"], "zones"),
    "zones/: 2 files in subdirectories ignored (zone files live directly in zones/): a/x, b/y",
  );
  assert.equal(
    nestedNotice(["zones/old/a.test"], "zones"),
    "zones/old/a.test: ignored; zone files live directly in zones/",
  );
  assert.equal(nestedNotice([], "zones"), null);
});

Deno.test("check DIR says nested files in one line, as the worker does", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dnsapi_nested_check_" });
  try {
    await Deno.writeTextFile(join(dir, "shop.test"), "@ 300 IN A 192.0.2.1\n");
    for (const sub of ["a", "b"]) {
      await Deno.mkdir(join(dir, sub));
      for (let i = 0; i < 3; i++) await Deno.writeTextFile(join(dir, sub, `f${i}`), "x\n");
    }
    let out = "";
    const code = await runCheck([dir], { stdout: (s) => out += s, stderr: (s) => out += s });
    assert.equal(code, 0, out);
    assert.deepStrictEqual(out.trimEnd().split("\n"), [
      `${dir}/: 6 files in subdirectories ignored (zone files live directly in ${dir}/), ` +
      "e.g. a/f0, a/f1, a/f2",
      `${dir}/shop.test: ok, zone shop.test, 1 record sets, 0 warnings`,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
