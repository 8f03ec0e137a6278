import assert from "node:assert/strict";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const PROJECT = dirname(dirname(fileURLToPath(import.meta.url)));

Deno.test("deno task demo runs to the end: push output, job log, records and name servers", async () => {
  const env: Record<string, string> = { ...Deno.env.toObject(), NO_COLOR: "1" };
  // The demo starts its own disposable Redis and MariaDB unless these name running ones.
  delete env.REDIS_URL;
  delete env.DATABASE_URL;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "demo"],
    cwd: PROJECT,
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  const errors = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, `demo failed:\n${text}\n${errors}`);
  assert.match(text, /remote: dns-api: queued [0-9a-f-]{36}/);
  assert.match(text, /remote: dns-api: shop\.test: \+10 ~0 -0/);
  assert.match(text, /remote: dns-api: legacy-shop\.test: \+6 ~0 -0/);
  assert.match(text, /status succeeded/);
  assert.match(text, / {2}\*\.dev\.shop\.test\. 300 TXT "wildcard for preview sites"/);
  assert.match(text, / {2}www\.legacy-shop\.test\. 300 AAAA 2001:db8::40/);
  assert.match(text, /name servers to set at the registrar for shop\.test\./);
  assert.match(text, / {2}ns-\d+\.awsdns-\d+\.co\.uk/);
  assert.match(text, /demo world removed/);
});
