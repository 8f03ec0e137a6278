/**
 * The local Route 53 server: HTTP routing, the REST-XML envelope, throttling and latency
 * injection, request statistics and optional persistence. Behaviour is specified by
 * docs/route53.md; see README.md beside this file.
 *
 * @module
 */

import { Route53Error } from "./errors.ts";
import type { State } from "./model.ts";
import { emptyState } from "./model.ts";
import {
  changeResourceRecordSets,
  createHostedZone,
  deleteHostedZone,
  getChange,
  getHostedZone,
  listHostedZones,
  listHostedZonesByName,
  listResourceRecordSets,
  type OperationContext,
  type OperationRequest,
  type Reply,
} from "./operations.ts";
import { loadState, saveState } from "./persist.ts";
import { type Random, seededRandom } from "./random.ts";
import { type Operation, route } from "./routes.ts";
import { el, renderDocument } from "./xml.ts";

/** Options of {@linkcode startRoute53Local}. */
export interface Route53LocalOptions {
  /** Port to listen on; 0 (the default) picks any free port. */
  port?: number;
  /** Address to listen on; default 127.0.0.1. */
  hostname?: string;
  /** Persist zones to this JSON file after every change, and load it on start. */
  statePath?: string;
  /** Fraction 0..1 of requests answered 400 `Throttling` "Rate exceeded". */
  throttleRate?: number;
  /**
   * Fraction 0..1 of ChangeResourceRecordSets requests answered 400
   * `PriorRequestNotComplete`, as Route 53 answers while a zone is still busy with an
   * earlier change; the batch is not applied.
   */
  busyRate?: number;
  /** Seed for throttling and busy decisions and generated IDs (default 1), so runs repeat. */
  seed?: number;
  /** Delay added to every response, in milliseconds. */
  latencyMs?: number;
  /** How long a change stays PENDING for GetChange; default 0. */
  insyncAfterMs?: number;
  /** The MAX_RRSETS_BY_ZONE quota, apex SOA and NS included; default 10,000. */
  maxRecordSetsPerZone?: number;
  /** Hosted zones per account (`TooManyHostedZones`); default 500. */
  maxHostedZones?: number;
  /** Refuse IANA-reserved names like example.com as AWS does; default false. */
  reservedNames?: boolean;
  /**
   * Reusable delegation sets CreateHostedZone's `DelegationSetId` may name: ID → its four
   * name servers (no trailing dots). Creating and listing them is not implemented.
   */
  delegationSets?: Record<string, readonly string[]>;
  /** Where refusals and internal errors are logged; default `console.error`. */
  log?: (line: string) => void;
}

/** A running server. */
export interface Route53Local {
  /** Base URL, e.g. `http://127.0.0.1:PORT`; pass it as the SDK's `endpoint`. */
  url: string;
  /** Requests per operation name, plus `Throttled`, `Busy` and `Unsupported`. */
  stats(): Record<string, number>;
  /** Sets every count back to zero. */
  resetStats(): void;
  /** Stops listening and waits for pending state writes. */
  close(): Promise<void>;
}

/** Checks the configured delegation sets: four host names each, as Route 53 gives. */
function delegationSetsOf(
  sets: Record<string, readonly string[]>,
): ReadonlyMap<string, readonly string[]> {
  for (const [id, servers] of Object.entries(sets)) {
    if (!/^[A-Z0-9]{1,32}$/.test(id)) {
      throw new RangeError(
        `Cannot start route53-local: delegation set id ${id} is not like N1PA6795SAMPLE`,
      );
    }
    if (servers.length !== 4 || servers.some((ns) => !/^[a-z0-9.-]+[a-z0-9]$/.test(ns))) {
      throw new RangeError(
        `Cannot start route53-local: delegation set ${id} needs four host names without trailing dots`,
      );
    }
  }
  return new Map(Object.entries(sets));
}

/** Query parameters each operation takes (reference §5.1); others are refused. */
const QUERY_PARAMETERS: Record<Operation, readonly string[]> = {
  CreateHostedZone: [],
  GetHostedZone: [],
  ListHostedZones: ["marker", "maxitems", "delegationsetid", "hostedzonetype"],
  ListHostedZonesByName: ["dnsname", "hostedzoneid", "maxitems"],
  ChangeResourceRecordSets: [],
  ListResourceRecordSets: ["name", "type", "identifier", "maxitems"],
  GetChange: [],
  DeleteHostedZone: [],
};

/** Refuses a query parameter the operation does not define, rather than ignoring it. */
function checkQuery(operation: Operation, query: URLSearchParams): void {
  for (const key of new Set(query.keys())) {
    if (!QUERY_PARAMETERS[operation].includes(key)) {
      throw new Route53Error(
        "InvalidInput",
        `route53-local: ${operation} takes no query parameter '${key}' (it takes: ${
          QUERY_PARAMETERS[operation].join(", ") || "none"
        })`,
      );
    }
    if (query.getAll(key).length > 1) {
      throw new Route53Error("InvalidInput", `route53-local: query parameter '${key}' is repeated`);
    }
  }
}

const HANDLERS: Record<Operation, (ctx: OperationContext, req: OperationRequest) => Reply> = {
  CreateHostedZone: createHostedZone,
  GetHostedZone: getHostedZone,
  ListHostedZones: listHostedZones,
  ListHostedZonesByName: listHostedZonesByName,
  ChangeResourceRecordSets: changeResourceRecordSets,
  ListResourceRecordSets: listResourceRecordSets,
  GetChange: getChange,
  DeleteHostedZone: deleteHostedZone,
};

function xmlResponse(status: number, body: string, requestId: string, extra = {}): Response {
  return new Response(body, {
    status,
    headers: { "Content-Type": "text/xml", "x-amzn-RequestId": requestId, ...extra },
  });
}

/** The standard `ErrorResponse` envelope (reference §5.3). */
export function errorDocument(code: string, message: string, requestId: string, status: number) {
  return renderDocument(
    el("ErrorResponse", [
      el("Error", [
        el("Type", status >= 500 ? "Receiver" : "Sender"),
        el("Code", code),
        el("Message", message),
      ]),
      el("RequestId", requestId),
    ]),
  );
}

/**
 * Starts the server.
 *
 * @example
 * ```ts
 * const server = await startRoute53Local();
 * const client = new Route53Client({ endpoint: server.url, region: "us-east-1",
 *   credentials: { accessKeyId: "x", secretAccessKey: "x" } });
 * await server.close();
 * ```
 */
export async function startRoute53Local(options: Route53LocalOptions = {}): Promise<Route53Local> {
  const throttleRate = options.throttleRate ?? 0;
  const busyRate = options.busyRate ?? 0;
  for (const [name, rate] of [["throttleRate", throttleRate], ["busyRate", busyRate]] as const) {
    if (!(rate >= 0 && rate <= 1)) {
      throw new RangeError(`Cannot start route53-local: ${name} ${rate} is not in 0..1`);
    }
  }
  const log = options.log ?? ((line: string) => console.error(line));
  const statePath = options.statePath;
  const state: State = statePath === undefined ? emptyState() : await loadState(statePath);
  const seed = options.seed ?? 1;
  const throttleRandom: Random = seededRandom(seed);
  // Its own generator, so turning busy answers on does not move the throttling pattern.
  const busyRandom: Random = seededRandom(seed + 1);
  // IDs draw from their own generator, mixed with the clock unless a seed was given,
  // so zones created after a restart of a persisted server do not repeat earlier IDs.
  const idRandom = seededRandom(options.seed ?? (Date.now() ^ (Math.random() * 2 ** 32)));
  const ctx: OperationContext = {
    state,
    random: idRandom,
    now: () => new Date(),
    insyncAfterMs: options.insyncAfterMs ?? 0,
    maxRecordSetsPerZone: options.maxRecordSetsPerZone ?? 10_000,
    maxHostedZones: options.maxHostedZones ?? 500,
    reservedNames: options.reservedNames ?? false,
    delegationSets: delegationSetsOf(options.delegationSets ?? {}),
    sortedCache: new WeakMap(),
  };
  let counts: Record<string, number> = {};
  const bump = (key: string) => {
    counts[key] = (counts[key] ?? 0) + 1;
  };
  // State writes are chained so two of them never race on the temporary file.
  let saving: Promise<void> = Promise.resolve();
  const persist = (): Promise<void> => {
    if (statePath === undefined) return Promise.resolve();
    const write = saving.then(() => saveState(statePath, state));
    saving = write.catch((error) => log(`route53-local: cannot save state: ${String(error)}`));
    return write;
  };
  const latency = options.latencyMs ?? 0;

  const respond = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const requestId = crypto.randomUUID();
    if (url.pathname === "/_local/stats" && req.method === "GET") {
      return Response.json(counts);
    }
    const found = route(req.method, url.pathname);
    if (!found.ok) {
      bump("Unsupported");
      log(`route53-local: refused ${req.method} ${url.pathname}${url.search}`);
      await req.body?.cancel();
      return xmlResponse(
        400,
        errorDocument("InvalidAction", found.refusal, requestId, 400),
        requestId,
      );
    }
    bump(found.operation);
    const body = await req.text();
    if (throttleRate > 0 && throttleRandom() < throttleRate) {
      bump("Throttled");
      return xmlResponse(
        400,
        errorDocument("Throttling", "Rate exceeded", requestId, 400),
        requestId,
      );
    }
    if (
      busyRate > 0 && found.operation === "ChangeResourceRecordSets" && busyRandom() < busyRate
    ) {
      bump("Busy");
      const message =
        "The request was rejected because Route 53 was still processing a prior request.";
      return xmlResponse(
        400,
        errorDocument("PriorRequestNotComplete", message, requestId, 400),
        requestId,
      );
    }
    try {
      checkQuery(found.operation, url.searchParams);
      const reply = HANDLERS[found.operation](ctx, { id: found.id, query: url.searchParams, body });
      if (reply.changed === true) await persist();
      return xmlResponse(reply.status, renderDocument(reply.body), requestId, reply.headers);
    } catch (error) {
      if (error instanceof Route53Error) {
        return xmlResponse(
          error.status,
          errorDocument(error.code, error.message, requestId, error.status),
          requestId,
        );
      }
      log(
        `route53-local: internal error in ${found.operation}: ${
          error instanceof Error ? error.stack ?? error.message : String(error)
        }`,
      );
      return xmlResponse(
        500,
        errorDocument("InternalFailure", `route53-local failed: ${String(error)}`, requestId, 500),
        requestId,
      );
    }
  };

  const server = Deno.serve({
    port: options.port ?? 0,
    hostname: options.hostname ?? "127.0.0.1",
    onListen: () => {},
  }, async (req) => {
    const response = await respond(req);
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    return response;
  });
  const address = server.addr;
  return {
    url: `http://${address.hostname}:${address.port}`,
    stats: () => ({ ...counts }),
    resetStats: () => {
      counts = {};
    },
    close: async () => {
      await server.shutdown();
      await saving;
    },
  };
}
