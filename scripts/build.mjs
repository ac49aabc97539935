// Bundles the CLI, the extension and the webviews with esbuild.
import { build } from 'esbuild';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

// The extension host provides 'vscode'; node-pty is native; TensorFlow.js goes into its own
// lazily required dist/tfjs.js.
const nodeExternal = [
  'vscode',
  'node-pty',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-backend-wasm',
];

/** @type {import('esbuild').BuildOptions} */
const node = {
  ...common,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: nodeExternal,
};

/** @type {Promise<{ metafile?: Pick<import('esbuild').Metafile, 'outputs'> }>[]} */
const builds = [
  build({ ...node, entryPoints: { cliMain: 'src/cli/bin.ts' }, outdir: 'dist' }),
  build({ ...node, entryPoints: { cli: 'src/cli/launcher.ts' }, outdir: 'dist', sourcemap: false }),
  build({
    ...node,
    entryPoints: { ioWorker: 'src/core/versioning/ioWorker.ts' },
    outdir: 'dist',
  }),
  // Profiles segments of a CSV beside the thread that asked (src/core/data/segmentedProfile.ts).
  build({
    ...node,
    entryPoints: { profileWorker: 'src/core/data/profileWorker.ts' },
    outdir: 'dist',
  }),
  // The SSH (ssh2) and S3 (AWS SDK) stores: required lazily by src/core/remotes/openStore.ts.
  // ssh2's optional native helpers are left out; it falls back to pure JS without them.
  build({
    ...node,
    external: ['cpu-features', '*.node'],
    entryPoints: { remoteStores: 'src/core/remotes/networkStores.ts' },
    outdir: 'dist',
    sourcemap: false,
    minify: true,
  }),
  build({
    ...node,
    external: ['@tensorflow/tfjs-node'],
    entryPoints: { tfjs: 'src/core/data/tfjsBundle.ts' },
    outdir: 'dist',
    sourcemap: false,
    minify: true,
  }),
];
// The webviews: browser bundles loaded by the panels under a strict CSP (no eval, no inline).
/** @type {import('esbuild').BuildOptions} */
const browser = {
  ...common,
  platform: 'browser',
  format: 'iife',
  target: 'chrome120',
  outdir: 'dist/webview',
  loader: { '.ttf': 'file' },
  assetNames: '[name]',
};
builds.push(
  build({
    ...browser,
    entryPoints: {
      compare: 'webview-ui/src/compare/main.ts',
      lineage: 'webview-ui/src/lineage/main.ts',
      profile: 'webview-ui/src/profile/main.ts',
      drift: 'webview-ui/src/drift/main.ts',
      run: 'webview-ui/src/run/main.ts',
    },
  }),
  build({
    ...browser,
    entryPoints: {
      compare: 'webview-ui/src/compare/compare.css',
      lineage: 'webview-ui/src/lineage/lineage.css',
      profile: 'webview-ui/src/profile/profile.css',
      drift: 'webview-ui/src/drift/drift.css',
      run: 'webview-ui/src/run/run.css',
    },
  }),
);
if (existsSync('src/extension/extension.ts')) builds.push(buildExtension());
// The host tests: one entry per index and per test file (mocha loads the files itself).
if (existsSync('test/vscode')) {
  const entries = [
    'test/vscode/trustedIndex.ts',
    'test/vscode/untrustedIndex.ts',
    'test/vscode/firstHourIndex.ts',
  ];
  for (const dir of ['suite', 'untrusted', 'firstHour']) {
    const d = join('test/vscode', dir);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d)) if (f.endsWith('.test.ts')) entries.push(join(d, f));
  }
  builds.push(
    build({
      ...node,
      entryPoints: entries,
      outbase: 'test/vscode',
      outdir: 'dist/test/vscode',
      external: [...nodeExternal, 'mocha'],
    }),
  );
}
const results = await Promise.all(builds);
// The extension's budget: under 2 MB without TensorFlow.js (docs/architecture.md), its bundles together.
const extensionBytes = results
  .flatMap((r) => Object.entries(r?.metafile?.outputs ?? {}))
  .filter(([file]) => /^dist\/(extension|engine|kernel)\.js$/.test(file))
  .reduce((sum, [, o]) => sum + o.bytes, 0);
if (extensionBytes > 2 * 1024 * 1024) {
  throw new Error(`the extension bundles are ${extensionBytes} bytes; the budget is 2 MB`);
}
// The WASM backend loads its binaries from beside dist/tfjs.js.
for (const f of readdirSync('node_modules/@tensorflow/tfjs-backend-wasm/dist').filter((f) =>
  f.endsWith('.wasm'),
)) {
  copyFileSync(`node_modules/@tensorflow/tfjs-backend-wasm/dist/${f}`, `dist/${f}`);
}
// The logging helpers that runs put on PYTHONPATH / NODE_PATH ship beside the bundles.
rmSync('dist/helpers', { recursive: true, force: true });
cpSync('python/cairn/__init__.py', 'dist/helpers/python/cairn/__init__.py');
cpSync('js/cairn.js', 'dist/helpers/js/cairn.js');
// `cairn` for the integrated terminals: the extension puts dist/bin on their PATH and sets
// CAIRN_NODE to the Node (or Electron) that runs it.
mkdirSync('dist/bin', { recursive: true });
writeFileSync(
  'dist/bin/cairn',
  `#!/bin/sh
# The cairn command line bundled with the Cairn extension.
dir=$(dirname "$0")
if [ -n "$CAIRN_NODE" ]; then
  ELECTRON_RUN_AS_NODE=1 exec "$CAIRN_NODE" "$dir/../cli.js" "$@"
fi
exec node "$dir/../cli.js" "$@"
`,
);
chmodSync('dist/bin/cairn', 0o755);
writeFileSync(
  'dist/bin/cairn.cmd',
  '@echo off\r\nset ELECTRON_RUN_AS_NODE=1\r\nif defined CAIRN_NODE ("%CAIRN_NODE%" "%~dp0..\\cli.js" %*) else (node "%~dp0..\\cli.js" %*)\r\n',
);
if (watch) console.log('watch mode is not supported; run npm run build again');

/**
 * The extension in three bundles with one copy of every module: dist/extension.js (the light
 * halves, read at activation), dist/engine.js (src/extension/engine.ts: the heavy halves and the
 * core engine, required on first use) and dist/kernel.js (the modules both of those import, such
 * as core/errors.ts, so that `instanceof CairnError` holds across them). A first pass finds the
 * modules in both; the second makes each of them, in either bundle, a require of kernel.js.
 */
async function buildExtension() {
  const entries = {
    extension: 'src/extension/extension.ts',
    engine: 'src/extension/engine.ts',
  };
  const probe = async (entry) =>
    Object.keys(
      (await build({ ...node, entryPoints: [entry], write: false, outdir: 'dist', metafile: true }))
        .metafile.inputs,
    );
  const [light, heavy] = await Promise.all([probe(entries.extension), probe(entries.engine)]);
  const shared = light.filter((f) => heavy.includes(f) && !f.startsWith('node_modules/'));
  const sharedAbs = new Map(shared.map((f) => [resolve(f), f]));
  /** @type {import('esbuild').Plugin} */
  const fromKernel = {
    name: 'from-kernel',
    setup(b) {
      b.onResolve({ filter: /^\./ }, async (args) => {
        if (args.pluginData === 'kernel') return undefined;
        const r = await b.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          pluginData: 'kernel',
        });
        const rel = sharedAbs.get(r.path);
        return rel ? { path: rel, namespace: 'kernel' } : undefined;
      });
      b.onLoad({ filter: /.*/, namespace: 'kernel' }, (args) => ({
        contents: `module.exports = require('./kernel.js').modules[${JSON.stringify(args.path)}];`,
        loader: 'js',
      }));
    },
  };
  /** @type {import('esbuild').Plugin} */
  const kernelEntry = {
    name: 'kernel-entry',
    setup(b) {
      b.onResolve({ filter: /^cairn-kernel$/ }, () => ({
        path: 'kernel',
        namespace: 'kernel-entry',
      }));
      b.onLoad({ filter: /.*/, namespace: 'kernel-entry' }, () => ({
        resolveDir: process.cwd(),
        loader: 'js',
        contents: `exports.modules = {\n${shared
          .map((f) => `  ${JSON.stringify(f)}: require(${JSON.stringify(`./${f}`)}),`)
          .join('\n')}\n};`,
      }));
    },
  };
  const kernelExternal = { ...node, external: [...nodeExternal, './kernel.js'] };
  const [extension, engine, kernel] = await Promise.all([
    build({
      ...kernelExternal,
      entryPoints: { extension: entries.extension },
      outdir: 'dist',
      plugins: [fromKernel],
      // Activation time is measured from the first line of the bundle (see extension.ts).
      banner: { js: 'var __cairnBundleStart = performance.now();' },
      footer: { js: 'var __cairnBundleEnd = performance.now();' },
      metafile: true,
    }),
    build({
      ...kernelExternal,
      entryPoints: { engine: entries.engine },
      outdir: 'dist',
      plugins: [fromKernel],
      metafile: true,
    }),
    build({
      ...node,
      entryPoints: { kernel: 'cairn-kernel' },
      outdir: 'dist',
      plugins: [kernelEntry],
      metafile: true,
    }),
  ]);
  checkOneCopy({ extension, engine, kernel });
  return { metafile: mergeOutputs([extension, engine, kernel]) };
}

/** Fails the build when a source module is in more than one of the extension's bundles. */
function checkOneCopy(bundles) {
  const owner = new Map();
  for (const [name, result] of Object.entries(bundles)) {
    for (const input of Object.keys(result.metafile.inputs)) {
      if (!/^(src|node_modules)\//.test(input)) continue;
      const other = owner.get(input);
      if (other) throw new Error(`${input} is in both dist/${other}.js and dist/${name}.js`);
      owner.set(input, name);
    }
  }
}

/** @param {{ metafile: import('esbuild').Metafile }[]} results */
function mergeOutputs(results) {
  return { outputs: Object.assign({}, ...results.map((r) => r.metafile.outputs)) };
}
