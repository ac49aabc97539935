// @ts-check
// Fails when the relative imports under src/ form a cycle. Type-only imports count too: a cycle of
// types still ties the files together, and the lazy split relies on the light half never reaching
// the heavy half except through the container's loader. Run by `npm run lint`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** @param {string} dir @returns {string[]} */
function tsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

const importRe = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
/** @type {Map<string, string[]>} */
const graph = new Map();
const roots = process.argv.length > 2 ? process.argv.slice(2) : ['src'];
for (const file of roots.flatMap(tsFiles)) {
  const text = readFileSync(file, 'utf8');
  const deps = [];
  for (const [, spec = ''] of text.matchAll(importRe)) {
    const target = join(dirname(file), spec.replace(/\.js$/, '.ts'));
    if (existsSync(target)) deps.push(target);
  }
  graph.set(file, deps);
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

if (cycles.length > 0) {
  for (const c of cycles) {
    console.error(
      `import cycle between ${c.length} files: ${c.map((f) => relative('.', f)).join(', ')}`,
    );
  }
  process.exit(1);
}
console.log(`no import cycle among ${graph.size} files under ${roots.join(', ')}`);
