// Bundles the CLI, the extension and the webviews with esbuild.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

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
  external: ['vscode', 'node-pty', '@tensorflow/tfjs-node'],
};

const builds = [
  build({ ...node, entryPoints: { cli: 'src/cli/bin.ts' }, outdir: 'dist' }),
  build({
    ...node,
    entryPoints: { ioWorker: 'src/core/versioning/ioWorker.ts' },
    outdir: 'dist',
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
    },
  }),
  build({
    ...browser,
    entryPoints: {
      compare: 'webview-ui/src/compare/compare.css',
      lineage: 'webview-ui/src/lineage/lineage.css',
    },
  }),
);
if (existsSync('src/extension/extension.ts')) {
  builds.push(
    build({ ...node, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist' }),
  );
}
await Promise.all(builds);
if (watch) console.log('watch mode is not supported; run npm run build again');
