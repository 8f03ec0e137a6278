/**
 * IP address text as A and AAAA values carry it: strict dotted quads, and IPv6 in any
 * RFC 4291 notation parsed to its eight groups so equal addresses compare equal.
 *
 * @module
 */

/** Whether `text` is a dotted-quad IPv4 address without leading zeros. */
export function isIPv4(text: string): boolean {
  const parts = text.split(".");
  return parts.length === 4 &&
    parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

/**
 * Parses an IPv6 address into eight 16-bit groups (also with `::` and an IPv4 tail), or
 * `undefined`. Used to compare AAAA values by data, as Route 53 does.
 */
export function parseIPv6(text: string): number[] | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  let tail: number[] = [];
  let head = text;
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".")) {
    const v4 = text.slice(lastColon + 1);
    if (!isIPv4(v4)) return undefined;
    const b = v4.split(".").map(Number);
    tail = [(b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!];
    head = text.slice(0, lastColon + 1);
    if (head.endsWith(":") && !head.endsWith("::")) head = head.slice(0, -1);
  }
  const groups = (part: string): number[] | undefined => {
    if (part === "") return [];
    const out: number[] = [];
    for (const g of part.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  if (left === undefined || right === undefined) return undefined;
  const want = 8 - tail.length;
  const have = left.length + right.length;
  if (halves.length === 2) {
    if (have >= want) return undefined;
    return [...left, ...new Array<number>(want - have).fill(0), ...right, ...tail];
  }
  return have === want ? [...left, ...tail] : undefined;
}
