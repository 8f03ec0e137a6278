/**
 * Which git host sent a delivery, told by its headers, and what the headers carry: the
 * event, the delivery id and the signature or token. Pure.
 *
 * Gitea sends GitHub's and Gogs' headers too, and Forgejo sends Gitea's, so the most
 * specific header is looked at first.
 *
 * @example
 * ```ts
 * import { identifyDelivery } from "./providers.ts";
 * const d = identifyDelivery(new Headers({ "X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": "t" }));
 * d?.provider; // "gitlab"
 * ```
 *
 * @module
 */

import { timingSafeEqualText, verifyHmacSha256 } from "./signature.ts";

/** The git hosts the receiver understands. */
export type Provider = "github" | "gitlab" | "gitea" | "forgejo" | "bitbucket";

/** How a provider proves a delivery is theirs. */
export type Proof =
  | { kind: "hmac"; header: string; prefix: string; value: string | undefined }
  | { kind: "token"; header: string; value: string | undefined };

/** What a delivery's headers say. */
export interface Delivery {
  provider: Provider;
  /** The event header's value (`push`, `Push Hook`, `repo:push`, `ping`, ...). */
  event: string;
  /** The header naming this delivery, and its value when present. */
  deliveryHeader: string;
  deliveryId: string | undefined;
  proof: Proof;
}

interface Layout {
  provider: Provider;
  event: string;
  delivery: string;
  proof: { kind: "hmac"; header: string; prefix: string } | { kind: "token"; header: string };
}

// Most specific first (see the module comment).
const LAYOUTS: readonly Layout[] = [
  {
    provider: "forgejo",
    event: "X-Forgejo-Event",
    delivery: "X-Forgejo-Delivery",
    proof: { kind: "hmac", header: "X-Forgejo-Signature", prefix: "" },
  },
  {
    provider: "gitea",
    event: "X-Gitea-Event",
    delivery: "X-Gitea-Delivery",
    proof: { kind: "hmac", header: "X-Gitea-Signature", prefix: "" },
  },
  {
    provider: "gitlab",
    event: "X-Gitlab-Event",
    delivery: "X-Gitlab-Event-UUID",
    proof: { kind: "token", header: "X-Gitlab-Token" },
  },
  {
    provider: "github",
    event: "X-GitHub-Event",
    delivery: "X-GitHub-Delivery",
    proof: { kind: "hmac", header: "X-Hub-Signature-256", prefix: "sha256=" },
  },
  {
    provider: "bitbucket",
    event: "X-Event-Key",
    delivery: "X-Request-UUID",
    proof: { kind: "hmac", header: "X-Hub-Signature", prefix: "sha256=" },
  },
];

/** The event headers looked for, for the answer to a request that has none. */
export const EVENT_HEADERS: readonly string[] = LAYOUTS.map((l) => l.event);

/** Reads a delivery's headers; `undefined` when no known event header is present. */
export function identifyDelivery(headers: Headers): Delivery | undefined {
  for (const layout of LAYOUTS) {
    const event = headers.get(layout.event);
    if (event === null) continue;
    return {
      provider: layout.provider,
      event: event.trim(),
      deliveryHeader: layout.delivery,
      deliveryId: headers.get(layout.delivery)?.trim() || undefined,
      proof: { ...layout.proof, value: headers.get(layout.proof.header)?.trim() || undefined },
    };
  }
  return undefined;
}

/**
 * Whether the delivery's signature (or token) is right for `secret` and the raw `body`.
 * Every comparison is constant-time; a missing header is simply wrong.
 */
export async function verifyDelivery(
  delivery: Delivery,
  secret: string,
  body: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  const { proof } = delivery;
  if (proof.value === undefined) return false;
  if (proof.kind === "token") return await timingSafeEqualText(proof.value, secret);
  if (!proof.value.toLowerCase().startsWith(proof.prefix)) return false;
  return await verifyHmacSha256(secret, body, proof.value.slice(proof.prefix.length));
}

/** What an event is to the receiver: a push to look at, a ping, or something to ignore. */
export type EventKind = "push" | "ping" | "tag" | "other";

/** Classifies the event header of a delivery. */
export function eventKind(delivery: Delivery): EventKind {
  const event = delivery.event.toLowerCase();
  switch (delivery.provider) {
    case "github":
      return event === "push" ? "push" : event === "ping" ? "ping" : "other";
    case "gitlab":
      return event === "push hook" ? "push" : event === "tag push hook" ? "tag" : "other";
    case "gitea":
    case "forgejo":
      return event === "push" ? "push" : "other";
    case "bitbucket":
      return event === "repo:push" ? "push" : "other";
  }
}
