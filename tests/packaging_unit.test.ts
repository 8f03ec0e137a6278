/**
 * The systemd unit and the env file example: `systemd-analyze verify` when it is
 * installed, and the keys deployment relies on in any case.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import { loadConfig } from "../lib/config.ts";

const UNIT = fromFileUrl(new URL("../packaging/dns-api-worker.service", import.meta.url));
const ENV_EXAMPLE = fromFileUrl(new URL("../packaging/worker.env.example", import.meta.url));
const CONFIG_SOURCE = fromFileUrl(new URL("../lib/config.ts", import.meta.url));

/** Section → key → values (a key may repeat, e.g. SystemCallFilter). */
type UnitFile = Map<string, Map<string, string[]>>;

function parseUnit(text: string): UnitFile {
  const unit: UnitFile = new Map();
  let section: Map<string, string[]> | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = line.match(/^\[(.+)\]$/);
    if (header) {
      section = new Map();
      unit.set(header[1]!, section);
      continue;
    }
    const eq = line.indexOf("=");
    assert(section && eq > 0, `unparsable unit line: ${raw}`);
    const key = line.slice(0, eq).trim();
    section.set(key, [...(section.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return unit;
}

function seconds(value: string): number {
  const m = value.match(/^(\d+)\s*(s|min|m)?$/);
  assert(m, `cannot read a duration from ${value}`);
  return Number(m[1]) * (m[2] === "min" || m[2] === "m" ? 60 : 1);
}

async function which(command: string): Promise<string | undefined> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      const info = await Deno.stat(`${dir}/${command}`);
      if (info.isFile) return `${dir}/${command}`;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

async function systemUnitDir(): Promise<string | undefined> {
  for (const dir of ["/usr/lib/systemd/system", "/lib/systemd/system"]) {
    try {
      await Deno.stat(`${dir}/sysinit.target`);
      return dir;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/**
 * Runs `systemd-analyze verify` on `unitText` installed in a throw-away root that has
 * the system's own units and a stand-in for the worker binary, so the check covers
 * ExecStart without installing anything on this machine. Returns exit code and output.
 */
async function verifyInRoot(unitText: string, systemUnits: string) {
  const root = await Deno.makeTempDir({ prefix: "dnsapi-unit-" });
  try {
    await Deno.mkdir(`${root}/usr/local/bin`, { recursive: true });
    await Deno.mkdir(`${root}/etc/systemd/system`, { recursive: true });
    await Deno.mkdir(`${root}/usr/lib/systemd`, { recursive: true });
    await Deno.writeTextFile(`${root}/usr/local/bin/dns-api-worker`, "#!/bin/sh\n", {
      mode: 0o755,
    });
    await Deno.writeTextFile(`${root}/etc/systemd/system/dns-api-worker.service`, unitText);
    const copy = await new Deno.Command("cp", {
      args: ["-r", systemUnits, `${root}/usr/lib/systemd/system`],
    }).output();
    assertEquals(copy.code, 0, new TextDecoder().decode(copy.stderr));
    const out = await new Deno.Command("systemd-analyze", {
      args: ["verify", "--man=no", `--root=${root}`, "/etc/systemd/system/dns-api-worker.service"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decoder = new TextDecoder();
    return {
      code: out.code,
      output: (decoder.decode(out.stdout) + decoder.decode(out.stderr)).trim(),
    };
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

const unitText = await Deno.readTextFile(UNIT);
const analyze = await which("systemd-analyze");
const systemUnits = await systemUnitDir();

if (analyze && systemUnits) {
  Deno.test("systemd-analyze verify accepts the worker unit without any warning", async () => {
    const { code, output } = await verifyInRoot(unitText, systemUnits);
    assertEquals(output, "");
    assertEquals(code, 0);
  });

  Deno.test("systemd-analyze verify, as run here, reports a misspelt directive", async () => {
    const broken = unitText.replace("ProtectHome=yes", "ProtectHome=yes\nProtectHomes=yes");
    const { output } = await verifyInRoot(broken, systemUnits);
    assert(output.includes("Unknown key 'ProtectHomes'"), output);
  });
} else {
  Deno.test(
    "unit file verification by systemd-analyze (systemd-analyze not available: install " +
      "the Debian package systemd to run it; the key checks below still run)",
    { ignore: true },
    () => {},
  );
}

Deno.test("the unit runs the worker as dns-api from the env file and restarts it on failure", () => {
  const service = parseUnit(unitText).get("Service");
  assert(service, "no [Service] section");
  assertEquals(service.get("User"), ["dns-api"]);
  assertEquals(service.get("Group"), ["dns-api"]);
  assertEquals(service.get("EnvironmentFile"), ["/etc/dns-api/worker.env"]);
  assertEquals(service.get("ExecStart"), ["/usr/local/bin/dns-api-worker run"]);
  assertEquals(service.get("Restart"), ["on-failure"]);
  assert(seconds(service.get("RestartSec")?.[0] ?? "") >= 1);
  assertEquals(service.get("KillSignal"), ["SIGTERM"]);
  assertEquals(parseUnit(unitText).get("Install")?.get("WantedBy"), ["multi-user.target"]);
});

Deno.test("the unit's stop timeout is longer than the worker's default shutdown deadline", () => {
  const service = parseUnit(unitText).get("Service");
  const timeout = seconds(service?.get("TimeoutStopSec")?.[0] ?? "");
  assert(timeout > loadConfig({}).shutdownSeconds, `TimeoutStopSec=${timeout}`);
});

Deno.test("the unit is sandboxed and can write only the default work root", () => {
  const service = parseUnit(unitText).get("Service");
  assert(service);
  for (
    const [key, value] of [
      ["NoNewPrivileges", "yes"],
      ["ProtectSystem", "strict"],
      ["ProtectHome", "yes"],
      ["PrivateTmp", "yes"],
      ["PrivateDevices", "yes"],
      ["LockPersonality", "yes"],
      ["RestrictSUIDSGID", "yes"],
      ["CapabilityBoundingSet", ""],
    ] as const
  ) {
    assertEquals(service.get(key), [value], `${key}=`);
  }
  assertEquals(service.get("ReadWritePaths"), [loadConfig({}).workRoot]);
  const families = (service.get("RestrictAddressFamilies")?.[0] ?? "").split(/\s+/);
  assert(families.includes("AF_INET") && !families.includes("AF_PACKET"), families.join(" "));
});

Deno.test("the unit leaves MemoryDenyWriteExecute off, because V8's JIT needs W+X memory", () => {
  const values = parseUnit(unitText).get("Service")?.get("MemoryDenyWriteExecute") ?? [];
  assert(values.every((v) => !["yes", "true", "1", "on"].includes(v)), values.join(","));
});

function envExampleKeys(text: string): { active: Record<string, string>; all: string[] } {
  const active: Record<string, string> = {};
  const all: string[] = [];
  for (const line of text.split("\n")) {
    const m = line.match(/^(#?)([A-Z][A-Z0-9_]*)=(.*)$/);
    if (!m) continue;
    all.push(m[2]!);
    if (m[1] === "") active[m[2]!] = m[3]!;
  }
  return { active, all };
}

Deno.test("worker.env.example names every variable of docs/design.md and of lib/config.ts", async () => {
  const { all } = envExampleKeys(await Deno.readTextFile(ENV_EXAMPLE));
  const design = [
    "REDIS_URL",
    "DATABASE_URL",
    "REPOS_ROOT",
    "WORK_ROOT",
    "ZONES_DIR",
    "AWS_ENDPOINT_URL_ROUTE_53",
    "METRICS_PORT",
    "DNS_API_HOOK_WAIT",
    "REPOS_REMOTE",
  ];
  // The schema keys are the object keys of lib/config.ts's zod schema, two spaces in.
  const configKeys = [...(await Deno.readTextFile(CONFIG_SOURCE)).matchAll(
    /^ {2}([A-Z][A-Z0-9_]+):/gm,
  )].map((m) => m[1]!);
  assert(configKeys.length > 0, "found no variables in lib/config.ts");
  const missing = [...design, ...configKeys].filter((k) => !all.includes(k));
  assertEquals(missing, []);
});

Deno.test("worker.env.example's values, commented-out ones included, load as a valid config", async () => {
  const text = await Deno.readTextFile(ENV_EXAMPLE);
  const { active } = envExampleKeys(text);
  const uncommented = envExampleKeys(text.replace(/^#([A-Z])/gm, "$1")).active;
  const config = loadConfig(active);
  assertEquals(config.workRoot, "/git");
  assertEquals(config.metricsPort, 9464);
  loadConfig(uncommented);
});
