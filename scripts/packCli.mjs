// Packs the cairn command line as an npm package, cairn-ml-<version>.tgz (npm run pack:cli):
//
//   node scripts/packCli.mjs [--out-dir <dir>] [--no-build]
//
// The CLI is esbuild'd into dist/, so the package needs few runtime dependencies: only node-pty
// (native; built on install, which npm only does when allowed: npm install -g
// --allow-scripts=node-pty <tarball>). Everything else it imports is in the bundles, so the
// package does not pull in the dependencies the repository's package.json lists for building
// (the AWS SDK, TensorFlow.js, …). It is packed with `npm pack` from a staging folder whose
// package.json names just that; the repository's own package.json stays private (it is the
// extension's manifest). It holds the bundles, the `cairn` bin, the logging helpers (Python:
// python/, installable with pip; JavaScript: js/cairn.js; and their copies in dist/helpers that
// runs use), README and LICENSE. Prints the tarball's path.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const i = process.argv.indexOf('--out-dir');
const outDir = path.resolve((i >= 0 ? process.argv[i + 1] : undefined) ?? root);

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
  return r;
}

if (!process.argv.includes('--no-build')) {
  run(process.execPath, ['scripts/build.mjs', '--production']);
}
// The extension's bundles, tests and the .vsix's node-pty stay out: the CLI needs none of them.
const EXTENSION_ONLY = new Set(['extension.js', 'engine.js', 'kernel.js']);
const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-pack-'));
try {
  const dist = path.join(root, 'dist');
  for (const f of fs.readdirSync(dist)) {
    if (/\.(js|wasm)$/.test(f) && !EXTENSION_ONLY.has(f)) {
      fs.cpSync(path.join(dist, f), path.join(stage, 'dist', f));
    }
  }
  fs.cpSync(path.join(dist, 'helpers'), path.join(stage, 'dist', 'helpers'), { recursive: true });
  fs.cpSync(path.join(root, 'bin', 'cairn'), path.join(stage, 'bin', 'cairn'));
  fs.chmodSync(path.join(stage, 'bin', 'cairn'), 0o755);
  for (const f of ['pyproject.toml', 'README.md', 'cairn/__init__.py']) {
    fs.cpSync(path.join(root, 'python', f), path.join(stage, 'python', f));
  }
  fs.cpSync(path.join(root, 'js', 'cairn.js'), path.join(stage, 'js', 'cairn.js'));
  for (const f of ['README.md', 'LICENSE', 'CHANGELOG.md']) {
    fs.cpSync(path.join(root, f), path.join(stage, f));
  }
  const pkg = {
    name: 'cairn-ml',
    version: manifest.version,
    description:
      'The cairn command line: version datasets and models beside Git, record training runs, compare them.',
    license: manifest.license,
    repository: manifest.repository,
    homepage: manifest.homepage,
    bugs: manifest.bugs,
    keywords: manifest.keywords,
    engines: { node: manifest.engines.node },
    bin: { cairn: 'bin/cairn' },
    files: ['bin', 'dist', 'python', 'js', 'CHANGELOG.md'],
    dependencies: { 'node-pty': manifest.dependencies['node-pty'] },
  };
  fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  fs.mkdirSync(outDir, { recursive: true });
  const r = run('npm', ['pack', '--json', '--pack-destination', outDir], {
    cwd: stage,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  const [packed] = JSON.parse(String(r.stdout));
  const file = path.join(outDir, packed.filename);
  console.log(
    `${path.relative(process.cwd(), file) || file}: ${(packed.size / 1024 / 1024).toFixed(2)} MB, ${packed.entryCount} files`,
  );
  for (const f of packed.files) console.log(`  ${f.path.padEnd(52)} ${String(f.size).padStart(9)}`);
} finally {
  fs.rmSync(stage, { recursive: true, force: true });
}
