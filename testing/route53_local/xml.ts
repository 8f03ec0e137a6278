/**
 * A small XML writer for Route 53 responses: elements, text with entity escaping, and
 * the 2013-04-01 namespace on the root element.
 *
 * @module
 */

/** Namespace every Route 53 2013-04-01 document carries on its root element. */
export const ROUTE53_NAMESPACE = "https://route53.amazonaws.com/doc/2013-04-01/";

/**
 * One XML element: its tag and either text or child elements. `undefined` children are
 * skipped so optional members can be written inline and vanish when absent, as Route 53
 * leaves out members without a value.
 */
export interface XmlElement {
  tag: string;
  text?: string;
  children?: (XmlElement | undefined)[];
}

/**
 * Builds an element; a string, number or boolean becomes its text, an array its children.
 *
 * @example
 * ```ts
 * el("IsTruncated", false); // <IsTruncated>false</IsTruncated>
 * ```
 */
export function el(
  tag: string,
  content: string | number | boolean | (XmlElement | undefined)[],
): XmlElement {
  if (Array.isArray(content)) return { tag, children: content };
  return { tag, text: String(content) };
}

/** Like {@linkcode el}, but yields `undefined` (an omitted member) when `value` is. */
export function opt(
  tag: string,
  value: string | number | boolean | undefined,
): XmlElement | undefined {
  return value === undefined ? undefined : el(tag, value);
}

/**
 * Escapes text for element content: `&`, `<` and `>` (quotes need no escape outside
 * attributes, and real responses show TXT quotes raw); carriage returns and tabs become
 * character references so a parser gives them back unchanged instead of normalising them.
 */
export function escapeXml(text: string): string {
  return text.replace(/[&<>\r\t]/g, (c) => {
    switch (c) {
      case "&":
        return "&amp;";
      case "<":
        return "&lt;";
      case ">":
        return "&gt;";
      case "\r":
        return "&#13;";
      default:
        return "&#9;";
    }
  });
}

function render(element: XmlElement, attributes: string): string {
  const open = `<${element.tag}${attributes}`;
  if (element.children !== undefined) {
    const inner = element.children.filter((c) => c !== undefined).map((c) => render(c, ""));
    return inner.length === 0 ? `${open}/>` : `${open}>${inner.join("")}</${element.tag}>`;
  }
  return `${open}>${escapeXml(element.text ?? "")}</${element.tag}>`;
}

/**
 * Renders a complete document: XML declaration plus the root with the Route 53 namespace.
 *
 * @example
 * ```ts
 * renderDocument(el("GetChangeResponse", [el("ChangeInfo", [])]));
 * ```
 */
export function renderDocument(root: XmlElement): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${render(root, ` xmlns="${ROUTE53_NAMESPACE}"`)}`;
}
