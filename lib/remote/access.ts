/**
 * The environment one fetch from a registered remote runs with: the URL checked again
 * (its host's addresses may have changed since it was registered), and the credential
 * handed to git for that fetch only, never on a command line and never logged.
 *
 * - deploy key (ssh): the private key is written to a temporary file (mode 600), used
 *   through `GIT_SSH_COMMAND` with `IdentitiesOnly`, no user ssh config, host keys
 *   learned on first use into `WORK_ROOT/.known_hosts`, and removed afterwards;
 * - token (https): an `Authorization: Basic` header through `GIT_CONFIG_COUNT`/`KEY`/
 *   `VALUE`, so it appears in neither the arguments nor the URL.
 *
 * Redirects are not followed (a redirect could lead git to another host with the
 * token, or into the operator's network). git connects only to the addresses the check
 * approved (`http.curloptResolve` for https, `HostName` with the name kept as
 * `HostKeyAlias` for ssh), so a host name that resolves to another address by the time
 * git looks it up (DNS rebinding) does not lead the fetch there.
 *
 * @module
 */

import { UnrecoverableError } from "../errors.ts";
import { checkRemoteUrl, type RemoteUrl, type Resolver } from "./url.ts";

/** What a fetch needs to know of a registered remote (a `Remote` row fits). */
export interface RemoteSource {
  url: string;
  branch: string;
  auth: "none" | "deploy-key" | "token";
  credential: string | null;
}

/** Where the checks and the known hosts come from. */
export interface RemoteAccessOptions {
  /** Hosts allowed over http:// and git:// and on non-public addresses. */
  insecureHosts: readonly string[];
  /** The ssh known-hosts file shared by every remote (`WORK_ROOT/.known_hosts`). */
  knownHostsFile: string;
  resolve?: Resolver;
}

/** Why `auth` does not fit the URL's transport, or undefined when it does. */
export function authProblem(auth: RemoteSource["auth"], url: RemoteUrl): string | undefined {
  if (auth === "deploy-key" && url.protocol !== "ssh") {
    return "a deploy key needs an ssh:// or user@host:path URL";
  }
  if (auth === "token" && url.protocol !== "https" && url.protocol !== "http") {
    return "a token needs an https:// URL";
  }
  return undefined;
}

/**
 * curl's pinned resolution of the URL's host: `HOST:PORT:ADDR[,ADDR…]`, IPv6 addresses
 * in brackets.
 */
export function curlResolve(url: RemoteUrl, addresses: readonly string[]): string {
  const port = url.port ?? 443;
  const list = addresses.map((a) => a.includes(":") ? `[${a}]` : a).join(",");
  return `${url.host}:${port}:${list}`;
}

/**
 * The name ssh files the host's key under (`host`, or `[host]:port` off port 22), given
 * as HostKeyAlias so that connecting to a pinned address keeps the name's known key.
 */
export function knownHostsName(url: RemoteUrl): string {
  return url.port !== undefined && url.port !== 22 ? `[${url.host}]:${url.port}` : url.host;
}

/** Quotes a word for the shell git runs `GIT_SSH_COMMAND` with. */
function shellWord(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * The https token as a Basic Authorization header: `USER:TOKEN` as it is (Bitbucket's
 * repository tokens want `x-token-auth:TOKEN`), a bare token with the user name
 * `x-access-token` (GitHub's; GitLab, Gitea and Forgejo take any name with a token).
 */
export function tokenHeader(token: string): string {
  const pair = token.trim().includes(":") ? token.trim() : `x-access-token:${token.trim()}`;
  const bytes = new TextEncoder().encode(pair);
  return `Authorization: Basic ${btoa(String.fromCharCode(...bytes))}`;
}

/**
 * Checks the remote's URL and runs `fetch` with the git environment for it (the URL's
 * protocol for git's allow-list, and the credential); a key file is removed afterwards
 * whatever happens.
 *
 * @throws {UnrecoverableError} when the URL is no longer allowed or the credential
 *   does not fit it: only the operator can fix that (`user remote set`).
 */
export async function withRemoteAccess<T>(
  remote: RemoteSource,
  options: RemoteAccessOptions,
  fetch: (env: Record<string, string>) => Promise<T>,
): Promise<T> {
  const check = await checkRemoteUrl(remote.url, options.insecureHosts, options.resolve);
  if (!check.ok) {
    throw new UnrecoverableError(
      `Cannot fetch the registered remote: ${check.problem}; the operator must fix it with ` +
        "`user remote set`",
    );
  }
  const mismatch = authProblem(remote.auth, check.url);
  if (mismatch) throw new UnrecoverableError(`Cannot fetch the registered remote: ${mismatch}`);
  const env: Record<string, string> = {};
  const config: [string, string][] = [["http.followRedirects", "false"]];
  let keyDir: string | undefined;
  try {
    if (check.url.protocol === "ssh") {
      const ssh = [
        "ssh",
        "-F",
        "/dev/null",
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=accept-new",
        "-o",
        `UserKnownHostsFile=${shellWord(options.knownHostsFile)}`,
      ];
      // ssh takes one address: an IPv4 one where there is one, as fewer hosts lack it.
      const address = check.addresses.find((a) => !a.includes(":")) ?? check.addresses[0];
      if (address !== undefined) {
        const alias = knownHostsName(check.url);
        ssh.push("-o", shellWord(`HostName=${address}`), "-o", shellWord(`HostKeyAlias=${alias}`));
      }
      if (remote.auth === "deploy-key" && remote.credential) {
        keyDir = await Deno.makeTempDir({ prefix: "dnsapi-key-" });
        const keyFile = `${keyDir}/id_ed25519`;
        const text = remote.credential.endsWith("\n")
          ? remote.credential
          : `${remote.credential}\n`;
        await Deno.writeTextFile(keyFile, text, { mode: 0o600 });
        await Deno.chmod(keyFile, 0o600);
        ssh.push("-i", shellWord(keyFile), "-o", "IdentitiesOnly=yes");
      }
      env.GIT_SSH_COMMAND = ssh.join(" ");
    }
    if (check.url.protocol === "https" && check.addresses.length > 0) {
      config.push(["http.curloptResolve", curlResolve(check.url, check.addresses)]);
    }
    if (remote.auth === "token" && remote.credential) {
      config.push(["http.extraHeader", tokenHeader(remote.credential)]);
    }
    env.GIT_CONFIG_COUNT = String(config.length);
    config.forEach(([key, value], i) => {
      env[`GIT_CONFIG_KEY_${i}`] = key;
      env[`GIT_CONFIG_VALUE_${i}`] = value;
    });
    return await fetch(env);
  } finally {
    if (keyDir) await Deno.remove(keyDir, { recursive: true }).catch(() => {});
  }
}

/** The URL as the job log shows it (the allowed forms carry no credentials). */
export function remoteDisplay(remote: { url: string; branch: string }): string {
  return `${remote.url} (branch ${remote.branch})`;
}
