/**
 * The receiver's decisions for one delivery, from route to answer: who it is for, whether
 * it is signed by that user's secret, whether it pushes the registered branch, whether
 * its delivery id was seen before, and then the job it queues. The HTTP server
 * (server.ts) only turns requests into {@linkcode WebhookRequest}s and answers back.
 *
 * Order matters: nothing about a delivery is read before its signature is checked, and
 * the delivery id is claimed only for a delivery that will be queued (a replayed ignored
 * delivery is ignored again, which changes nothing).
 *
 * @example
 * ```ts
 * import { receive } from "./receive.ts";
 * const answer = await receive(request, deps); // { status: 202, body: { queued: "…" } }
 * ```
 *
 * @module
 */

import { isValidUser, type Job } from "../job/contract.ts";
import { messageOf } from "../util/message.ts";
import { decodePayload } from "./body.ts";
import { readPush } from "./payloads.ts";
import {
  type Delivery,
  EVENT_HEADERS,
  eventKind,
  identifyDelivery,
  verifyDelivery,
} from "./providers.ts";
import type { ReceiverDeps, RegisteredRemote } from "./types.ts";

/** Largest body taken, in bytes (1 MiB); a larger one is answered 413 unread. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** One request as the receiver sees it. */
export interface WebhookRequest {
  method: string;
  /** The URL's path (`/webhooks/steve`). */
  pathname: string;
  headers: Headers;
  /** Reads the body, stopping at {@linkcode MAX_BODY_BYTES}: undefined when it is larger. */
  readBody(): Promise<Uint8Array<ArrayBuffer> | undefined>;
}

/** The answer: a status and a small JSON object. */
export interface WebhookAnswer {
  status: number;
  body: Record<string, string>;
  headers?: Record<string, string>;
}

// Delivery ids are opaque tokens (uuids in practice); printable ASCII, bounded.
const DELIVERY_ID = /^[\x21-\x7e]{1,200}$/;

/** The providers the original receiver took at `POST /<user>` (GitBucket sends GitHub's headers). */
const LEGACY_PROVIDERS: ReadonlySet<string> = new Set(["github", "bitbucket"]);

type Route = { kind: "signed" | "legacy"; user: string } | undefined;

function route(pathname: string, legacy: boolean): Route {
  const parts = pathname.split("/");
  if (parts.length === 3 && parts[0] === "" && parts[1] === "webhooks") {
    return { kind: "signed", user: parts[2]! };
  }
  if (legacy && parts.length === 2 && parts[0] === "") return { kind: "legacy", user: parts[1]! };
  return undefined;
}

const answer = (status: number, body: Record<string, string>): WebhookAnswer => ({ status, body });

/** Answers one delivery; never throws (a failing dependency answers 503). */
export async function receive(request: WebhookRequest, deps: ReceiverDeps): Promise<WebhookAnswer> {
  const log = deps.log ?? (() => {});
  // What is known so far, for the log line.
  const seen: { user?: string; delivery?: Delivery } = {};
  const finish = (result: WebhookAnswer, uuid?: string): WebhookAnswer => {
    const message = Object.entries(result.body).map(([k, v]) => `${k}: ${v}`).join("; ");
    log({
      level: result.status >= 500 ? "warn" : "info",
      event: "webhook",
      status: result.status,
      message,
      ...(seen.user ? { user: seen.user } : {}),
      ...(seen.delivery ? { provider: seen.delivery.provider } : {}),
      ...(seen.delivery?.deliveryId ? { delivery: seen.delivery.deliveryId } : {}),
      ...(uuid ? { uuid } : {}),
    });
    return result;
  };

  if (request.method !== "POST") {
    return {
      ...finish(answer(405, { error: "only POST is accepted" })),
      headers: { Allow: "POST" },
    };
  }
  const target = route(request.pathname, deps.legacy);
  if (!target) return finish(answer(404, { error: "no such endpoint: POST /webhooks/<user>" }));
  let remote: RegisteredRemote | null = null;
  if (isValidUser(target.user)) {
    seen.user = target.user;
    try {
      remote = await deps.users.remoteOf(target.user);
    } catch (error) {
      return finish(answer(503, { error: `cannot look up the user: ${messageOf(error)}` }));
    }
  }
  if (!remote) return finish(answer(404, { error: "no user with a registered remote here" }));

  const body = await request.readBody();
  if (body === undefined) {
    return finish(answer(413, { error: `the body is over ${MAX_BODY_BYTES} bytes` }));
  }
  const delivery = identifyDelivery(request.headers);
  seen.delivery = delivery;
  if (!delivery) {
    return finish(answer(400, { error: `no webhook event header (${EVENT_HEADERS.join(", ")})` }));
  }
  if (target.kind === "legacy") {
    if (!LEGACY_PROVIDERS.has(delivery.provider)) {
      return finish(answer(400, {
        error: `POST /<user> takes GitHub, GitBucket and Bitbucket only: use POST /webhooks/<user>`,
      }));
    }
  } else if (!await verifyDelivery(delivery, remote.secret, body)) {
    return finish(answer(401, {
      error: `${delivery.proof.header} is missing or wrong for this user's webhook secret`,
    }));
  }

  const kind = eventKind(delivery);
  if (kind === "ping") return finish(answer(200, { ignored: "ping" }));
  if (kind === "tag") {
    return finish(answer(200, { ignored: `a tag push is not the branch ${remote.branch}` }));
  }
  if (kind === "other") {
    return finish(
      answer(200, { ignored: `event ${JSON.stringify(delivery.event)} is not a push` }),
    );
  }
  const decoded = decodePayload(
    body,
    request.headers.get("content-type"),
    target.kind === "legacy",
  );
  if (!decoded.ok) return finish(answer(400, { error: decoded.why }));
  const decision = readPush(delivery.provider, decoded.value, remote.branch);
  if (decision.kind === "invalid") {
    return finish(
      answer(400, { error: `not a ${delivery.provider} push payload: ${decision.why}` }),
    );
  }
  if (decision.kind === "ignore") return finish(answer(200, { ignored: decision.why }));

  const id = delivery.deliveryId;
  if (id !== undefined && !DELIVERY_ID.test(id)) {
    return finish(answer(400, { error: `${delivery.deliveryHeader} is not a delivery id` }));
  }
  if (id === undefined && target.kind === "signed") {
    return finish(answer(400, { error: `${delivery.deliveryHeader} is missing` }));
  }
  const uuid = (deps.newId ?? (() => crypto.randomUUID()))();
  const job: Job = {
    uuid,
    user: target.user,
    repo: `${deps.reposRoot.replace(/\/+$/, "")}/${target.user}`,
    queuedAt: (deps.now ?? (() => new Date()))().toISOString(),
    ref: decision.ref,
    ...(decision.after ? { after: decision.after } : {}),
  };
  let claimed = false;
  try {
    if (id !== undefined) {
      const earlier = await deps.deliveries.claim(delivery.provider, id, uuid);
      if (earlier !== null) return finish(answer(200, { duplicate: earlier }), earlier);
      claimed = true;
    }
    if (!await deps.enqueue(job)) throw new Error(`job ${uuid} was already queued`);
  } catch (error) {
    // Given back, so the provider's own retry of this delivery is taken.
    if (claimed) await deps.deliveries.release(delivery.provider, id!, uuid).catch(() => {});
    return finish(answer(503, { error: `cannot queue the sync: ${messageOf(error)}` }));
  }
  return finish(answer(202, { queued: uuid }), uuid);
}
