// The project's import rules as an ESLint plugin: no import cycles (value or type imports) and no import from a
// higher layer. A layer is a top-level folder of the source root; the order is the `layers` option (lowest
// first, folders of one layer joined by "|"). The cycle rule reads the whole source root once per lint run.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

/** The source layers, lowest first (docs/architecture.md): a folder imports only from its own layer and the ones before it. */
export const LAYERS = [
  "core|config|web",
  "nn",
  "envs",
  "runs",
  "agents",
  "onnx",
  "peers",
  "experiments|report",
  "distributed|dashboard|demo|bench",
  "cli",
];

const IMPORT = /(?:^|[;\n])\s*(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]*?\s+from\s+)?["'](\.{1,2}\/[^"']+)["']/g;

/** The .ts file a relative specifier names (the sources import "./x.js" for "./x.ts"). */
function target(from, specifier) {
  return resolve(dirname(from), specifier.replace(/\.js$/, ".ts"));
}

function sourceFiles(root) {
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.endsWith(".d.ts")) files.push(path);
    }
  };
  walk(root);
  return files;
}

const graphs = new Map();
/** file -> the files it imports, for every source file under root (read once per root and lint run). */
function graphOf(root) {
  let graph = graphs.get(root);
  if (graph) return graph;
  graph = new Map();
  for (const file of sourceFiles(root)) {
    const text = readFileSync(file, "utf8");
    graph.set(
      file,
      [...text.matchAll(IMPORT)].map((m) => target(file, m[1])),
    );
  }
  graphs.set(root, graph);
  return graph;
}

/** A path of imports from `start` back to `goal`, or null. */
function pathBack(graph, start, goal) {
  const seen = new Set();
  const stack = [[start, [start]]];
  while (stack.length > 0) {
    const [file, path] = stack.pop();
    if (file === goal) return path;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const next of graph.get(file) ?? []) stack.push([next, [...path, next]]);
  }
  return null;
}

function rootOption(context) {
  return resolve(context.options[0]?.root ?? "src");
}

function specifiers(node) {
  return node.source && typeof node.source.value === "string" && node.source.value.startsWith(".") ? [node.source] : [];
}

function onImports(check) {
  return {
    ImportDeclaration: (node) => specifiers(node).forEach(check),
    ExportNamedDeclaration: (node) => specifiers(node).forEach(check),
    ExportAllDeclaration: (node) => specifiers(node).forEach(check),
    ImportExpression: (node) => specifiers(node).forEach(check),
  };
}

const noCycle = {
  meta: {
    type: "problem",
    docs: { description: "no import cycles between source files (type imports count)" },
    schema: [{ type: "object", properties: { root: { type: "string" } }, additionalProperties: false }],
  },
  create(context) {
    const root = rootOption(context);
    const file = resolve(context.filename);
    if (!file.startsWith(root + sep)) return {};
    const graph = graphOf(root);
    return onImports((source) => {
      const to = target(file, source.value);
      const back = pathBack(graph, to, file);
      if (back)
        context.report({
          node: source,
          message: `import cycle: ${[file, ...back].map((f) => relative(root, f)).join(" -> ")}`,
        });
    });
  },
};

const layers = {
  meta: {
    type: "problem",
    docs: { description: "no import from a higher layer" },
    schema: [
      {
        type: "object",
        properties: { root: { type: "string" }, layers: { type: "array", items: { type: "string" } } },
        additionalProperties: false,
      },
    ],
  },
  create(context) {
    const root = rootOption(context);
    const file = resolve(context.filename);
    if (!file.startsWith(root + sep)) return {};
    const order = context.options[0]?.layers ?? [];
    const levelOf = (path) => {
      const top = relative(root, path).split(sep)[0];
      const level = order.findIndex((layer) => layer.split("|").includes(top));
      return level < 0 ? null : level;
    };
    const own = levelOf(file);
    if (own === null) return {};
    return onImports((source) => {
      const level = levelOf(target(file, source.value));
      if (level !== null && level > own)
        context.report({
          node: source,
          message: `${relative(root, file).split(sep)[0]}/ (layer ${own + 1}) imports from a higher layer: ${source.value} (layer ${level + 1}; order: ${order.join(" < ")})`,
        });
    });
  },
};

export default { rules: { "no-cycle": noCycle, layers } };
