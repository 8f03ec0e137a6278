/**
 * Push-time validation through real pushes: a bare repository whose pre-receive hook
 * runs testing/pre_receive_entry.ts, pushed to by git with its own HOME and identity.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ENTRY = fileURLToPath(new URL("../testing/pre_receive_entry.ts", import.meta.url));
const decoder = new TextDecoder();

/** The test process's Deno cache, so the hook's `deno run` does not start a cold one. */
async function denoDir(): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output();
  const info: unknown = JSON.parse(decoder.decode(out.stdout));
  if (typeof info === "object" && info !== null && "denoDir" in info) {
    return String(info.denoDir);
  }
  throw new Error("deno info --json did not name denoDir");
}

interface World {
  root: string;
  remote: string;
  work: string;
  env: Record<string, string>;
}

async function run(
  world: World,
  cwd: string,
  args: string[],
): Promise<{ code: number; output: string }> {
  const out = await new Deno.Command("git", {
    args,
    cwd,
    env: world.env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, output: decoder.decode(out.stdout) + decoder.decode(out.stderr) };
}

async function git(world: World, args: string[], cwd = world.work): Promise<string> {
  const { code, output } = await run(world, cwd, args);
  assertEquals(code, 0, `git ${args.join(" ")} failed:\n${output}`);
  return output;
}

async function createWorld(): Promise<World> {
  const root = await Deno.makeTempDir({ prefix: "dnsapi-prereceive-" });
  const env = {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: `${root}/home`,
    DENO_DIR: await denoDir(),
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "Test Author",
    GIT_AUTHOR_EMAIL: "author@example.test",
    GIT_COMMITTER_NAME: "Test Committer",
    GIT_COMMITTER_EMAIL: "committer@example.test",
    GIT_TERMINAL_PROMPT: "0",
  };
  await Deno.mkdir(env.HOME);
  const world = { root, remote: `${root}/remote.git`, work: `${root}/work`, env };
  await git(world, ["init", "-q", "--bare", "-b", "main", world.remote], root);
  await git(world, ["init", "-q", "-b", "main", world.work], root);
  await git(world, ["remote", "add", "origin", world.remote]);
  await Deno.mkdir(`${world.work}/zones`);
  return world;
}

async function installHook(world: World): Promise<void> {
  const script = `#!/bin/sh\nexec '${Deno.execPath()}' run -A --quiet '${ENTRY}'\n`;
  await Deno.writeTextFile(`${world.remote}/hooks/pre-receive`, script, { mode: 0o755 });
}

async function commitFiles(world: World, files: Record<string, string>, message: string) {
  for (const [path, text] of Object.entries(files)) {
    await Deno.writeTextFile(`${world.work}/${path}`, text);
  }
  await git(world, ["add", "-A"]);
  await git(world, ["commit", "-q", "-m", message]);
}

async function remoteRef(world: World, ref: string): Promise<string | undefined> {
  const { code, output } = await run(world, world.remote, ["rev-parse", "--verify", "-q", ref]);
  return code === 0 ? output.trim() : undefined;
}

async function withWorld(fn: (world: World) => Promise<void>): Promise<void> {
  const world = await createWorld();
  try {
    await fn(world);
  } finally {
    await Deno.remove(world.root, { recursive: true });
  }
}

const VALID = "$TTL 300\n@ IN A 192.0.2.1\nwww IN CNAME @\nmail IN MX 10 mx.shop.test.\n";
const BROKEN = "$TTL 300\n@ IN A 192.0.2.1\n\nwww IN A 999.1.1.1\n";

Deno.test("a push with a broken zone file is rejected, naming zones/<file>:<line>", async () => {
  await withWorld(async (world) => {
    await installHook(world);
    await commitFiles(world, { "zones/shop.test": BROKEN }, "broken zone");
    const push = await run(world, world.work, ["push", "origin", "main"]);
    assert(push.code !== 0, push.output);
    assert(/remote: zones\/shop\.test:4: /.test(push.output), push.output);
    assert(push.output.includes("pre-receive hook declined"), push.output);
    assertEquals(await remoteRef(world, "refs/heads/main"), undefined);
  });
});

Deno.test("a push with valid zone files passes and updates the branch", async () => {
  await withWorld(async (world) => {
    await installHook(world);
    await commitFiles(world, { "zones/shop.test": VALID, "README.md": "hello\n" }, "valid");
    const push = await run(world, world.work, ["push", "origin", "main"]);
    assertEquals(push.code, 0, push.output);
    assert(!push.output.includes("zones/shop.test:"), push.output);
    assert(!push.output.includes("could not validate"), push.output);
    const local = (await git(world, ["rev-parse", "HEAD"])).trim();
    assertEquals(await remoteRef(world, "refs/heads/main"), local);
  });
});

Deno.test("a push whose zone file has a classic mistake passes and shows the warning with file and line", async () => {
  await withWorld(async (world) => {
    await installHook(world);
    const text = "$TTL 300\n@ IN A 192.0.2.1\n@ IN TXT v=spf1 include:_spf.example.net ~all\n";
    await commitFiles(world, { "zones/shop.test": text }, "unquoted SPF");
    const push = await run(world, world.work, ["push", "origin", "main"]);
    assertEquals(push.code, 0, push.output);
    assert(
      push.output.includes(
        "remote: zones/shop.test:3: warning: this TXT record has words outside quotes",
      ),
      push.output,
    );
    const local = (await git(world, ["rev-parse", "HEAD"])).trim();
    assertEquals(await remoteRef(world, "refs/heads/main"), local);
  });
});

Deno.test("deleting a branch that holds a broken zone file passes", async () => {
  await withWorld(async (world) => {
    await commitFiles(world, { "zones/shop.test": VALID }, "valid");
    await git(world, ["push", "-q", "origin", "main"]);
    await git(world, ["checkout", "-q", "-b", "wip"]);
    await commitFiles(world, { "zones/shop.test": BROKEN }, "broken, pushed before the hook");
    await git(world, ["push", "-q", "origin", "wip"]);
    await installHook(world);
    const push = await run(world, world.work, ["push", "origin", ":wip"]);
    assertEquals(push.code, 0, push.output);
    assert(!push.output.includes("could not validate"), push.output);
    assertEquals(await remoteRef(world, "refs/heads/wip"), undefined);
  });
});

Deno.test("a force push that brings a broken zone file is rejected and the branch kept", async () => {
  await withWorld(async (world) => {
    await installHook(world);
    await commitFiles(world, { "zones/shop.test": VALID }, "valid");
    await git(world, ["push", "-q", "origin", "main"]);
    const before = await remoteRef(world, "refs/heads/main");
    await git(world, ["checkout", "-q", "--orphan", "rewrite"]);
    await commitFiles(world, { "zones/shop.test": BROKEN }, "rewritten history");
    const push = await run(world, world.work, ["push", "--force", "origin", "rewrite:main"]);
    assert(push.code !== 0, push.output);
    assert(/remote: zones\/shop\.test:4: /.test(push.output), push.output);
    assertEquals(await remoteRef(world, "refs/heads/main"), before);
  });
});

Deno.test("a zone file over the size limit is rejected with its size and the limit", async () => {
  await withWorld(async (world) => {
    await installHook(world);
    const line = 'host IN TXT "' + "x".repeat(200) + '"\n';
    const huge = "$TTL 300\n" + line.repeat(Math.ceil((10 * 1024 * 1024 + 1) / line.length));
    await commitFiles(world, { "zones/big.test": huge }, "huge zone");
    const push = await run(world, world.work, ["push", "origin", "main"]);
    assert(push.code !== 0, push.output);
    const size = new TextEncoder().encode(huge).length;
    assert(
      push.output.includes(`remote: zones/big.test: file is ${size} bytes; the limit is`),
      push.output,
    );
  });
});

Deno.test("an update checks only the zone files it changes; example.* files are skipped", async () => {
  await withWorld(async (world) => {
    await commitFiles(world, { "zones/old.test": BROKEN }, "broken, pushed before the hook");
    await git(world, ["push", "-q", "origin", "main"]);
    await installHook(world);
    await commitFiles(
      world,
      { "zones/shop.test": VALID, "zones/example.com": BROKEN },
      "a valid zone and a broken sample",
    );
    const push = await run(world, world.work, ["push", "origin", "main"]);
    assertEquals(push.code, 0, push.output);
    assert(!push.output.includes("zones/old.test:"), push.output);
    assert(!push.output.includes("zones/example.com:"), push.output);
    assert(!push.output.includes("could not validate"), push.output);
  });
});

Deno.test("a zone file whose name is not a domain name is rejected", async () => {
  await withWorld(async (world) => {
    await installHook(world);
    await commitFiles(world, { "zones/shop_test": VALID }, "bad name");
    const push = await run(world, world.work, ["push", "origin", "main"]);
    assert(push.code !== 0, push.output);
    assert(push.output.includes("remote: zones/shop_test: the file name must be the domain name"));
  });
});

Deno.test("zone files named after public suffixes or reserved names are rejected; registrable ones pass", async () => {
  await withWorld(async (world) => {
    await installHook(world);
    world.env = { ...world.env, DNSAPI_DENY_DOMAINS: "brand.test" };
    await commitFiles(
      world,
      {
        "zones/gouv.fr": VALID,
        "zones/github.io": VALID,
        "zones/foo.ck": VALID,
        "zones/www.brand.test": VALID,
        "zones/www.ck": VALID,
        "zones/shop.gouv.fr": VALID,
      },
      "suffixes",
    );
    const push = await run(world, world.work, ["push", "origin", "main"]);
    assert(push.code !== 0, push.output);
    for (const zone of ["gouv.fr", "github.io", "foo.ck"]) {
      assert(
        push.output.includes(
          `remote: zones/${zone}: the file name says ${zone}; ${zone} is a public suffix`,
        ),
        push.output,
      );
    }
    assert(
      push.output.includes(
        "remote: zones/www.brand.test: the file name says www.brand.test; www.brand.test is reserved by the operator",
      ),
      push.output,
    );
    assert(!push.output.includes("zones/www.ck:"), push.output);
    assert(!push.output.includes("zones/shop.gouv.fr:"), push.output);
  });
});
