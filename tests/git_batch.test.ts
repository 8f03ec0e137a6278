import assert from "node:assert/strict";
import { join } from "node:path";
import { UnrecoverableError } from "../lib/errors.ts";
import {
  GitError,
  listTree,
  listTreeOf,
  openObjectBatch,
  parseTreeObject,
  runGit,
  withObjectBatch,
} from "../lib/git.ts";

const env = {
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Customer",
  GIT_AUTHOR_EMAIL: "customer@example.test",
  GIT_COMMITTER_NAME: "Customer",
  GIT_COMMITTER_EMAIL: "customer@example.test",
};

async function git(cwd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command("git", { args, cwd, env, stdin: "null" }).output();
  if (!out.success) {
    throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout).trim();
}

/** A repository with one commit of `files` (a Uint8Array is written as is; `{ link }` is a symlink). */
async function withCommit(
  files: Record<string, string | Uint8Array | { link: string }>,
  fn: (dir: string, commit: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "dnsapi_batch_test_" });
  try {
    await git(dir, ["init", "-q", "--initial-branch=main"]);
    for (const [path, content] of Object.entries(files)) {
      const p = join(dir, path);
      await Deno.mkdir(join(p, ".."), { recursive: true });
      if (typeof content === "string") await Deno.writeTextFile(p, content);
      else if (content instanceof Uint8Array) await Deno.writeFile(p, content);
      else await Deno.symlink(content.link, p);
    }
    await git(dir, ["add", "-A"]);
    await git(dir, ["commit", "-q", "-m", "files"]);
    await fn(dir, await git(dir, ["rev-parse", "HEAD"]));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("an object batch answers each question in the order asked, blobs byte for byte", async () => {
  // Bytes that look like the protocol (line feeds, a header) and a blob larger than a
  // pipe's buffer, so answers span many reads.
  const tricky = new TextEncoder().encode("x\n0123456789abcdef0123456789abcdef01234567 blob 3\n\n");
  const large = new Uint8Array(300_000).map((_, i) => (i * 7) % 251);
  await withCommit({
    "zones/shop.test": "@ A 192.0.2.1\n",
    "zones/tricky.bin": tricky,
    "zones/large.bin": large,
    "zones/alias.test": { link: "shop.test" },
  }, async (dir, commit) => {
    await withObjectBatch(dir, {}, async (batch) => {
      const [head, missing, alias] = await batch.info([
        `${commit}^{commit}`,
        `${commit}:zones/none.test`,
        `${commit}:zones/alias.test`,
      ]);
      assert.deepStrictEqual(head, {
        kind: "object",
        oid: commit,
        type: "commit",
        size: head?.kind === "object" ? head.size : -1,
      });
      assert.deepStrictEqual(missing, { kind: "missing" });
      assert.equal(alias?.kind === "object" && alias.type, "blob");
      // Asked together, from several callers at once: each gets its own answer.
      const [a, b, c, d] = await Promise.all([
        batch.contents(`${commit}:zones/tricky.bin`),
        batch.contents(`${commit}:zones/large.bin`),
        batch.contents(`${commit}:zones/nothing`),
        batch.contents(`${commit}:zones/alias.test`),
      ]);
      assert.deepStrictEqual(a?.bytes, tricky);
      assert.deepStrictEqual(b?.bytes, large);
      assert.equal(c, null);
      assert.equal(new TextDecoder().decode(d?.bytes), "@ A 192.0.2.1\n");
    });
  });
});

Deno.test("an object batch refuses a name with a line feed and goes on answering", async () => {
  await withCommit({ "zones/a.test": "a\n" }, async (dir, commit) => {
    await withObjectBatch(dir, {}, async (batch) => {
      assert.throws(() => batch.info([`${commit}:zones/a\nb`]), TypeError);
      assert.throws(() => batch.contents(`${commit}\ncontents ${commit}`), TypeError);
      const [a] = await batch.info([`${commit}:zones/a.test`]);
      assert.equal(a?.kind, "object");
    });
  });
});

Deno.test("an object batch's time limit is per question: idle time between questions does not count", async () => {
  await withCommit({ "zones/a.test": "a\n" }, async (dir, commit) => {
    const batch = openObjectBatch(dir, { timeoutMs: 1500 });
    try {
      assert.equal((await batch.info([`${commit}^{commit}`]))[0]?.kind, "object");
      await new Promise((r) => setTimeout(r, 2000));
      assert.equal((await batch.info([`${commit}^{commit}`]))[0]?.kind, "object");
    } finally {
      await batch.close();
    }
  });
});

Deno.test("an object batch is killed when a question goes unanswered past its time limit", async () => {
  await withCommit({ "zones/a.test": "a\n" }, async (dir, commit) => {
    // A stopped git cannot answer: only the time limit ends the question.
    const batch = openObjectBatch(dir, { timeoutMs: 1500 });
    const [first] = await batch.info([`${commit}^{commit}`]);
    assert.equal(first?.kind, "object");
    const pid = await findCatFile(dir);
    Deno.kill(pid, "SIGSTOP");
    await assert.rejects(
      () => batch.info([`${commit}^{commit}`]),
      (e) => e instanceof GitError && /did not answer within 1500 ms/.test(e.message),
    );
    await batch.close();
    await batch.close();
    assert.throws(() => batch.info([commit]), /closed/);
  });
});

/** The pid of the `git cat-file` running in `dir` (from /proc: its cwd is not the dir, its args name it). */
async function findCatFile(dir: string): Promise<number> {
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const cmdline = await Deno.readTextFile(`/proc/${entry.name}/cmdline`).catch(() => "");
    const args = cmdline.split("\0");
    if (args.includes("cat-file") && args.includes(dir)) return Number(entry.name);
  }
  throw new Error(`no git cat-file found for ${dir}`);
}

Deno.test("an object batch on a directory that is no repository fails with git's reason", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dnsapi_batch_test_" });
  try {
    await withObjectBatch(dir, { home: dir }, async (batch) => {
      await assert.rejects(
        () => batch.info(["HEAD"]),
        (e) => e instanceof GitError && /not a git repository/.test(e.message),
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseTreeObject() reads modes, names with any bytes, and raw object ids", () => {
  const oid = (n: number) => new Uint8Array(20).fill(n);
  const bytes = new Uint8Array([
    ...new TextEncoder().encode("100644 a b\0"),
    ...oid(1),
    ...new TextEncoder().encode("40000 café\0"),
    ...oid(0xab),
  ]);
  assert.deepStrictEqual(parseTreeObject(bytes, 20), [
    { mode: "100644", name: "a b", oid: "01".repeat(20) },
    { mode: "040000", name: "café", oid: "ab".repeat(20) },
  ]);
  assert.throws(() => parseTreeObject(bytes.subarray(0, bytes.length - 1), 20), RangeError);
});

Deno.test("listTree() lists what git ls-tree -r -l lists, for a directory, a file and nothing", async () => {
  await withCommit({
    "zones/a.test": "a\n",
    "zones/with space.test": "b\n",
    "zones/Café.test": "c\n",
    "zones/nested/deep/x.test": "x\n",
    "zones/link.test": { link: "a.test" },
    "zones/z.test": "z\n",
    "README": "read me\n",
    "other/zones": "not the dir\n",
  }, async (dir, commit) => {
    await git(dir, ["update-index", "--chmod=+x", "zones/z.test"]);
    await git(dir, ["commit", "-q", "-m", "exec"]);
    const head = await git(dir, ["rev-parse", "HEAD"]);
    for (const path of ["zones", "README", "nothing", "zones/nested", "other/zones"]) {
      const { text } = await runGit([
        "-C",
        dir,
        "ls-tree",
        "-r",
        "-l",
        "-z",
        "--full-tree",
        head,
        "--",
        path,
      ]);
      const expected = text.split("\0").filter(Boolean).map((record) => {
        const m = /^(\d{6}) (\w+) ([0-9a-f]+) +(-|\d+)\t(.*)$/s.exec(record)!;
        return {
          path: m[5],
          mode: m[1],
          type: m[2],
          oid: m[3],
          size: m[4] === "-" ? null : Number(m[4]),
        };
      });
      assert.deepStrictEqual(await listTree(dir, head, path), expected, path);
    }
    assert.notEqual(commit, head);
  });
});

Deno.test("an object larger than asked for is not read: the batch ends and says why", async () => {
  await withCommit({ "zones/big.test": "x".repeat(5000) }, async (dir, commit) => {
    const batch = openObjectBatch(dir);
    try {
      await assert.rejects(
        () => batch.contents(`${commit}:zones/big.test`, 4096),
        (e) => e instanceof RangeError && /5000 bytes, over the limit of 4096/.test(e.message),
      );
      await assert.rejects(
        () => batch.info([`${commit}^{commit}`]),
        (e) => e instanceof GitError && /over 4096/.test(e.message),
      );
    } finally {
      await batch.close();
    }
  });
});

Deno.test("listTreeOf() refuses trees over its byte budget with a reason a customer can act on", async () => {
  const files = Object.fromEntries(
    Array.from({ length: 50 }, (_, i) => [`zones/zone-${i}.test`, `@ A 192.0.2.${i}\n`]),
  );
  await withCommit(files, async (dir, commit) => {
    await withObjectBatch(dir, {}, async (batch) => {
      await assert.rejects(
        () => listTreeOf(batch, commit, "zones", 1000),
        (e) =>
          e instanceof UnrecoverableError &&
          /more than 1000 bytes; keep fewer files/.test(e.message),
      );
    });
    assert.equal((await listTree(dir, commit, "zones")).length, 50);
  });
});
