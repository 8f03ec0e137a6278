/**
 * What `deno task test` needs from the machine, checked once before any test runs:
 * git and BIND's named-checkzone on the PATH, Redis on 127.0.0.1:6379, and MariaDB on
 * 127.0.0.1:3306 letting root in without a password, plus the redis-server and MariaDB
 * binaries the demo and the outage test start instances of. Without this, a machine
 * lacking one of them fails a hundred tests one by one with the cause buried in each.
 *
 * It only tells; it never installs. `.ci/run` is the installer (it runs as root on a
 * fresh Debian machine in CI), and a developer's machine is theirs to change: the
 * message names the packages and the commands, and `.ci/run`.
 *
 * Run as a program it prints nothing and exits 0 when all is there, or prints one block
 * to stderr and exits 1. `PREFLIGHT_REDIS_PORT` and `PREFLIGHT_MARIADB_PORT` move the
 * probes to other ports, for the preflight's own test; the suite uses the defaults.
 *
 * @module
 */
import { bindAvailable } from "./bind_oracle.ts";
import { commandRuns, packagesFor, portOpen, which } from "./services.ts";

/** Something the suite needs that this machine lacks. */
export interface Lack {
  /** What is wrong, one line: `Redis: nothing answers on 127.0.0.1:6379`. */
  problem: string;
  /** Debian packages that provide it; empty when it is installed but not running. */
  packages: string[];
  /** The command that starts it once installed, for a service that is not running. */
  start?: { command: string; asRoot: boolean };
}

/** The ports the probes knock on. */
export interface Ports {
  redis: number;
  mariadb: number;
}

/** The ports the tests use. */
export const TEST_PORTS: Ports = { redis: 6379, mariadb: 3306 };

/**
 * Probes the machine (all probes at once, so it takes as long as the slowest) and
 * returns what is missing, in the order the message lists it.
 *
 * @example
 * ```ts
 * const lacks = await findLacks();
 * if (lacks.length > 0) console.error(formatLacks(lacks, false));
 * ```
 */
export async function findLacks(ports: Ports = TEST_PORTS): Promise<Lack[]> {
  const [git, bind, redisServer, redisUp, mariadbd, installDb, mariadbUp] = await Promise.all([
    commandRuns("git", ["--version"]),
    bindAvailable(),
    which("redis-server"),
    portOpen(ports.redis),
    which("mariadbd"),
    which("mariadb-install-db"),
    portOpen(ports.mariadb),
  ]);
  const lacks: Lack[] = [];
  if (!git) lacks.push({ problem: "git is not on the PATH", packages: packagesFor("git") });
  if (!bind) {
    lacks.push({
      problem: "BIND's named-checkzone is not on the PATH (the differential test's reference)",
      packages: packagesFor("named-checkzone"),
    });
  }
  const redis = serviceLack("Redis", `127.0.0.1:${ports.redis}`, {
    binary: "redis-server",
    installed: redisServer !== null,
    up: redisUp,
    packages: packagesFor("redis-server"),
    start: {
      command: `redis-server --daemonize yes --bind 127.0.0.1 --port ${ports.redis} --save ""`,
      asRoot: false,
    },
  });
  if (redis) lacks.push(redis);
  const mariadb = serviceLack("MariaDB", `127.0.0.1:${ports.mariadb}`, {
    binary: "mariadbd",
    installed: mariadbd !== null && installDb !== null,
    up: mariadbUp,
    packages: packagesFor("mariadbd"),
    start: { command: "service mariadb start", asRoot: true },
  });
  if (mariadb) lacks.push(mariadb);
  const login = mariadbUp ? await rootLoginProblem(ports.mariadb) : null;
  if (login) lacks.push({ problem: `MariaDB: ${login}`, packages: [] });
  return lacks;
}

/**
 * A service the tests reach on a port and the demo and outage test start from its
 * binary: both must be there.
 */
function serviceLack(
  name: string,
  address: string,
  state: {
    binary: string;
    installed: boolean;
    up: boolean;
    packages: string[];
    start: Lack["start"];
  },
): Lack | null {
  if (state.installed && state.up) return null;
  const problems = [
    ...(state.installed ? [] : [`${state.binary} is not installed`]),
    ...(state.up ? [] : [`nothing answers on ${address}`]),
  ];
  return {
    problem: `${name}: ${problems.join(", and ")}`,
    packages: state.installed ? [] : state.packages,
    ...(state.up ? {} : { start: state.start }),
  };
}

/**
 * The tests log in as root without a password over TCP; a Debian install lets root
 * in only through the socket, so an open port is not enough.
 */
async function rootLoginProblem(port: number): Promise<string | null> {
  // mysql2 is loaded only when the port answers, so a machine without MariaDB gets
  // its message without waiting for the driver.
  const mysql = await import("mysql2/promise");
  try {
    const conn = await mysql.createConnection({
      host: "127.0.0.1",
      port,
      user: "root",
      connectTimeout: 2000,
    });
    await conn.end();
    return null;
  } catch (error) {
    return `root cannot log in without a password on 127.0.0.1:${port} (${
      error instanceof Error ? error.message : String(error)
    })`;
  }
}

/**
 * The one block `deno task test` prints when something is missing: each problem on a
 * line, then one install command for every package and the start commands.
 *
 * @example
 * ```ts
 * formatLacks([{ problem: "git is not on the PATH", packages: ["git"] }], true);
 * // "... - git is not on the PATH\nInstall: apt-get install git\n..."
 * ```
 */
export function formatLacks(lacks: Lack[], root: boolean): string {
  const sudo = root ? "" : "sudo ";
  const packages = [...new Set(lacks.flatMap((l) => l.packages))];
  const starts = lacks.flatMap((l) =>
    l.start === undefined ? [] : [`${l.start.asRoot ? sudo : ""}${l.start.command}`]
  );
  return [
    "deno task test cannot run: this machine lacks what the tests need.",
    ...lacks.map((l) => `  - ${l.problem}`),
    ...(packages.length > 0 ? [`Install: ${sudo}apt-get install ${packages.join(" ")}`] : []),
    ...(starts.length > 0 ? [`Start:   ${starts.join("\n         ")}`] : []),
    "On a fresh Debian machine, `.ci/run` (as root) installs and starts all of this, then runs",
    "the tests.",
  ].join("\n");
}

function portFromEnv(name: string, fallback: number): number {
  const text = Deno.env.get(name);
  return text === undefined || text === "" ? fallback : Number(text);
}

if (import.meta.main) {
  const lacks = await findLacks({
    redis: portFromEnv("PREFLIGHT_REDIS_PORT", TEST_PORTS.redis),
    mariadb: portFromEnv("PREFLIGHT_MARIADB_PORT", TEST_PORTS.mariadb),
  });
  if (lacks.length > 0) {
    console.error(formatLacks(lacks, Deno.uid() === 0));
    Deno.exit(1);
  }
}
