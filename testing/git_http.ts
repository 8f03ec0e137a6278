/**
 * A private git host for tests: `git http-backend` (smart HTTP, read-only) behind a
 * server on 127.0.0.1 that answers 401 to any request without the expected
 * `Authorization: Basic` header, as GitHub or GitLab answer a fetch without its token.
 * It records the Authorization header of every request, so a test can see what git sent.
 *
 * @module
 */

import { freePort } from "./services.ts";

/** A running git host; `close()` stops it. */
export interface GitHttpHost {
  /** `http://127.0.0.1:PORT` (repositories are below it by their path in `base`). */
  url: string;
  /** The Authorization header of every request, in order (`null` when none was sent). */
  seen: (string | null)[];
  close(): Promise<void>;
}

/** The CGI response of http-backend: its headers, up to the blank line, then the body. */
function splitCgi(
  out: Uint8Array<ArrayBuffer>,
): { status: number; headers: Headers; body: Uint8Array<ArrayBuffer> } {
  let end = -1;
  for (let i = 0; i + 1 < out.length; i++) {
    if (out[i] === 0x0a && out[i + 1] === 0x0a) {
      end = i;
      break;
    }
    if (out[i] === 0x0d && out[i + 1] === 0x0a && out[i + 2] === 0x0d && out[i + 3] === 0x0a) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error("Cannot read git http-backend's answer: no end of headers");
  const headerText = new TextDecoder().decode(out.subarray(0, end));
  const bodyStart = out[end] === 0x0d ? end + 4 : end + 2;
  const headers = new Headers();
  let status = 200;
  for (const line of headerText.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "status") status = Number(value.split(" ")[0]);
    else headers.append(name, value);
  }
  return { status, headers, body: out.slice(bodyStart) };
}

/**
 * Serves the bare repositories under `base` over smart HTTP on a free port, to requests
 * whose Authorization header is `Basic base64(credentials)`; with `redirectTo`, answers
 * every request with a 302 to the same path there instead (a moved repository, or a host
 * trying to send git and its token elsewhere).
 *
 * @example
 * ```ts
 * const host = gitHttpHost("/tmp/elsewhere", "x-access-token:s3cret");
 * // git fetch with -c http.extraHeader="Authorization: Basic …" from `${host.url}/zones.git`
 * await host.close();
 * ```
 */
export function gitHttpHost(
  base: string,
  credentials: string,
  options: { redirectTo?: string } = {},
): GitHttpHost {
  const expected = `Basic ${btoa(credentials)}`;
  const seen: (string | null)[] = [];
  const port = freePort();
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, async (request) => {
    const auth = request.headers.get("authorization");
    seen.push(auth);
    const url = new URL(request.url);
    if (options.redirectTo !== undefined) {
      const location = `${options.redirectTo}${url.pathname}${url.search}`;
      return new Response(null, { status: 302, headers: { location } });
    }
    if (auth !== expected) {
      return new Response("authentication required\n", {
        status: 401,
        headers: { "www-authenticate": 'Basic realm="test git host"' },
      });
    }
    const env: Record<string, string> = {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      GIT_PROJECT_ROOT: base,
      GIT_HTTP_EXPORT_ALL: "1",
      REQUEST_METHOD: request.method,
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ""),
      REMOTE_USER: credentials.split(":")[0] ?? "",
      REMOTE_ADDR: "127.0.0.1",
    };
    const contentType = request.headers.get("content-type");
    if (contentType) env.CONTENT_TYPE = contentType;
    const encoding = request.headers.get("content-encoding");
    if (encoding) env.HTTP_CONTENT_ENCODING = encoding;
    const protocol = request.headers.get("git-protocol");
    if (protocol) env.GIT_PROTOCOL = protocol;
    const body = new Uint8Array(await request.arrayBuffer());
    env.CONTENT_LENGTH = String(body.length);
    const child = new Deno.Command("git", {
      args: ["http-backend"],
      env,
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(body);
    await writer.close();
    const out = await child.output();
    const answer = splitCgi(out.stdout);
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  });
  return { url: `http://127.0.0.1:${port}`, seen, close: () => server.shutdown() };
}
