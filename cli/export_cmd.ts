/**
 * `export ZONE`: a Route 53 hosted zone as a BIND file a customer can commit to start
 * managing an existing domain. Sets the file cannot express are listed as comments.
 *
 * @module
 */
import { findHostedZone, listRecordSets } from "../lib/route53.ts";
import { zoneExport } from "../lib/zones.ts";
import type { Invocation } from "./commands.ts";
import type { Context } from "./context.ts";

/** `export ZONE [--id HOSTED_ZONE_ID]`: prints the zone file on stdout. */
export async function cmdExport(
  ctx: Context,
  { values, args: [zone] }: Invocation<"export">,
): Promise<number> {
  const name = zone.toLowerCase().replace(/\.$/, "");
  if (!name) {
    ctx.out.stderr(`export: "${zone}" is not a zone name\n`);
    return 2;
  }
  const api = ctx.route53();
  const id = values.id ?? (await findHostedZone(api, `${name}.`))?.id;
  if (!id) {
    ctx.out.stderr(`no public hosted zone named ${name} in this account\n`);
    return 1;
  }
  const existing = await listRecordSets(api, id, `${name}.`);
  ctx.out.stdout(zoneExport(name, id, existing, new Date()));
  return 0;
}
