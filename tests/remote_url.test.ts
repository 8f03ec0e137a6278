import assert from "node:assert/strict";
import { checkRemoteUrl, nonPublicAddress, parseRemoteUrl, remoteKey } from "../lib/git.ts";
import { loadConfig } from "../lib/config.ts";

/** A resolver that answers from a table and never asks DNS. */
const table = (answers: Record<string, string[]>) => (host: string) =>
  Promise.resolve(answers[host] ?? []);
const PUBLIC = table({ "github.com": ["140.82.121.4"], "gitlab.com": ["2606:4700::6810:1"] });

Deno.test("https://, ssh:// and user@host:path remotes on public hosts are allowed", async () => {
  for (
    const url of [
      "https://github.com/steve/zones.git",
      "ssh://git@github.com/steve/zones",
      "ssh://git@github.com:2222/steve/zones",
      "git@github.com:steve/zones.git",
      "https://gitlab.com/group/sub/zones",
      "https://140.82.121.4/steve/zones.git",
    ]
  ) {
    const check = await checkRemoteUrl(url, [], PUBLIC);
    assert.ok(check.ok, `${url}: ${check.ok ? "" : check.problem}`);
  }
  assert.deepEqual(parseRemoteUrl("git@github.com:steve/zones.git"), {
    protocol: "ssh",
    host: "github.com",
    path: "steve/zones.git",
  });
});

Deno.test("local paths, file://, ext:: and other transports are refused", async () => {
  const cases: [string, RegExp][] = [
    ["/repos/steve", /local path/],
    ["./zones", /local path/],
    ["~/zones", /local path/],
    ["file:///repos/steve", /file:\/\/ transport is not allowed/],
    ["ext::sh -c touch% /tmp/pwned", /spaces|ext::/],
    ["ext::ssh", /ext::/],
    ["fd::17", /ext::/],
    ["ftp://github.com/steve/zones", /ftp:\/\/ transport/],
    ["-uhttps://github.com/x", /must not start with -/],
    ["git@-oProxyCommand=x:zones", /no valid host/],
    ["git@github.com:-zones", /no valid repository path/],
    ["github.com:steve/zones", /expected https/],
    ["https://github.com/", /no repository path/],
    ["https://github.com/steve/%E0%A4%A", /not valid percent-encoding/],
  ];
  for (const [url, reason] of cases) {
    const check = await checkRemoteUrl(url, ["github.com"], PUBLIC);
    assert.ok(!check.ok, url);
    assert.match(check.problem, reason, url);
  }
});

Deno.test("credentials in the URL are refused, and the reason never repeats the URL", async () => {
  for (
    const url of [
      "https://steve:ghp_secret@github.com/steve/zones.git",
      "https://ghp_secret@github.com/steve/zones.git",
      "ssh://git:ghp_secret@github.com/steve/zones",
    ]
  ) {
    const check = await checkRemoteUrl(url, [], PUBLIC);
    assert.ok(!check.ok, url);
    assert.match(check.problem, /must not carry credentials/);
    assert.ok(!check.problem.includes("ghp_secret"));
  }
});

Deno.test("http:// and git:// are allowed only for hosts listed as insecure", async () => {
  for (const url of ["http://github.com/steve/zones.git", "git://github.com/steve/zones.git"]) {
    const refused = await checkRemoteUrl(url, [], PUBLIC);
    assert.ok(!refused.ok);
    assert.match(refused.problem, /unencrypted.*DNSAPI_REMOTE_INSECURE_HOSTS/);
    assert.ok((await checkRemoteUrl(url, ["GitHub.com"], PUBLIC)).ok);
  }
});

Deno.test("a host that is or resolves to a loopback, private or link-local address is refused unless listed", async () => {
  const resolver = table({
    "localhost": ["127.0.0.1", "::1"],
    "intranet.example": ["10.1.2.3"],
    "metadata.example": ["169.254.169.254"],
    "mixed.example": ["140.82.121.4", "192.168.1.1"],
  });
  const cases: [string, RegExp][] = [
    ["https://127.0.0.1/x.git", /host 127\.0\.0\.1 is a loopback address/],
    ["https://[::1]/x.git", /host ::1 is a loopback address/],
    ["https://[::ffff:10.0.0.1]/x.git", /private address/],
    ["ssh://git@[fe80::1]/x.git", /link-local address/],
    ["git@192.168.0.10:x.git", /private address/],
    ["https://localhost/x.git", /resolves to 127\.0\.0\.1, a loopback address/],
    ["https://intranet.example/x.git", /resolves to 10\.1\.2\.3, a private address/],
    ["https://metadata.example/x.git", /link-local/],
    ["https://mixed.example/x.git", /resolves to 192\.168\.1\.1/],
    ["https://nowhere.example/x.git", /has no address/],
  ];
  for (const [url, reason] of cases) {
    const check = await checkRemoteUrl(url, [], resolver);
    assert.ok(!check.ok, url);
    assert.match(check.problem, reason, url);
    assert.match(check.problem, /DNSAPI_REMOTE_INSECURE_HOSTS|has no address/);
  }
  assert.ok((await checkRemoteUrl("git://127.0.0.1/x.git", ["127.0.0.1"], resolver)).ok);
  assert.ok((await checkRemoteUrl("https://localhost/x.git", ["localhost"], resolver)).ok);
});

Deno.test("nonPublicAddress() knows the special IPv4 and IPv6 ranges", () => {
  for (
    const ip of [
      "127.1.2.3",
      "10.0.0.1",
      "172.31.0.1",
      "192.168.9.9",
      "169.254.1.1",
      "100.64.0.1",
      "0.0.0.0",
      "224.0.0.1",
      "::",
      "::1",
      "fc00::1",
      "fd12::1",
      "fe80::abcd",
      "ff02::1",
      "::ffff:127.0.0.1",
    ]
  ) {
    assert.ok(nonPublicAddress(ip), ip);
  }
  for (
    const ip of ["140.82.121.4", "172.32.0.1", "8.8.8.8", "2606:4700::6810:1", "::ffff:8.8.8.8"]
  ) {
    assert.equal(nonPublicAddress(ip), undefined, ip);
  }
});

Deno.test("remoteKey() gives one repository's https and ssh forms one key", () => {
  const key = "github.com/steve/zones";
  for (
    const url of [
      "https://github.com/steve/zones",
      "https://github.com/steve/zones.git",
      "https://GitHub.com/Steve/Zones/",
      "git@github.com:steve/zones.git",
      "ssh://git@github.com/steve/zones",
      "ssh://git@github.com:22/steve/zones.git",
    ]
  ) {
    assert.equal(remoteKey(url), key, url);
  }
  assert.notEqual(remoteKey("https://github.com/eve/zones"), key);
  assert.notEqual(remoteKey("https://gitlab.com/steve/zones"), key);
  assert.equal(remoteKey("/repos/steve"), undefined);
  assert.equal(remoteKey("https://github.com/%E0%A4%A"), undefined);
});

Deno.test("DNSAPI_REMOTE_INSECURE_HOSTS is a comma- or space-separated list, lower-cased", () => {
  assert.deepEqual(loadConfig({}).remoteInsecureHosts, []);
  assert.deepEqual(
    loadConfig({ DNSAPI_REMOTE_INSECURE_HOSTS: "127.0.0.1, Git.Internal  ::1" })
      .remoteInsecureHosts,
    ["127.0.0.1", "git.internal", "::1"],
  );
  assert.equal(
    loadConfig({ DNSAPI_WEBHOOK_URL: "https://hooks.example/" }).webhookUrl,
    "https://hooks.example",
  );
  assert.throws(() => loadConfig({ DNSAPI_WEBHOOK_URL: "ftp://x" }), /DNSAPI_WEBHOOK_URL/);
});
