// @ts-check
// Fails when the relative imports under src/ and webview-ui/src form a cycle (or name no file).
// Type-only imports count too: a cycle of types still ties the files together, and the lazy split
// relies on the light half never reaching the heavy half except through the container's loader.
// Run by `npm run lint`; give folders as arguments to check only those.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const sourceExt = /\.(?:ts|tsx|mts|cts)$/;

/** @param {string} dir @returns {string[]} */
function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return sourceExt.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

// TypeScript itself parses each file and resolves its imports as tsconfig.base.json does, so that
// `./a.js`, `./a` and a folder's index all reach a.ts and an import in a comment is none. A regex
// and a resolver of our own once missed every import written without `.js` (the extension,
// protocol and webview-ui), and with them their cycles; ts.preProcessFile misses `export * as`.
const options = {
  module: ts.ModuleKind.Preserve,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
};

/**
 * Every module specifier in a file: import/export declarations, import(), require(), import types.
 * @param {ts.SourceFile} sf @returns {ts.StringLiteralLike[]}
 */
function moduleSpecifiers(sf) {
  /** @type {ts.StringLiteralLike[]} */
  const found = [];
  /** @param {ts.Node | undefined} n */
  const add = (n) => {
    if (n && ts.isStringLiteralLike(n)) found.push(n);
  };
  /** @param {ts.Node} node */
  const walk = (node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isExternalModuleReference(node)) add(node.expression);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument))
      add(node.argument.literal);
    else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'require'))
    )
      add(node.arguments[0]);
    ts.forEachChild(node, walk);
  };
  walk(sf);
  return found;
}

/** @type {Map<string, string[]>} */
const graph = new Map();
/** @type {string[]} */
const unresolved = [];
const roots = process.argv.length > 2 ? process.argv.slice(2) : ['src', 'webview-ui/src'];
for (const file of roots.flatMap(sourceFiles).map((f) => resolve(f))) {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  /** @type {string[]} */
  const deps = [];
  for (const lit of moduleSpecifiers(sf)) {
    const spec = lit.text;
    if (!spec.startsWith('./') && !spec.startsWith('../')) continue; // a package, not ours
    const found = ts.resolveModuleName(spec, file, options, ts.sys).resolvedModule;
    if (found && !found.isExternalLibraryImport) deps.push(resolve(found.resolvedFileName));
    else if (!isAsset(join(dirname(file), spec))) {
      const line = sf.getLineAndCharacterOfPosition(lit.getStart()).line + 1;
      unresolved.push(`${relative('.', file)}:${line}: import '${spec}' names no source file`);
    }
  }
  graph.set(file, deps);
}

/** A stylesheet or other file that the bundler loads, not a module of ours. @param {string} p */
function isAsset(p) {
  return existsSync(p) && statSync(p).isFile() && !sourceExt.test(p);
}

// Tarjan's strongly connected components: every component of more than one file is a cycle.
let index = 0;
/** @type {Map<string, number>} */ const order = new Map();
/** @type {Map<string, number>} */ const low = new Map();
/** @type {string[]} */ const stack = [];
const onStack = new Set();
/** @type {string[][]} */ const cycles = [];
/** @param {string} v */
function visit(v) {
  order.set(v, index);
  low.set(v, index++);
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!order.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, order.get(w) ?? 0));
  }
  if (low.get(v) === order.get(v)) {
    /** @type {string[]} */ const component = [];
    let w;
    do {
      w = /** @type {string} */ (stack.pop());
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component);
  }
}
for (const v of graph.keys()) if (!order.has(v)) visit(v);

for (const u of unresolved) console.error(u);
for (const c of cycles) {
  console.error(
    `import cycle between ${c.length} files: ${c.map((f) => relative('.', f)).join(', ')}`,
  );
}
if (cycles.length > 0 || unresolved.length > 0) process.exit(1);
const imports = [...graph.values()].reduce((n, deps) => n + deps.length, 0);
console.log(
  `no import cycle among ${graph.size} files (${imports} imports) under ${roots.join(', ')}`,
);
