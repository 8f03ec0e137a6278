/**
 * `--state FILE`: the whole state as JSON, validated with zod when loaded (the file is
 * outside data), written through a temporary file and a rename so a crash mid-write
 * never leaves a torn file.
 *
 * @module
 */

import { z } from "zod";
import type { State, StoredSet, Zone } from "./model.ts";
import { emptyState } from "./model.ts";
import { RR_TYPES } from "./values.ts";

const storedSetSchema = z.object({
  name: z.string(),
  type: z.enum(RR_TYPES),
  setIdentifier: z.string().optional(),
  weight: z.number().int().optional(),
  region: z.string().optional(),
  geoLocation: z.object({
    continentCode: z.string().optional(),
    countryCode: z.string().optional(),
    subdivisionCode: z.string().optional(),
  }).optional(),
  failover: z.enum(["PRIMARY", "SECONDARY"]).optional(),
  multiValueAnswer: z.boolean().optional(),
  ttl: z.number().int().optional(),
  values: z.array(z.string()).optional(),
  aliasTarget: z.object({
    hostedZoneId: z.string(),
    dnsName: z.string(),
    evaluateTargetHealth: z.boolean(),
  }).optional(),
  healthCheckId: z.string().optional(),
  cidrRoutingConfig: z.object({ collectionId: z.string(), locationName: z.string() }).optional(),
  geoProximityLocation: z.object({
    awsRegion: z.string().optional(),
    localZoneGroup: z.string().optional(),
    coordinates: z.object({ latitude: z.string(), longitude: z.string() }).optional(),
    bias: z.number().int().optional(),
  }).optional(),
});

const stateSchema = z.object({
  version: z.literal(1),
  zones: z.array(z.object({
    id: z.string(),
    name: z.string(),
    callerReference: z.string(),
    comment: z.string().optional(),
    nameServers: z.array(z.string()),
    delegationSetId: z.string().optional(),
    sets: z.array(storedSetSchema),
  })),
  callerReferences: z.array(z.string()),
  changes: z.array(z.object({
    id: z.string(),
    submittedAt: z.string(),
    comment: z.string().optional(),
  })),
});

/** Drops keys whose value is `undefined`, so reloaded data equals what was saved. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Serialises the state as a JSON document. */
export function stateToJson(state: State): string {
  return JSON.stringify({
    version: 1,
    zones: [...state.zones.values()].map((zone) => ({
      id: zone.id,
      name: zone.name,
      callerReference: zone.callerReference,
      ...(zone.comment === undefined ? {} : { comment: zone.comment }),
      nameServers: zone.nameServers,
      ...(zone.delegationSetId === undefined ? {} : { delegationSetId: zone.delegationSetId }),
      sets: [...zone.sets.values()].flat(),
    })),
    callerReferences: [...state.callerReferences],
    changes: [...state.changes.values()],
  });
}

/** Parses a state document; throws a `TypeError` naming the first problem. */
export function stateFromJson(text: string, source: string): State {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new TypeError(`Cannot load route53-local state ${source}: not JSON`, { cause });
  }
  const parsed = stateSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TypeError(
      `Cannot load route53-local state ${source}: ${issue?.path.join(".")}: ${issue?.message}`,
    );
  }
  const state = emptyState();
  for (const z of parsed.data.zones) {
    const sets = new Map<string, StoredSet[]>();
    for (const s of z.sets) {
      const set: StoredSet = defined(s);
      sets.set(set.name, [...(sets.get(set.name) ?? []), set]);
    }
    const zone: Zone = defined({
      id: z.id,
      name: z.name,
      callerReference: z.callerReference,
      comment: z.comment,
      nameServers: z.nameServers,
      delegationSetId: z.delegationSetId,
      sets,
    });
    state.zones.set(zone.id, zone);
  }
  for (const ref of parsed.data.callerReferences) state.callerReferences.add(ref);
  for (const c of parsed.data.changes) state.changes.set(c.id, defined(c));
  return state;
}

/** Loads the state file, or an empty state when it does not exist yet. */
export async function loadState(path: string): Promise<State> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return emptyState();
    throw error;
  }
  return stateFromJson(text, path);
}

/** Writes the state file atomically (temporary file, then rename). */
export async function saveState(path: string, state: State): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}`;
  await Deno.writeTextFile(tmp, stateToJson(state));
  await Deno.rename(tmp, path);
}
