// Builds the extension package, cairn-<version>.vsix, with @vscode/vsce (npm run package).
//
//   node scripts/package.mjs [--target linux-x64] [--out <file>]
//
// The package is platform-specific because of the native node-pty: the target defaults to this
// machine's (linux-x64 here). It holds the production bundles of dist/ (no sources, tests or
// source maps), the webviews, the logging helpers, the `cairn` launchers, the media the manifest
// names and node-pty's runtime files under dist/node_modules/node-pty (the fallback for when the
// node-pty VS Code ships cannot be used). No other node_modules: every other dependency is in the
// bundles. Prints the package's size and its files.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import yauzl from 'yauzl';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const target = arg('--target') ?? `${process.platform}-${process.arch}`;
const out = path.resolve(arg('--out') ?? path.join(root, `cairn-${manifest.version}.vsix`));
// The budget of the package without @tensorflow/tfjs-node (which is never in it).
const BUDGET = 10 * 1024 * 1024;

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
}

/**
 * Copies what node-pty needs at run time for `target` into dist/node_modules/node-pty: its
 * package.json, the JavaScript of lib/ (not its tests or maps) and the native binary, built here
 * for this machine (build/Release) or shipped prebuilt by node-pty (prebuilds/<target>).
 */
function stageNodePty() {
  const from = path.join(root, 'node_modules', 'node-pty');
  const to = path.join(root, 'dist', 'node_modules', 'node-pty');
  fs.rmSync(path.join(root, 'dist', 'node_modules'), { recursive: true, force: true });
  const copy = (rel) => fs.cpSync(path.join(from, rel), path.join(to, rel), { recursive: true });
  copy('package.json');
  copy('LICENSE');
  const js = (dir) =>
    fs
      .readdirSync(path.join(from, dir), { withFileTypes: true })
      .flatMap((e) =>
        e.isDirectory()
          ? js(path.join(dir, e.name))
          : e.name.endsWith('.js') && !e.name.endsWith('.test.js')
            ? [path.join(dir, e.name)]
            : [],
      );
  for (const f of js('lib')) copy(f);
  const here = `${process.platform}-${process.arch}`;
  const prebuilt = path.join('prebuilds', target);
  if (fs.existsSync(path.join(from, prebuilt))) {
    // Without the Windows debug symbols (.pdb): half of the binaries' size, of use to no user.
    fs.cpSync(path.join(from, prebuilt), path.join(to, prebuilt), {
      recursive: true,
      filter: (f) => !f.endsWith('.pdb'),
    });
  } else if (target === here && fs.existsSync(path.join(from, 'build', 'Release', 'pty.node'))) {
    for (const f of fs.readdirSync(path.join(from, 'build', 'Release'))) {
      if (f.endsWith('.node') || f === 'spawn-helper') copy(path.join('build', 'Release', f));
    }
  } else {
    throw new Error(
      `node_modules/node-pty has no binary for ${target}: node-pty ships prebuilt binaries for ` +
        `Windows and macOS only, and builds the Linux one on install. Build the ${target} package ` +
        `on a ${target} machine (npm ci there, then npm run package).`,
    );
  }
}

/** The files of a .vsix (a zip) with their uncompressed sizes. */
function listZip(file) {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err instanceof Error ? err : new Error(String(err)));
      const entries = [];
      zip.on('entry', (e) => {
        if (!e.fileName.endsWith('/')) entries.push({ name: e.fileName, size: e.uncompressedSize });
        zip.readEntry();
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

run(process.execPath, ['scripts/build.mjs', '--production']);
fs.rmSync(out, { force: true });
try {
  stageNodePty();
  run(process.execPath, [
    path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'),
    'package',
    '--no-dependencies',
    '--target',
    target,
    '--out',
    out,
  ]);
} finally {
  // From the source tree, dist/cli.js must find the node-pty of node_modules, built for this
  // machine, not a staged copy for another target.
  fs.rmSync(path.join(root, 'dist', 'node_modules'), { recursive: true, force: true });
}
const files = await listZip(out);
const size = fs.statSync(out).size;
const mb = (n) => `${(n / 1024 / 1024).toFixed(2)} MB`;
const forbidden = files.filter((f) =>
  /(^|\/)(src|test)\/|\.map$|\.ts$|(^|\/)node_modules\/(?!node-pty\/)/.test(
    f.name.replace(/^extension\/dist\/node_modules\/node-pty\//, 'extension/'),
  ),
);
console.log(`\n${path.relative(root, out)}: ${mb(size)} for ${target}, ${files.length} files:`);
for (const f of files) console.log(`  ${f.name.padEnd(64)} ${String(f.size).padStart(9)}`);
if (forbidden.length > 0) {
  throw new Error(
    `${path.relative(root, out)} holds sources, tests or source maps (${forbidden.map((f) => f.name).join(', ')}): add them to .vscodeignore`,
  );
}
if (size > BUDGET) {
  throw new Error(`${path.relative(root, out)} is ${mb(size)}; the budget is ${mb(BUDGET)}`);
}
