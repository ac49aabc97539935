// Runs the webview tests (test/webview/*.test.ts) in Debian's Chromium through playwright-core,
// with node:test through tsx. The bundles must be built first (npm run build).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const chromium = process.env.CAIRN_CHROMIUM || '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.error(
    `test:webview: ${chromium} is missing; run scripts/setup.sh (apt-get install chromium) or set CAIRN_CHROMIUM to a Chromium binary.`,
  );
  process.exit(1);
}
const dir = 'test/webview';
const only = process.argv.slice(2);
const files =
  only.length > 0
    ? only
    : readdirSync(dir)
        .filter((f) => f.endsWith('.test.ts'))
        .sort()
        .map((f) => join(dir, f));
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
