/**
 * A tiny Redis client (RESP2 over `Deno.connect`) for the hook, which must start
 * nearly as fast as an empty Deno script: importing ioredis costs about 135 ms, this
 * module next to nothing. It sends commands one batch at a time and reads their
 * replies; every step is bounded by a timeout so a push never hangs.
 *
 * Supports `redis://[[user]:password@]host[:port][/db]` (AUTH and SELECT) and the same
 * as `rediss://` over TLS (`Deno.connectTls`, with the PEM CA certificates given).
 * No pub/sub, no cluster.
 *
 * @module
 */

import { concatBytes } from "../util/bytes.ts";

/** A decoded RESP2 reply; an error reply is a {@linkcode RespError} value. */
export type RespReply = string | number | null | RespError | RespReply[];

/** An error reply sent by Redis (`-ERR …`). */
export class RespError extends Error {
  override name = "RespError";
}

/** An open connection. */
export interface RespClient {
  /**
   * Sends the commands in one write and reads one reply per command. Rejects when the
   * replies do not arrive within `timeoutMs` (default: the connect options'), after
   * which the connection is closed.
   */
  send(commands: string[][], timeoutMs?: number): Promise<RespReply[]>;
  /** Closes the connection (idempotent). */
  close(): void;
}

/** Where and how to connect, from a `redis://` or `rediss://` URL. */
export interface RespTarget {
  hostname: string;
  port: number;
  /** `rediss://`: the connection is TLS. */
  tls?: true;
  username?: string;
  password?: string;
  db?: number;
}

/**
 * Reads a `redis://` or `rediss://` URL.
 *
 * @example
 * ```ts
 * parseRedisUrl("redis://:s3cret@10.0.0.5:6380/2");
 * // { hostname: "10.0.0.5", port: 6380, password: "s3cret", db: 2 }
 * ```
 */
export function parseRedisUrl(url: string): RespTarget {
  const parsed = new URL(url);
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new TypeError(
      `Cannot use Redis URL: protocol ${parsed.protocol} is not redis: or rediss:`,
    );
  }
  const target: RespTarget = {
    hostname: parsed.hostname.replace(/^\[(.*)\]$/, "$1") || "127.0.0.1",
    port: parsed.port ? Number(parsed.port) : 6379,
  };
  if (parsed.protocol === "rediss:") target.tls = true;
  if (parsed.username) target.username = decodeURIComponent(parsed.username);
  if (parsed.password) target.password = decodeURIComponent(parsed.password);
  const db = parsed.pathname.replace(/^\//, "");
  if (db) {
    if (!/^\d+$/.test(db)) throw new TypeError(`Cannot use Redis URL: database "${db}"`);
    target.db = Number(db);
  }
  return target;
}

/** Encodes one command as a RESP array of bulk strings. */
export function encodeCommand(args: string[]): Uint8Array {
  const encoder = new TextEncoder();
  const parts = args.map((a) => encoder.encode(a));
  const head = `*${parts.length}\r\n`;
  const chunks: Uint8Array[] = [encoder.encode(head)];
  for (const part of parts) {
    chunks.push(encoder.encode(`$${part.length}\r\n`), part, encoder.encode("\r\n"));
  }
  return concatBytes(chunks);
}

/**
 * Decodes one reply from `buf` starting at `at`. Returns the reply and the offset
 * after it, or `undefined` when `buf` does not hold a whole reply yet.
 */
export function decodeReply(
  buf: Uint8Array,
  at = 0,
): { reply: RespReply; next: number } | undefined {
  const eol = lineEnd(buf, at);
  if (eol < 0) return undefined;
  const line = new TextDecoder().decode(buf.subarray(at + 1, eol));
  const next = eol + 2;
  switch (buf[at]) {
    case 0x2b: // +
      return { reply: line, next };
    case 0x2d: // -
      return { reply: new RespError(line), next };
    case 0x3a: // :
      return { reply: Number(line), next };
    case 0x24: { // $
      const len = Number(line);
      if (len < 0) return { reply: null, next };
      if (buf.length < next + len + 2) return undefined;
      return {
        reply: new TextDecoder().decode(buf.subarray(next, next + len)),
        next: next + len + 2,
      };
    }
    case 0x2a: { // *
      const count = Number(line);
      if (count < 0) return { reply: null, next };
      const items: RespReply[] = [];
      let cursor = next;
      for (let i = 0; i < count; i++) {
        const item = decodeReply(buf, cursor);
        if (!item) return undefined;
        items.push(item.reply);
        cursor = item.next;
      }
      return { reply: items, next: cursor };
    }
    default:
      throw new SyntaxError(`Cannot read Redis reply: unexpected byte ${buf[at]}`);
  }
}

function lineEnd(buf: Uint8Array, from: number): number {
  for (let i = from; i + 1 < buf.length; i++) {
    if (buf[i] === 0x0d && buf[i + 1] === 0x0a) return i;
  }
  return -1;
}

/**
 * Settles like `work`, or rejects naming `what` when `ms` pass first.
 *
 * Uses `AbortSignal.timeout`, not `setTimeout`: measured on Deno 2.9.6, the first
 * `setTimeout` of a process costs about 18 ms of CPU, `AbortSignal.timeout` next to
 * nothing, and the hook's whole budget is about 20 ms.
 */
async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  const signal = AbortSignal.timeout(ms);
  let onAbort = () => {};
  const timeout = new Promise<never>((_, reject) => {
    onAbort = () => reject(new Error(`Cannot ${what}: no answer within ${ms} ms`));
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/** How {@linkcode connectResp} connects. */
export interface RespConnectOptions {
  /** Bounds every step: connect (and TLS handshake), AUTH/SELECT, each later `send`. */
  timeoutMs: number;
  /**
   * For `rediss://`: the PEM certificates of the CA(s) the server's certificate must
   * chain to; without them, the system's trusted roots.
   */
  caCerts?: string[];
}

/**
 * Connects to Redis, authenticating and selecting the database named in `url`;
 * `rediss://` connects over TLS and checks the server's certificate and name.
 * Every step (connect, AUTH/SELECT, each later `send`) is bounded by `timeoutMs`.
 *
 * @example
 * ```ts
 * const redis = await connectResp("redis://127.0.0.1:6379", { timeoutMs: 2000 });
 * try {
 *   const [pong] = await redis.send([["PING"]]); // "PONG"
 * } finally {
 *   redis.close();
 * }
 * ```
 */
export async function connectResp(
  url: string,
  options: RespConnectOptions,
): Promise<RespClient> {
  const target = parseRedisUrl(url);
  const where = `${target.hostname}:${target.port}`;
  let conn: Deno.Conn;
  try {
    conn = await openConn(target, options);
  } catch (error) {
    const reason = error instanceof DOMException && error.name === "TimeoutError"
      ? `no answer within ${options.timeoutMs} ms`
      : error instanceof Error
      ? error.message
      : String(error);
    throw new Error(`Cannot connect to Redis at ${where}: ${reason}`, { cause: error });
  }
  const client = clientOver(conn, options.timeoutMs);
  const setup: string[][] = [];
  if (target.password !== undefined) {
    setup.push(
      target.username ? ["AUTH", target.username, target.password] : ["AUTH", target.password],
    );
  }
  if (target.db !== undefined) setup.push(["SELECT", String(target.db)]);
  if (setup.length > 0) {
    const replies = await client.send(setup).catch((error) => {
      client.close();
      throw error;
    });
    const failed = replies.find((r) => r instanceof RespError);
    if (failed) {
      client.close();
      throw new Error(`Cannot log in to Redis at ${where}: ${failed.message}`);
    }
  }
  return client;
}

/** The TCP or TLS connection; a TLS connection has finished its handshake. */
async function openConn(target: RespTarget, options: RespConnectOptions): Promise<Deno.Conn> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  if (!target.tls) return await Deno.connect({ ...address(target), signal });
  // Deno.connectTls takes no signal: the deadline bounds connect and handshake together
  // and rejects as Deno.connect's signal does (a TimeoutError).
  let onAbort = () => {};
  const deadline = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  const connecting = Deno.connectTls({
    ...address(target),
    ...(options.caCerts ? { caCerts: options.caCerts } : {}),
  });
  let tls: Deno.TlsConn | undefined;
  try {
    tls = await Promise.race([connecting, deadline]);
    await Promise.race([tls.handshake(), deadline]);
    return tls;
  } catch (error) {
    if (tls) closeQuietly(tls);
    else connecting.then((late) => late.close(), () => {});
    throw error;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed by the peer: nothing left to release.
  }
}

function address(target: RespTarget): { hostname: string; port: number } {
  return { hostname: target.hostname, port: target.port };
}

function clientOver(conn: Deno.Conn, defaultTimeoutMs: number): RespClient {
  let closed = false;
  let buf = new Uint8Array(0);
  const close = () => {
    if (closed) return;
    closed = true;
    try {
      conn.close();
    } catch {
      // Already closed by the peer: nothing left to release.
    }
  };
  const readReplies = async (count: number): Promise<RespReply[]> => {
    const replies: RespReply[] = [];
    const chunk = new Uint8Array(16 * 1024);
    let at = 0;
    while (replies.length < count) {
      const decoded = decodeReply(buf, at);
      if (decoded) {
        replies.push(decoded.reply);
        at = decoded.next;
        continue;
      }
      const n = await conn.read(chunk);
      if (n === null) throw new Error("Cannot read from Redis: connection closed");
      const grown = new Uint8Array(buf.length + n);
      grown.set(buf);
      grown.set(chunk.subarray(0, n), buf.length);
      buf = grown;
    }
    buf = buf.slice(at);
    return replies;
  };
  return {
    async send(commands, timeoutMs = defaultTimeoutMs) {
      if (closed) throw new Error("Cannot send to Redis: connection closed");
      const bytes = commands.map(encodeCommand);
      const payload = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
      let at = 0;
      for (const b of bytes) {
        payload.set(b, at);
        at += b.length;
      }
      const work = (async () => {
        for (let written = 0; written < payload.length;) {
          written += await conn.write(payload.subarray(written));
        }
        return await readReplies(commands.length);
      })();
      try {
        return await withTimeout(work, timeoutMs, "talk to Redis");
      } catch (error) {
        close();
        work.catch(() => {});
        throw error;
      }
    },
    close,
  };
}
