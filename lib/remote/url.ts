/**
 * Which remote URLs the worker may fetch from, and one canonical key per repository.
 *
 * Allowed: `https://`, `ssh://` and scp-style `user@host:path`; `http://` and `git://`
 * only for hosts the operator listed (`DNSAPI_REMOTE_INSECURE_HOSTS`). Never `file://`,
 * a local path, `ext::` or any other transport, nothing starting with `-`, no
 * credentials in the URL. A host that is (or resolves to) a loopback, link-local,
 * private or otherwise non-public address is refused unless listed, so a remote URL
 * cannot make the worker reach into the operator's own network.
 *
 * The parsing is pure; {@linkcode checkRemoteUrl} adds the DNS lookup and is run when
 * the remote is registered and again before every fetch, whose git then connects only
 * to the addresses that check approved (lib/remote/access.ts), so a name that resolves
 * elsewhere between the check and git's own lookup gains nothing.
 *
 * @module
 */

/** A remote URL taken apart. */
export interface RemoteUrl {
  /** The git transport it needs (`ssh` for the scp form). */
  protocol: "https" | "ssh" | "http" | "git";
  /** Lower-case host name or IP literal (IPv6 without brackets). */
  host: string;
  /** The repository path, without leading slashes. */
  path: string;
  /** The port the URL names, when it names one. */
  port?: number;
}

const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/;
const SCP = /^([A-Za-z0-9._][A-Za-z0-9._-]*)@([^:/\[\]@]+):(.+)$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * Takes a remote URL apart, or says why it is not allowed (without the host check,
 * which needs `insecureHosts` and DNS: see {@linkcode checkRemoteUrl}). The reasons
 * never repeat the URL: it may carry a token.
 *
 * @example
 * ```ts
 * parseRemoteUrl("git@github.com:steve/zones.git"); // { protocol: "ssh", host: "github.com", path: "steve/zones.git" }
 * ```
 */
export function parseRemoteUrl(url: string): RemoteUrl | { problem: string } {
  if (url.startsWith("-")) return { problem: "a remote URL must not start with -" };
  // deno-lint-ignore no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(url)) {
    return { problem: "a remote URL must not contain spaces or control characters" };
  }
  if (/^[A-Za-z0-9+.-]*::/.test(url)) {
    return { problem: "git transports such as ext:: are not allowed" };
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    if (!["https", "ssh", "http", "git"].includes(scheme)) {
      return { problem: `the ${scheme}:// transport is not allowed (use https:// or ssh://)` };
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return { problem: "the remote URL cannot be parsed" };
    }
    if (parsed.password !== "" || (scheme !== "ssh" && parsed.username !== "")) {
      return {
        problem: "a remote URL must not carry credentials (use --token-file or --deploy-key)",
      };
    }
    const host = parsed.hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");
    if (!validHost(host)) return { problem: "the remote URL names no valid host" };
    let path: string;
    try {
      path = decodeURIComponent(parsed.pathname).replace(/^\/+/, "");
    } catch {
      return { problem: "the remote URL's path is not valid percent-encoding" };
    }
    if (path === "") return { problem: "the remote URL names no repository path" };
    const remote: RemoteUrl = { protocol: scheme as RemoteUrl["protocol"], host, path };
    if (parsed.port !== "") remote.port = Number(parsed.port);
    return remote;
  }
  const scp = SCP.exec(url);
  if (scp) {
    const host = (scp[2] ?? "").toLowerCase();
    const path = (scp[3] ?? "").replace(/^\/+/, "");
    if (!validHost(host) || host.startsWith("-")) {
      return { problem: "the remote URL names no valid host" };
    }
    if (path === "" || path.startsWith("-")) {
      return { problem: "the remote URL names no valid repository path" };
    }
    return { protocol: "ssh", host, path };
  }
  if (url.startsWith("/") || url.startsWith(".") || url.startsWith("~")) {
    return { problem: "a local path is not a remote (use https://, ssh:// or user@host:path)" };
  }
  return { problem: "expected https://, ssh:// or user@host:path" };
}

function validHost(host: string): boolean {
  return HOSTNAME.test(host) || IPV4.test(host) || ipv6Words(host) !== undefined;
}

/**
 * The key under which two URLs of one repository compare equal: host and path, lower
 * case, without user, port, `.git` or trailing slashes (`github.com/o/r` for
 * `https://github.com/o/r`, `git@github.com:o/r.git` and `ssh://git@github.com/o/r`);
 * `undefined` for a URL that is not allowed.
 */
export function remoteKey(url: string): string | undefined {
  const parsed = parseRemoteUrl(url);
  if ("problem" in parsed) return undefined;
  const path = parsed.path.replace(/\/+$/, "").replace(/\.git$/i, "").replace(/\/+$/, "");
  return `${parsed.host.replace(/\.$/, "")}/${path}`.toLowerCase();
}

/** True when both URLs name one repository (see {@linkcode remoteKey}). */
export function sameRemote(a: string, b: string): boolean {
  const key = remoteKey(a);
  return key !== undefined && key === remoteKey(b);
}

/** The eight 16-bit words of an IPv6 literal, or undefined for anything else. */
function ipv6Words(text: string): number[] | undefined {
  if (!text.includes(":") || !/^[0-9a-f:.]+$/i.test(text)) return undefined;
  let tail: number[] = [];
  let body = text;
  const v4 = /(?:^|:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const bytes = ipv4Bytes(v4[1]);
    if (!bytes) return undefined;
    tail = [(bytes[0]! << 8) | bytes[1]!, (bytes[2]! << 8) | bytes[3]!];
    body = text.slice(0, text.length - v4[1].length).replace(/:$/, "") || "";
    if (body === "" || body.endsWith(":")) body += ":";
  }
  const halves = body.split("::");
  if (halves.length > 2) return undefined;
  const words = (s: string) =>
    s === "" ? [] : s.split(":").map((w) => /^[0-9a-f]{1,4}$/i.test(w) ? parseInt(w, 16) : NaN);
  const head = words(halves[0] ?? "");
  const rest = halves.length === 2 ? words(halves[1] ?? "") : [];
  const given = head.length + rest.length + tail.length;
  if ([...head, ...rest].some(Number.isNaN)) return undefined;
  if (halves.length === 1 ? given !== 8 : given > 7) return undefined;
  return [...head, ...Array(8 - given).fill(0), ...rest, ...tail];
}

function ipv4Bytes(text: string): number[] | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  const bytes = m.slice(1).map(Number);
  return bytes.every((b) => b <= 255) ? bytes : undefined;
}

/**
 * Why an IP address is not a public one (loopback, private, link-local, shared,
 * multicast, unspecified, reserved), or undefined for a public address; a text that is
 * not an IP address is undefined too.
 */
export function nonPublicAddress(ip: string): string | undefined {
  const v4 = ipv4Bytes(ip);
  if (v4) {
    const [a = 0, b = 0] = v4;
    if (a === 127) return "a loopback address";
    if (a === 10 || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168)) {
      return "a private address";
    }
    if (a === 169 && b === 254) return "a link-local address";
    if (a === 100 && b >= 64 && b < 128) return "a shared (carrier-grade NAT) address";
    if (a === 0) return "an unspecified address";
    if (a >= 224) return "a multicast or reserved address";
    return undefined;
  }
  const w = ipv6Words(ip);
  if (!w) return undefined;
  const [w0 = 0, , , , , w5 = 0, w6 = 0, w7 = 0] = w;
  if (w.slice(0, 5).every((x) => x === 0) && w5 === 0xffff) {
    return nonPublicAddress(`${w6 >> 8}.${w6 & 255}.${w7 >> 8}.${w7 & 255}`);
  }
  if (w.slice(0, 7).every((x) => x === 0)) {
    return w7 === 1 ? "a loopback address" : "an unspecified address";
  }
  if ((w0 & 0xfe00) === 0xfc00) return "a private address";
  if ((w0 & 0xffc0) === 0xfe80) return "a link-local address";
  if ((w0 & 0xff00) === 0xff00) return "a multicast address";
  return undefined;
}

/** Looks up the addresses of a host name; Deno.resolveDns by default. */
export type Resolver = (host: string) => Promise<string[]>;

/** A and AAAA records through Deno.resolveDns; a missing record type is no address. */
export const resolveAddresses: Resolver = async (host) => {
  const lookup = (type: "A" | "AAAA") =>
    Deno.resolveDns(host, type).catch((error) => {
      if (error instanceof Deno.errors.NotFound) return [] as string[];
      throw error;
    });
  const [a, aaaa] = await Promise.all([lookup("A"), lookup("AAAA")]);
  return [...a, ...aaaa];
};

/**
 * What {@linkcode checkRemoteUrl} found: the parts, or why the URL is refused. When
 * allowed, `addresses` are the host's addresses the check found public, for the fetch
 * to use and no others (empty when the host is an address itself, or listed in
 * DNSAPI_REMOTE_INSECURE_HOSTS).
 */
export type RemoteUrlCheck =
  | { ok: true; url: RemoteUrl; addresses: string[] }
  | { ok: false; problem: string };

/**
 * The full rule: {@linkcode parseRemoteUrl}, then `http://`/`git://` only for a listed
 * host, then every address of the host must be public unless the host is listed. Run
 * at `user remote set` and before each fetch (an address may change in between).
 *
 * @example
 * ```ts
 * await checkRemoteUrl("https://127.0.0.1/x.git", []); // { ok: false, problem: "… a loopback address …" }
 * ```
 */
export async function checkRemoteUrl(
  url: string,
  insecureHosts: readonly string[],
  resolve: Resolver = resolveAddresses,
): Promise<RemoteUrlCheck> {
  const parsed = parseRemoteUrl(url);
  if ("problem" in parsed) return { ok: false, problem: parsed.problem };
  const listed = insecureHosts.some((h) => h.toLowerCase() === parsed.host);
  if (listed) return { ok: true, url: parsed, addresses: [] };
  const allowHint = "; list it in DNSAPI_REMOTE_INSECURE_HOSTS to allow it";
  if (parsed.protocol === "http" || parsed.protocol === "git") {
    return {
      ok: false,
      problem: `${parsed.protocol}:// is unencrypted: use https:// or ssh:// (or list ` +
        `${parsed.host} in DNSAPI_REMOTE_INSECURE_HOSTS)`,
    };
  }
  if (validIp(parsed.host)) {
    const why = nonPublicAddress(parsed.host);
    return why ? { ok: false, problem: `host ${parsed.host} is ${why}${allowHint}` } : {
      ok: true,
      url: parsed,
      addresses: [],
    };
  }
  let addresses: string[];
  try {
    addresses = await resolve(parsed.host.replace(/\.$/, ""));
  } catch (error) {
    return {
      ok: false,
      problem: `host ${parsed.host} cannot be resolved (${
        error instanceof Error ? error.message : String(error)
      })`,
    };
  }
  if (addresses.length === 0) {
    return { ok: false, problem: `host ${parsed.host} has no address` };
  }
  for (const address of addresses) {
    const why = nonPublicAddress(address);
    if (why) {
      return {
        ok: false,
        problem: `host ${parsed.host} resolves to ${address}, ${why}${allowHint}`,
      };
    }
  }
  return { ok: true, url: parsed, addresses };
}

function validIp(host: string): boolean {
  return ipv4Bytes(host) !== undefined || ipv6Words(host) !== undefined;
}
