// Runs every benchmark script in bench/ (each prints its own ratios).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

for (const f of readdirSync('bench')
  .filter((f) => f.endsWith('.mjs') && f !== 'run.mjs')
  .sort()) {
  console.log(`\n== bench/${f}`);
  // Some benchmarks import TypeScript sources (the webview bundles' models): load them through tsx.
  const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${f}`], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = 1;
}
