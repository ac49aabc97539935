import * as fs from 'node:fs';
import * as path from 'node:path';

let cached: string | undefined;

// The extension's manifest (and the repository's) is named cairn; the npm package of the CLI
// cairn-ml (scripts/packCli.mjs).
const NAMES = new Set<unknown>(['cairn', 'cairn-ml']);

/** Cairn's version, from the package.json of the installed package (or the repository). */
export function cairnVersion(): string {
  if (cached !== undefined) return cached;
  for (let d = __dirname; d !== path.dirname(d); d = path.dirname(d)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(d, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (NAMES.has(pkg.name) && typeof pkg.version === 'string') return (cached = pkg.version);
    } catch {
      /* no package.json here: look further up */
    }
  }
  return (cached = 'unknown');
}
