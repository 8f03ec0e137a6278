/**
 * Record-type tokens → the types Route 53 hosts, with messages that name a type Route 53
 * cannot host (LOC, HINFO, RP, TYPE65280 …) instead of calling it unknown.
 *
 * @module
 */

import { isRoute53Type, ROUTE53_TYPES, type RRType } from "../dns/record_set.ts";

/** Well-known types Route 53 cannot host, so the message can name them. */
const OTHER_TYPES: Record<string, number> = {
  MD: 3,
  MF: 4,
  MB: 7,
  MG: 8,
  MR: 9,
  NULL: 10,
  WKS: 11,
  HINFO: 13,
  MINFO: 14,
  RP: 17,
  AFSDB: 18,
  X25: 19,
  ISDN: 20,
  RT: 21,
  NSAP: 22,
  "NSAP-PTR": 23,
  SIG: 24,
  KEY: 25,
  PX: 26,
  GPOS: 27,
  LOC: 29,
  NXT: 30,
  EID: 31,
  NIMLOC: 32,
  ATMA: 34,
  KX: 36,
  CERT: 37,
  A6: 38,
  DNAME: 39,
  SINK: 40,
  OPT: 41,
  APL: 42,
  IPSECKEY: 45,
  RRSIG: 46,
  NSEC: 47,
  DNSKEY: 48,
  DHCID: 49,
  NSEC3: 50,
  NSEC3PARAM: 51,
  SMIMEA: 53,
  HIP: 55,
  NINFO: 56,
  RKEY: 57,
  TALINK: 58,
  CDS: 59,
  CDNSKEY: 60,
  OPENPGPKEY: 61,
  CSYNC: 62,
  ZONEMD: 63,
  NID: 104,
  L32: 105,
  L64: 106,
  LP: 107,
  EUI48: 108,
  EUI64: 109,
  TKEY: 249,
  TSIG: 250,
  URI: 256,
  AVC: 258,
  DOA: 259,
  AMTRELAY: 260,
  RESINFO: 261,
  WALLET: 262,
  TA: 32768,
  DLV: 32769,
  ANY: 255,
  AXFR: 252,
  IXFR: 251,
};

/** Exact upper- and lower-case mnemonics, the common spellings, found without case folding. */
export const TYPE_BY_TOKEN = new Map<string, RRType>(
  ROUTE53_TYPES.flatMap((t) => [[t, t], [t.toLowerCase(), t]]),
);

const ROUTE53_NUMBERS: Record<number, RRType> = {
  1: "A",
  2: "NS",
  5: "CNAME",
  6: "SOA",
  12: "PTR",
  15: "MX",
  16: "TXT",
  28: "AAAA",
  33: "SRV",
  35: "NAPTR",
  43: "DS",
  44: "SSHFP",
  52: "TLSA",
  64: "SVCB",
  65: "HTTPS",
  99: "SPF",
  257: "CAA",
};

/**
 * Resolves a type token to a Route 53 type, or throws SyntaxError naming the type and
 * saying Route 53 cannot host it (`TYPE1` is A, as in BIND).
 */
export function resolveType(token: string): RRType {
  const known = TYPE_BY_TOKEN.get(token);
  if (known !== undefined) return known;
  const up = token.toUpperCase();
  if (isRoute53Type(up)) return up;
  const m = /^TYPE(\d{1,5})$/.exec(up);
  if (m && m[1] !== undefined) {
    const n = Number(m[1]);
    const t = ROUTE53_NUMBERS[n];
    if (t !== undefined) return t;
    if (n <= 65535) {
      throw new SyntaxError(`record type ${up} is not one Route 53 can host: remove this record`);
    }
  }
  if (OTHER_TYPES[up] !== undefined) {
    throw new SyntaxError(`record type ${up} is not one Route 53 can host: remove this record`);
  }
  throw new SyntaxError(
    `unknown record type "${token}": Route 53 hosts ${
      Object.values(ROUTE53_NUMBERS).sort().join(" ")
    }`,
  );
}
