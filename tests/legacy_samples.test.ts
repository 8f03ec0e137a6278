/**
 * The original service's two sample zones (its sample repository's zones/example.com
 * and zones/example.net, recreated in tests/corpus/legacy/ for acme-sample.com and
 * acme-sample.net) read through `check`'s reader: each must give exactly the record sets
 * the original service published for it, so a migrated repository changes nothing live.
 */

import { deepStrictEqual as eq } from "node:assert/strict";
import { join } from "node:path";
import { checkFile } from "../cli/check.ts";

const DIR = join(import.meta.dirname ?? ".", "corpus", "legacy");

Deno.test("legacy sample, fully qualified names (example.com): what the original published", async () => {
  const r = await checkFile(join(DIR, "acme-sample.com"));
  eq(r.zone, "acme-sample.com");
  eq(r.errors, []);
  eq(r.warnings, []);
  eq(r.rrsets, [
    { name: "acme-sample.com.", type: "A", ttl: 3600, values: ["80.68.84.111"] },
    {
      name: "acme-sample.com.",
      type: "AAAA",
      ttl: 3600,
      values: ["2001:41c8:10b:103::111"],
    },
    {
      name: "acme-sample.com.",
      type: "CAA",
      ttl: 300,
      values: ['0 issue "letsencrypt.org"'],
    },
    {
      name: "acme-sample.com.",
      type: "MX",
      ttl: 3600,
      values: ["15 mail.acme-sample.com."],
    },
    {
      name: "acme-sample.com.",
      type: "TXT",
      ttl: 3600,
      values: ['"v=spf1 mx a ptr ~all"'],
    },
    {
      name: "_graphite._tcp.acme-sample.com.",
      type: "SRV",
      ttl: 3600,
      values: ["1 10 2003 graphite.docker.acme-sample.com."],
    },
    {
      name: "_graphite._udp.acme-sample.com.",
      type: "SRV",
      ttl: 3600,
      values: ["1 10 2003 graphite.docker.acme-sample.com."],
    },
    { name: "mail.acme-sample.com.", type: "A", ttl: 3600, values: ["80.68.84.102"] },
    {
      name: "mail.acme-sample.com.",
      type: "AAAA",
      ttl: 3600,
      values: ["2001:41c8:10b:102::10"],
    },
    {
      name: "secret.acme-sample.com.",
      type: "CAA",
      ttl: 300,
      values: ['0 issue "comodoca.com"'],
    },
    {
      name: "webmail.acme-sample.com.",
      type: "CNAME",
      ttl: 3600,
      values: ["mail.acme-sample.com."],
    },
    { name: "www.acme-sample.com.", type: "A", ttl: 3600, values: ["80.68.84.111"] },
    {
      name: "www.acme-sample.com.",
      type: "AAAA",
      ttl: 3600,
      values: ["2001:41c8:10b:103::111"],
    },
  ]);
});

Deno.test("legacy sample, unqualified names (example.net): what the original published", async () => {
  const r = await checkFile(join(DIR, "acme-sample.net"));
  eq(r.zone, "acme-sample.net");
  eq(r.errors, []);
  eq(r.rrsets, [
    { name: "acme-sample.net.", type: "A", ttl: 300, values: ["80.68.84.103"] },
    {
      name: "acme-sample.net.",
      type: "AAAA",
      ttl: 300,
      values: ["2001:41c8:10b:103::10"],
    },
    {
      name: "acme-sample.net.",
      type: "MX",
      ttl: 300,
      values: ["15 mail.acme-sample.net."],
    },
    {
      name: "acme-sample.acme-sample.net.",
      type: "TXT",
      ttl: 300,
      values: ['"v=spf1 mx a ptr ip4:1.2.3.4 ?all"'],
    },
    { name: "mail.acme-sample.net.", type: "A", ttl: 300, values: ["127.0.0.1"] },
    { name: "www.acme-sample.net.", type: "A", ttl: 300, values: ["80.68.84.103"] },
    {
      name: "www.acme-sample.net.",
      type: "AAAA",
      ttl: 300,
      values: ["2001:41c8:10b:103::10"],
    },
  ]);
  // the TXT owner is the zone's first label, published below the apex: said, not changed
  eq(r.warnings.map((w) => w.line), [47]);
  eq(
    r.warnings[0]?.message,
    'name "acme-sample" is acme-sample.acme-sample.net., not the zone apex: for the apex leave the name empty or write acme-sample.net',
  );
});
