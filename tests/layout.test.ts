/**
 * The layout's rules, as tests, so they cannot erode unnoticed: no import circle between
 * lib/ files or between lib/ folders, no lib/ folder over ten files, nothing the hook
 * loads from npm: or node: (its start-up budget), and code outside lib/ importing it
 * through the façades at lib/'s root.
 *
 * The module graph is Deno's own (`deno info --json`, static and dynamic imports, type
 * imports included: a type-only circle becomes a runtime one with the first value import).
 */
import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const PROJECT = dirname(dirname(fileURLToPath(import.meta.url)));

/** Every import edge, both ends as project-relative paths, or specifiers outside it. */
type Graph = Map<string, Set<string>>;

/** Paths of the project's .ts files under `dir` (project-relative), corpus and data left out. */
async function tsFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(join(PROJECT, dir))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory && path !== "tests/corpus" && path !== "bench/data") {
      out.push(...await tsFiles(path));
    } else if (entry.isFile && entry.name.endsWith(".ts")) out.push(path);
  }
  return out.sort();
}

/** Reads the graph `deno info` gives for `roots` and everything they import. */
async function moduleGraph(roots: string[]): Promise<Graph> {
  // deno info takes one root: a throw-away module that imports every root stands in.
  const dir = await Deno.makeTempDir({ prefix: "layout_" });
  try {
    const entry = join(dir, "roots.ts");
    await Deno.writeTextFile(
      entry,
      roots.map((r) => `import ${JSON.stringify(pathToFileURL(join(PROJECT, r)).href)};\n`).join(
        "",
      ),
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--config", join(PROJECT, "deno.json"), entry],
      cwd: PROJECT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
      modules: {
        specifier: string;
        dependencies?: { code?: { specifier?: string }; type?: { specifier?: string } }[];
      }[];
    };
    const name = (specifier: string) =>
      specifier.startsWith("file:") ? relative(PROJECT, fileURLToPath(specifier)) : specifier;
    const graph: Graph = new Map();
    for (const module of info.modules) {
      if (module.specifier === pathToFileURL(entry).href) continue;
      const deps = new Set<string>();
      for (const dep of module.dependencies ?? []) {
        for (const target of [dep.code?.specifier, dep.type?.specifier]) {
          if (target !== undefined) deps.add(name(target));
        }
      }
      graph.set(name(module.specifier), deps);
    }
    return graph;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Every circle in `graph`, one per strongly connected component (Tarjan), each as a
 * path that starts and ends at the same node: `["a", "b", "a"]`.
 */
function cycles(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component = new Set<string>();
    for (;;) {
      const member = stack.pop()!;
      onStack.delete(member);
      component.add(member);
      if (member === node) break;
    }
    if (component.size > 1 || graph.get(node)?.has(node)) {
      found.push(circleThrough(node, component, graph));
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return found;
}

/** The shortest path from `start` back to itself inside `component` (breadth first). */
function circleThrough(start: string, component: Set<string>, graph: Graph): string[] {
  const parent = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      if (!component.has(next)) continue;
      if (next === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(parent.get(path[0]!)!);
        return [...path, start];
      }
      if (!parent.has(next)) {
        parent.set(next, node);
        queue.push(next);
      }
    }
  }
  throw new Error(`Cannot close a circle through ${start}`);
}

/** The shortest import chain from `root` to `target`. */
function chain(graph: Graph, root: string, target: string): string[] {
  const parent = new Map<string, string>([[root, root]]);
  const queue = [root];
  while (queue.length > 0) {
    const node = queue.shift()!;
    if (node === target) break;
    for (const next of graph.get(node) ?? []) {
      if (!parent.has(next)) {
        parent.set(next, node);
        queue.push(next);
      }
    }
  }
  const path = [target];
  while (path[0] !== root) path.unshift(parent.get(path[0]!)!);
  return path;
}

/** The lib/ files only, with the edges between them. */
function libGraph(graph: Graph, nodeOf: (file: string) => string): Graph {
  const out: Graph = new Map();
  for (const [file, deps] of graph) {
    if (!file.startsWith("lib/")) continue;
    const from = nodeOf(file);
    const edges = out.get(from) ?? new Set<string>();
    for (const dep of deps) {
      const to = dep.startsWith("lib/") ? nodeOf(dep) : null;
      if (to !== null && to !== from) edges.add(to);
    }
    out.set(from, edges);
  }
  return out;
}

/** A lib/ file's folder (`lib/zones`), or the file itself for one at lib/'s root. */
function folderOf(file: string): string {
  const parts = file.split("/");
  return parts.length > 2 ? parts.slice(0, 2).join("/") : file;
}

const OUTSIDE = [
  ...await tsFiles("tests"),
  ...await tsFiles("cli"),
  ...await tsFiles("bench"),
  ...await tsFiles("testing"),
  "main.ts",
  "demo.ts",
  "hook.ts",
];
const LIB = await tsFiles("lib");
const graph = await moduleGraph([...LIB, ...OUTSIDE]);

Deno.test("cycles() names each circle as the path that closes it", () => {
  const g: Graph = new Map([
    ["a", new Set(["b"])],
    ["b", new Set(["c"])],
    ["c", new Set(["a", "d"])],
    ["d", new Set()],
    ["e", new Set(["e"])],
  ]);
  assert.deepEqual(cycles(g), [["a", "b", "c", "a"], ["e", "e"]]);
  assert.deepEqual(cycles(new Map([["a", new Set(["b"])], ["b", new Set()]])), []);
});

Deno.test("no lib/ files import each other in a circle", () => {
  const found = cycles(libGraph(graph, (file) => file));
  assert.deepEqual(
    found,
    [],
    `import circles between lib/ files:\n${found.map((c) => `  ${c.join(" → ")}`).join("\n")}`,
  );
});

Deno.test("no lib/ folders import each other in a circle (a file at lib/'s root is its own node)", () => {
  const found = cycles(libGraph(graph, folderOf));
  // Each hop of a folder circle, with the file imports that make it.
  const hops = (circle: string[]) =>
    circle.slice(1).map((to, i) => {
      const from = circle[i]!;
      const files = [...graph].flatMap(([file, deps]) =>
        file.startsWith("lib/") && folderOf(file) === from
          ? [...deps].filter((d) => d.startsWith("lib/") && folderOf(d) === to).map((d) =>
            `${file} → ${d}`
          )
          : []
      );
      return `    ${from} → ${to}: ${files.join(", ")}`;
    }).join("\n");
  assert.deepEqual(
    found,
    [],
    `import circles between lib/ folders:\n${
      found.map((c) => `  ${c.join(" → ")}\n${hops(c)}`).join("\n")
    }`,
  );
});

Deno.test("no folder in lib/ holds more than ten .ts files", () => {
  const perFolder = new Map<string, number>();
  for (const file of LIB) perFolder.set(dirname(file), (perFolder.get(dirname(file)) ?? 0) + 1);
  const crowded = [...perFolder].filter(([, n]) => n > 10).map(([dir, n]) => `${dir}: ${n}`);
  assert.deepEqual(crowded, [], `folders over ten files: ${crowded.join(", ")}`);
});

Deno.test("what the hook loads, statically or dynamically, imports no npm: and no node: module", () => {
  const loaded = new Set<string>();
  const queue = ["hook.ts"];
  while (queue.length > 0) {
    const node = queue.shift()!;
    if (loaded.has(node)) continue;
    loaded.add(node);
    queue.push(...graph.get(node) ?? []);
  }
  assert(loaded.has("lib/hook/pre_receive.ts"), "the graph lost hook.ts's dynamic import");
  const foreign = [...loaded].filter((m) => /^(npm|node):/.test(m)).sort();
  assert.deepEqual(
    foreign,
    [],
    `the hook loads:\n${
      foreign.map((m) => `  ${chain(graph, "hook.ts", m).join(" → ")}`).join("\n")
    }`,
  );
});

Deno.test("the hook's build embeds every module hook.ts imports by a computed name", async () => {
  const { LAZY_MODULES } = await import("../hook.ts");
  const config = JSON.parse(await Deno.readTextFile(join(PROJECT, "deno.json")));
  const hookBuild = String(config.tasks.build).split("&&").find((c) => c.includes(" hook.ts"));
  assert(hookBuild, "deno.json's build task compiles no hook.ts");
  const missing = Object.values(LAZY_MODULES)
    .map((path) => relative(PROJECT, join(PROJECT, path)))
    .filter((path) => !hookBuild.includes(`--include ${path} `));
  assert.deepEqual(
    missing,
    [],
    `the hook's deno compile lacks --include for: ${missing.join(", ")}`,
  );
  for (const path of Object.values(LAZY_MODULES)) {
    assert(
      graph.get("hook.ts")?.has(relative(PROJECT, join(PROJECT, path))),
      `hook.ts has no typed import of ${path}, so deno check does not see what it loads`,
    );
  }
});

Deno.test("code outside lib/ imports lib/ only through the façades at its root (hook.ts also lib/job/, lib/hook/ and lib/util/)", () => {
  // The hook cannot use the façades: they load npm modules its start-up budget forbids.
  const allowed = (from: string, to: string) =>
    folderOf(to) === to || (from === "hook.ts" && /^lib\/(job|hook|util)\//.test(to));
  const around: string[] = [];
  for (const file of OUTSIDE) {
    for (const dep of graph.get(file) ?? []) {
      if (dep.startsWith("lib/") && !allowed(file, dep)) around.push(`${file} → ${dep}`);
    }
  }
  assert.deepEqual(around, [], `imports past the façades:\n  ${around.join("\n  ")}`);
});
