// Runs every benchmark script in bench/ (each prints its own ratios).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

for (const f of readdirSync('bench')
  .filter((f) => f.endsWith('.mjs') && f !== 'run.mjs')
  .sort()) {
  console.log(`\n== bench/${f}`);
  const r = spawnSync(process.execPath, [`bench/${f}`], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = 1;
}
