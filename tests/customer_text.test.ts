import assert from "node:assert/strict";
import { customerMessage, withoutServerDetails } from "../lib/errors.ts";
import { GitError } from "../lib/git.ts";

Deno.test("withoutServerDetails() hides server paths, keeps repository paths and URLs", () => {
  assert.equal(
    withoutServerDetails("Cannot open '/srv/dnsapi/work/ann/.git/index.lock': File exists"),
    "Cannot open (a server path): File exists",
  );
  assert.equal(withoutServerDetails("zones/shop.test:4: bad TTL"), "zones/shop.test:4: bad TTL");
  assert.equal(withoutServerDetails("see https://example.com/a/b"), "see https://example.com/a/b");
});

Deno.test("withoutServerDetails() hides hosted zone ids, the given ones whatever their form", () => {
  assert.equal(
    withoutServerDetails("No hosted zone found with ID: /hostedzone/Z1D633PJN98FT9"),
    "No hosted zone found with ID: (the hosted zone)",
  );
  assert.equal(
    withoutServerDetails("zone local-7 is busy", ["local-7"]),
    "zone (the hosted zone) is busy",
  );
  assert.equal(withoutServerDetails("ZONEFILE stays"), "ZONEFILE stays");
});

Deno.test("withoutServerDetails() escapes control characters", () => {
  assert.equal(
    withoutServerDetails("a\nremote: dns-api: forged\x1b[2J"),
    "a\\nremote: dns-api: forged\\x1b[2J",
  );
});

Deno.test("customerMessage() says a git failure in one sentence, without git's stderr", () => {
  const error = new GitError(
    "Cannot run git fetch: exit 128: fatal: '/srv/repos/ann.git' does not appear to be a git repository",
    [],
    128,
    "fatal: '/srv/repos/ann.git' does not appear to be a git repository",
  );
  const said = customerMessage(error);
  assert.equal(
    said,
    "the server could not read your repository (git failed); support has the details",
  );
  assert.equal(
    customerMessage(new Error("ENOENT: open '/srv/work/ann/x'")),
    "ENOENT: open (a server path)",
  );
});
