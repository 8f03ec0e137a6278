/**
 * The webhook receiver's HTTP server: a thin adapter from `Deno.serve` to
 * {@linkcode receive}. It reads at most 1 MiB of a body and stops reading there.
 *
 * @example
 * ```ts
 * import { startWebhookServer } from "./server.ts";
 * const server = startWebhookServer({ port: 0, hostname: "127.0.0.1", deps });
 * console.log(server.port);
 * await server.close();
 * ```
 *
 * @module
 */

import { MAX_BODY_BYTES, receive, type WebhookRequest } from "./receive.ts";
import type { ReceiverDeps } from "./types.ts";

/** Options of {@linkcode startWebhookServer}. */
export interface WebhookServerOptions {
  /** TCP port; 0 picks a free one (see the returned `port`). */
  port: number;
  /** Address to bind (`DNSAPI_WEBHOOK_BIND`; 127.0.0.1 behind a TLS proxy). */
  hostname: string;
  deps: ReceiverDeps;
}

/** A running receiver. */
export interface WebhookServer {
  /** The port actually bound. */
  port: number;
  /** The address bound. */
  hostname: string;
  /** Stops accepting connections and waits for open requests to finish. */
  close(): Promise<void>;
}

/**
 * Reads a request body, stopping once it passes `limit` bytes (the rest is never read:
 * the stream is cancelled). Undefined when it is larger than `limit`.
 */
export async function readLimited(
  request: Request,
  limit: number = MAX_BODY_BYTES,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) {
    await request.body?.cancel().catch(() => {});
    return undefined;
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
}

/** Starts the receiver; it answers until closed. */
export function startWebhookServer(options: WebhookServerOptions): WebhookServer {
  const server = Deno.serve(
    { port: options.port, hostname: options.hostname, onListen: () => {} },
    async (request) => {
      const url = new URL(request.url);
      const incoming: WebhookRequest = {
        method: request.method,
        pathname: url.pathname,
        headers: request.headers,
        readBody: () => readLimited(request),
      };
      const answer = await receive(incoming, options.deps);
      return Response.json(answer.body, { status: answer.status, headers: answer.headers });
    },
  );
  return {
    port: server.addr.port,
    hostname: server.addr.hostname,
    async close() {
      await server.shutdown();
    },
  };
}
