/**
 * Zone files → normalised record sets: the BIND reader and the original service's
 * legacy format, validation with line numbers, the canonical value forms both edges
 * normalise to (`lib/dns/`), writing zone files back (`formatZone`, `zoneExport`), and
 * the rules for domain names a customer may hold.
 *
 * @module
 */

export * from "./zones/parse.ts";
export { addRecord, createCollector, type ZoneCollector } from "./zones/collector.ts";
export * from "./zones/files.ts";
export { expandGenerate } from "./zones/lexer.ts";
export { parseLegacyRecords } from "./zones/legacy.ts";
export * from "./zones/format.ts";
export * from "./zones/export.ts";
export * from "./dns/record_set.ts";
export * from "./dns/alias.ts";
export * from "./dns/names.ts";
export { domainToASCII, showName, toALabel, toULabel } from "./dns/idn.ts";
export * from "./rdata/rdata.ts";
export { encodeBytes } from "./rdata/text.ts";
export * from "./dns/ownership.ts";
