/**
 * Per-type checks of `Value` text, in the shape of Route 53's "Invalid Resource Record:
 * FATAL problem: <Code> (<description>) encountered with '<value>'" messages
 * (docs/route53.md). Codes the reference quotes are
 * used verbatim; the others are route53-local's own, named in the same style.
 *
 * Values are validated, never rewritten: Route 53 stores the submitted text.
 *
 * @module
 */

import { isIPv4, parseIPv6 } from "./addresses.ts";
import { checkCharacterStrings, type Field, fields } from "./character_strings.ts";
import { invalidRecord as invalid } from "./errors.ts";
import { parseName } from "./names.ts";

/** Record types of the service model's `RRType` enumeration, in the model's order. */
export const RR_TYPES = [
  "SOA",
  "A",
  "TXT",
  "NS",
  "CNAME",
  "MX",
  "NAPTR",
  "PTR",
  "SRV",
  "SPF",
  "AAAA",
  "CAA",
  "DS",
  "TLSA",
  "SSHFP",
  "SVCB",
  "HTTPS",
] as const;

/** A type Route 53 hosts. */
export type RRType = typeof RR_TYPES[number];

/** Whether `text` is one of the 17 types. */
export function isRRType(text: string): text is RRType {
  return (RR_TYPES as readonly string[]).includes(text);
}

const PRINTABLE = /^[\x20-\x7e]*$/;

function unsignedInRange(text: string, max: number): boolean {
  return /^[0-9]{1,10}$/.test(text) && Number(text) <= max;
}

function isHex(text: string): boolean {
  return text.length > 0 && text.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(text);
}

/** Checks a domain-name field inside a value; `.` (the root) is allowed. */
function domainProblem(text: string, value: string): string | undefined {
  const r = parseName(text);
  return r.ok
    ? undefined
    : `Invalid Resource Record: ${r.problem.replace(/'[^']*'$/, `'${value}'`)}`;
}

type Check = (value: string, f: Field[]) => string | undefined;

function count(n: number, type: string): Check {
  return (value, f) =>
    f.length === n && f.every((x) => !x.quoted) ? undefined : invalid(
      `${type}RRDATAWrongFieldCount`,
      `Value must have ${n} space-separated fields`,
      value,
    );
}

function numbers(type: string, maxima: number[]): Check {
  return (value, f) => {
    for (let i = 0; i < maxima.length; i += 1) {
      if (!unsignedInRange(f[i]!.text, maxima[i]!)) {
        return invalid(
          `${type}RRDATAIllegalNumber`,
          `Field ${i + 1} must be an integer from 0 to ${maxima[i]}`,
          value,
        );
      }
    }
    return undefined;
  };
}

function hexField(type: string, index: number): Check {
  return (value, f) =>
    isHex(f[index]!.text)
      ? undefined
      : invalid(`${type}RRDATAIllegalHex`, "Value must end in an even number of hex digits", value);
}

function domainField(index: number): Check {
  return (value, f) => domainProblem(f[index]!.text, value);
}

function all(...checks: Check[]): Check {
  return (value, f) => {
    for (const check of checks) {
      const problem = check(value, f);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };
}

const U16 = 65535;
const U8 = 255;
const U32 = 4294967295;

function checkA(value: string): string | undefined {
  if (value.includes(" ")) return invalid("ARRDATANotSingleField", "Value contains spaces", value);
  return isIPv4(value)
    ? undefined
    : invalid("ARRDATAIllegalIPv4Address", "Value is not a valid IPv4 address", value);
}

function checkAAAA(value: string): string | undefined {
  if (value.includes(" ")) {
    return invalid("AAAARRDATANotSingleField", "Value contains spaces", value);
  }
  return parseIPv6(value) !== undefined
    ? undefined
    : invalid("AAAARRDATAIllegalIPv6Address", "Value is not a valid IPv6 address", value);
}

function checkCAA(value: string, f: Field[]): string | undefined {
  if (f.length !== 3 || f[0]!.quoted || f[1]!.quoted || !f[2]!.quoted) {
    return invalid("CAARRDATAIllegalFormat", 'Value must be: flags tag "value"', value);
  }
  if (!unsignedInRange(f[0]!.text, U8)) {
    return invalid("CAARRDATAIllegalFlags", "Flags must be an integer from 0 to 255", value);
  }
  if (!/^[A-Za-z0-9]+$/.test(f[1]!.text)) {
    return invalid("CAARRDATAIllegalTag", "Tag may only contain A-Z, a-z and 0-9", value);
  }
  return undefined;
}

function checkNAPTR(value: string, f: Field[]): string | undefined {
  const shape = f.length === 6 && !f[0]!.quoted && !f[1]!.quoted && f[2]!.quoted &&
    f[3]!.quoted && f[4]!.quoted && !f[5]!.quoted;
  if (!shape) {
    return invalid(
      "NAPTRRRDATAIllegalFormat",
      'Value must be: order preference "flags" "service" "regexp" replacement',
      value,
    );
  }
  return all(numbers("NAPTR", [U16, U16]), domainField(5))(value, f);
}

function checkSVCB(type: string): Check {
  return (value, f) => {
    if (f.length < 2 || f[0]!.quoted || f[1]!.quoted) {
      return invalid(
        `${type}RRDATAIllegalFormat`,
        "Value must be: priority target [key=value ...]",
        value,
      );
    }
    const problem = all(numbers(type, [U16]), domainField(1))(value, f);
    if (problem !== undefined) return problem;
    const params = f.slice(2);
    if (f[0]!.text === "0" && params.length > 0) {
      return invalid(
        `${type}RRDATAAliasModeParameters`,
        "Priority 0 (AliasMode) takes no parameters",
        value,
      );
    }
    for (const p of params) {
      if (p.quoted || !/^[a-z0-9-]+(=.*)?$/.test(p.text)) {
        return invalid(`${type}RRDATAIllegalParameter`, "Parameters must be key=value", value);
      }
    }
    return undefined;
  };
}

const CHECKS: Record<RRType, Check> = {
  A: (value) => checkA(value),
  AAAA: (value) => checkAAAA(value),
  CAA: checkCAA,
  CNAME: all(count(1, "CNAME"), domainField(0)),
  DS: all(count(4, "DS"), numbers("DS", [U16, U8, U8]), hexField("DS", 3)),
  HTTPS: checkSVCB("HTTPS"),
  MX: all(count(2, "MX"), numbers("MX", [U16]), domainField(1)),
  NAPTR: checkNAPTR,
  NS: all(count(1, "NS"), domainField(0)),
  PTR: all(count(1, "PTR"), domainField(0)),
  SOA: all(
    count(7, "SOA"),
    domainField(0),
    domainField(1),
    (value, f) => numbers("SOA", [U32, U32, U32, U32, U32])(value, f.slice(2)),
  ),
  SPF: (value) => checkCharacterStrings(value),
  SRV: all(count(4, "SRV"), numbers("SRV", [U16, U16, U16]), domainField(3)),
  SSHFP: all(count(3, "SSHFP"), numbers("SSHFP", [U8, U8]), hexField("SSHFP", 2)),
  SVCB: checkSVCB("SVCB"),
  TLSA: all(count(4, "TLSA"), numbers("TLSA", [U8, U8, U8]), hexField("TLSA", 3)),
  TXT: (value) => checkCharacterStrings(value),
};

/**
 * Checks one `Value` for a type; returns the Route 53-style problem text or `undefined`.
 *
 * @example
 * ```ts
 * checkValue("A", "192.0.2.300");
 * // "Invalid Resource Record: FATAL problem: ARRDATAIllegalIPv4Address (...) encountered with '192.0.2.300'"
 * ```
 */
export function checkValue(type: RRType, value: string): string | undefined {
  if (!PRINTABLE.test(value)) {
    // Route 53 wants bytes outside printable ASCII written as octal escapes (§3.4).
    return invalid("UnsupportedCharacter", "Value contains unsupported characters", value);
  }
  if (value.trim() !== value || value.length === 0) {
    if (type === "A") return checkA(value);
    return invalid("InvalidValueWhitespace", "Value is empty or has surrounding spaces", value);
  }
  const f = fields(value);
  if (f === undefined) {
    if (type === "TXT" || type === "SPF") return checkCharacterStrings(value);
    return invalid("InvalidCharacterString", "Quoted string is not terminated", value);
  }
  return CHECKS[type](value, f);
}

/**
 * The form two values are compared in for duplicates and DELETE matching: AAAA by the
 * parsed address (Route 53 compares record data there, §2.2), everything else by text.
 */
export function valueKey(type: RRType, value: string): string {
  if (type === "AAAA") {
    const groups = parseIPv6(value);
    if (groups !== undefined) return groups.join(":");
  }
  return value;
}
