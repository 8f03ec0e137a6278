/**
 * Test helper: a fresh local Route 53 server and an AWS SDK client pointed at it, both
 * closed when the callback ends (so `deno test` sanitizers stay quiet).
 *
 * @module
 */

import { CreateHostedZoneCommand, Route53Client } from "@aws-sdk/client-route-53";
import { type Route53Local, type Route53LocalOptions, startRoute53Local } from "./server.ts";

/** A client for `url` with the dummy credentials the local server accepts. */
export function localClient(url: string, maxAttempts?: number): Route53Client {
  return new Route53Client({
    endpoint: url,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
  });
}

/**
 * Runs `fn` with a started server and a client; closes both afterwards.
 *
 * @example
 * ```ts
 * await withRoute53Local({}, async ({ client }) => { ... });
 * ```
 */
export async function withRoute53Local<T>(
  options: Route53LocalOptions & { maxAttempts?: number },
  fn: (env: { server: Route53Local; client: Route53Client }) => Promise<T>,
): Promise<T> {
  const { maxAttempts, ...serverOptions } = options;
  const server = await startRoute53Local({ log: () => {}, ...serverOptions });
  const client = localClient(server.url, maxAttempts);
  try {
    return await fn({ server, client });
  } finally {
    client.destroy();
    await server.close();
  }
}

/** Creates a zone with a fresh caller reference and returns its bare ID. */
export async function createTestZone(client: Route53Client, name: string): Promise<string> {
  const out = await client.send(
    new CreateHostedZoneCommand({ Name: name, CallerReference: crypto.randomUUID() }),
  );
  const id = out.HostedZone?.Id;
  if (id === undefined) throw new TypeError("Cannot create test zone: response has no Id");
  return id.replace("/hostedzone/", "");
}
