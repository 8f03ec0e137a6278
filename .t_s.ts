import { parseZone } from "./lib/zones.ts";
const text = await Deno.readTextFile(Deno.args[0]!);
const r = parseZone(text, { zone: "shop.test" } as never);
console.log(JSON.stringify(r, null, 0).slice(0, 1500));
