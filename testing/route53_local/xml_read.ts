/**
 * Reading request bodies: fast-xml-parser turns the XML into plain objects, and the
 * helpers here check that shape against the 2013-04-01 schema, answering violations
 * the way Route 53's schema validator does (`InvalidInput`, "Invalid XML ; cvc-…").
 *
 * @module
 */

import { XMLParser, XMLValidator } from "fast-xml-parser";
import { invalidXml, Route53Error } from "./errors.ts";

/** A parsed element: its child elements by tag. */
export type Element = Record<string, unknown>;

/** Elements that may repeat, so the parser always yields arrays for them. */
const LISTS = new Set(["Change", "ResourceRecord"]);

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Values are kept exactly as sent: no number parsing, no trimming.
  parseTagValue: false,
  trimValues: false,
  // Decodes numeric character references (&#13;) besides the five XML entities.
  htmlEntities: true,
  isArray: (name) => LISTS.has(name),
});

/**
 * Parses a request body and returns the root element's content after checking the root
 * tag. A wrong root is `MalformedInput` with `wrongRootMessage` (reference §2.1).
 */
export function parseRoot(body: string, root: string, wrongRootMessage: string): Element {
  // Route 53's parser refuses document type declarations; refusing them here also keeps
  // entity expansion out of the picture.
  if (/<!DOCTYPE/i.test(body)) {
    throw invalidXml(
      'DOCTYPE is disallowed when the feature "http://apache.org/xml/features/disallow-doctype-decl" set to true.',
    );
  }
  const valid = XMLValidator.validate(body);
  if (valid !== true) {
    throw invalidXml(`${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  }
  const doc: unknown = parser.parse(body);
  if (!isElement(doc)) throw invalidXml("the body is not an XML document");
  const roots = Object.keys(doc).filter((k) => !k.startsWith("?") && k !== "#text");
  if (roots.length !== 1 || roots[0] !== root) {
    throw new Route53Error("MalformedInput", wrongRootMessage);
  }
  return element(doc[root], root);
}

function isElement(value: unknown): value is Element {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Treats `value` as an element with children; an empty element (`<X/>`) has none. */
export function element(value: unknown, tag: string): Element {
  // An element holding only whitespace (`<X>\n</X>`, pretty-printed XML) has no children.
  if (typeof value === "string" && value.trim() === "") return {};
  if (Array.isArray(value)) throw repeated(tag);
  if (!isElement(value)) {
    throw invalidXml(`cvc-complex-type.2.3: Element '${tag}' cannot have character content.`);
  }
  const text = value["#text"];
  if (text !== undefined && (typeof text !== "string" || text.trim() !== "")) {
    throw invalidXml(`cvc-complex-type.2.3: Element '${tag}' cannot have character content.`);
  }
  return value;
}

function repeated(tag: string): Route53Error {
  return invalidXml(`cvc-complex-type.2.4.a: Element '${tag}' may appear only once here.`);
}

/** Refuses children other than `allowed`, naming the first unexpected one. */
export function onlyChildren(parent: Element, tag: string, allowed: readonly string[]): void {
  for (const key of Object.keys(parent)) {
    if (key === "#text") continue;
    if (!allowed.includes(key)) {
      throw invalidXml(
        `cvc-complex-type.2.4.a: Invalid content was found starting with element '${key}' in '${tag}'. One of '{${
          allowed.join(", ")
        }}' is expected.`,
      );
    }
  }
}

/** Error for a required child that is missing. */
export function missing(parent: string, child: string): Route53Error {
  return invalidXml(
    `cvc-complex-type.2.4.b: The content of element '${parent}' is not complete. One of '{${child}}' is expected.`,
  );
}

/** The text of an optional leaf child, verbatim. */
export function optionalText(
  parent: Element,
  tag: string,
  maxLength?: number,
  type?: string,
): string | undefined {
  const value = parent[tag];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw repeated(tag);
  if (typeof value !== "string") {
    throw invalidXml(
      `cvc-type.3.1.2: Element '${tag}' is a simple type, so it must have no element information item [children].`,
    );
  }
  if (maxLength !== undefined && value.length > maxLength) {
    throw invalidXml(
      `cvc-maxLength-valid: Value '${value}' with length = '${value.length}' is not facet-valid with respect to maxLength '${maxLength}' for type '${
        type ?? tag
      }'.`,
    );
  }
  return value;
}

/** The text of a required leaf child. */
export function requiredText(
  parent: Element,
  parentTag: string,
  tag: string,
  maxLength?: number,
  type?: string,
): string {
  const value = optionalText(parent, tag, maxLength, type);
  if (value === undefined) throw missing(parentTag, tag);
  return value;
}

/** A child that must be one of `allowed`. */
export function enumText<T extends string>(text: string, allowed: readonly T[]): T {
  const match = allowed.find((a) => a === text);
  if (match === undefined) {
    throw invalidXml(
      `cvc-enumeration-valid: Value '${text}' is not facet-valid with respect to enumeration '[${
        allowed.join(", ")
      }]'. It must be a value from the enumeration.`,
    );
  }
  return match;
}

/** An integer in `[min, max]`; `type` names the schema type in the message. */
export function integerText(text: string, min: number, max: number, type: string): number {
  if (!/^[+-]?[0-9]+$/.test(text)) {
    throw invalidXml(`cvc-datatype-valid.1.2.1: '${text}' is not a valid value for 'integer'.`);
  }
  const n = Number(text);
  if (n < min) {
    throw invalidXml(
      `cvc-minInclusive-valid: Value '${text}' is not facet-valid with respect to minInclusive '${min}' for type '${type}'.`,
    );
  }
  if (n > max) {
    throw invalidXml(
      `cvc-maxInclusive-valid: Value '${text}' is not facet-valid with respect to maxInclusive '${max}' for type '${type}'.`,
    );
  }
  return n;
}

/** An `xsd:boolean`. */
export function booleanText(text: string): boolean {
  if (text === "true" || text === "1") return true;
  if (text === "false" || text === "0") return false;
  throw invalidXml(`cvc-datatype-valid.1.2.1: '${text}' is not a valid value for 'boolean'.`);
}

/** An optional child element. */
export function optionalElement(parent: Element, tag: string): Element | undefined {
  const value = parent[tag];
  return value === undefined ? undefined : element(value, tag);
}

/** The items of a repeated child (parsed as an array by configuration). */
export function list(parent: Element, tag: string): unknown[] {
  const value = parent[tag];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
