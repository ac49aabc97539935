// dist/cli.js: starts the cairn command line (dist/cliMain.js) from V8's code cache, so that a
// command does not spend its first tens of milliseconds compiling the bundle. A cache is written
// once per bundle, runtime and command, beside the user's other caches; anything that goes wrong
// with it only costs that time: the bundle is then compiled as usual.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';

const bundle = path.join(__dirname, 'cliMain.js');
const source = fs.readFileSync(bundle, 'utf8');

/** One cache per installed bundle (the extension's and an npm install's do not evict each other). */
function cachePrefix(): string {
  return `cli-${createHash('sha256').update(bundle).digest('hex').slice(0, 12)}-`;
}

/** The bundle's build and the runtime: a cache of another is never read again. */
function cacheKey(): string {
  const st = fs.statSync(bundle);
  return `${process.version}-${process.arch}-${st.size}-${Math.floor(st.mtimeMs)}-`;
}

/**
 * One cache per command, as each holds the functions its first run compiled: `status` then starts
 * from a cache of what `status` runs, not of whatever command happened to run first.
 */
function commandName(): string {
  const word = process.argv[2] ?? '';
  return /^[a-z][a-z-]{0,30}$/.test(word) ? word : 'other';
}

function cacheDir(): string {
  const base =
    process.env['XDG_CACHE_HOME'] ??
    (process.env['HOME'] ? path.join(process.env['HOME'], '.cache') : os.tmpdir());
  return path.join(base, 'cairn');
}

/** Caches not written for this long belong to bundles no longer installed (or rebuilt). */
const CACHE_MAX_AGE_MS = 30 * 24 * 3600 * 1000;

let file: string | undefined;
let cached: Buffer | undefined;
try {
  file = path.join(cacheDir(), `${cachePrefix()}${cacheKey()}${commandName()}.v8`);
  cached = fs.readFileSync(file);
} catch {
  // no cache yet
}

const script = new vm.Script(Module.wrap(source), {
  filename: bundle,
  ...(cached ? { cachedData: cached } : {}),
});
if (file !== undefined && (cached === undefined || script.cachedDataRejected)) {
  const target = file;
  // At exit, the functions the command ran are compiled too, and go into the cache.
  process.once('exit', () => {
    try {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      const tmp = `${target}.${process.pid}`;
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, target);
      // Caches of older builds of this bundle are never read again, nor old ones of any bundle.
      const current = `${cachePrefix()}${cacheKey()}`;
      const dir = path.dirname(target);
      for (const name of fs.readdirSync(dir)) {
        const other = path.join(dir, name);
        if (
          (name.startsWith(cachePrefix()) && !name.startsWith(current)) ||
          fs.statSync(other).mtimeMs < Date.now() - CACHE_MAX_AGE_MS
        )
          fs.rmSync(other, { force: true });
      }
    } catch {
      // a read-only home: the next command compiles again
    }
  });
}
const mod = new Module(bundle, module);
mod.filename = bundle;
mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(
  __dirname,
);
const run = script.runInThisContext() as (
  exports: unknown,
  require: NodeJS.Require,
  module: Module,
  filename: string,
  dirname: string,
) => void;
run.call(mod.exports, mod.exports, Module.createRequire(bundle), mod, bundle, __dirname);
