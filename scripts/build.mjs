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
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

const node = {
  ...common,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // node-pty is native; the extension host provides 'vscode'.
  // node-pty is native; TensorFlow.js goes into its own lazily required dist/tfjs.js.
  external: [
    'vscode',
    'node-pty',
    '@tensorflow/tfjs-node',
    '@tensorflow/tfjs',
    '@tensorflow/tfjs-backend-wasm',
  ],
};

const builds = [
  build({ ...node, entryPoints: { cli: 'src/cli/bin.ts' }, outdir: 'dist' }),
  build({
    ...node,
    entryPoints: { ioWorker: 'src/core/versioning/ioWorker.ts' },
    outdir: 'dist',
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
    },
  }),
  build({
    ...browser,
    entryPoints: {
      compare: 'webview-ui/src/compare/compare.css',
      lineage: 'webview-ui/src/lineage/lineage.css',
      profile: 'webview-ui/src/profile/profile.css',
      drift: 'webview-ui/src/drift/drift.css',
    },
  }),
);
if (existsSync('src/extension/extension.ts')) {
  builds.push(
    build({
      ...node,
      entryPoints: { extension: 'src/extension/extension.ts' },
      outdir: 'dist',
      // Activation time is measured from the first line of the bundle (see extension.ts).
      banner: { js: 'var __cairnBundleStart = performance.now();' },
      footer: { js: 'var __cairnBundleEnd = performance.now();' },
      metafile: true,
    }),
    // The core the extension loads on first use (src/extension/shared/lazyCore.ts).
    build({
      ...node,
      entryPoints: { extensionCore: 'src/extension/shared/extensionCore.ts' },
      outdir: 'dist',
      metafile: true,
    }),
  );
}
// The host tests: one entry per index and per test file (mocha loads the files itself).
if (existsSync('test/vscode')) {
  const entries = ['test/vscode/trustedIndex.ts', 'test/vscode/untrustedIndex.ts'];
  for (const dir of ['suite', 'untrusted']) {
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
      external: [...node.external, 'mocha'],
    }),
  );
}
const results = await Promise.all(builds);
// The extension's budget: under 2 MB without TensorFlow.js (DESIGN.md), both bundles together.
const extensionBytes = results
  .flatMap((r) => Object.entries(r.metafile?.outputs ?? {}))
  .filter(([file]) => /^dist\/extension(Core)?\.js$/.test(file))
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
