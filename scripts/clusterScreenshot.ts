// The README's screenshot of cluster runs: a one-node SLURM cluster (as the tests start it), the
// fixture project with a `gpu` executor, a sweep that ran there, and a run still running,
// hovered in the Runs view. Saves .vscode-test/screenshots/cluster-runs.png. Needs root and
// slurm-wlm (scripts/setup.sh).
//
//   node --import tsx scripts/clusterScreenshot.ts
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { startSlurmCluster } from '../src/core/testing/slurmCluster.js';
// @ts-expect-error: a JavaScript module without types
import { prepareWorkspace, root, withWorkbench } from './vscodeHost.mjs';

const outDir = path.join(root as string, '.vscode-test', 'screenshots');
fs.mkdirSync(outDir, { recursive: true });
const cli = path.join(root as string, 'dist', 'cli.js');
const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

const cluster = await startSlurmCluster();
const env = { ...process.env, ...cluster.env, CAIRN_JOB_POLL_MS: '500' };
const workspace = (prepareWorkspace as (f: string) => string)(
  path.join(root as string, 'test', 'fixtures', 'mlProject'),
);
const cairn = (...args: string[]) => {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: workspace, encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`cairn ${args.join(' ')}: ${r.stderr}`);
};
try {
  const yaml = fs.readFileSync(path.join(workspace, 'cairn.yaml'), 'utf8');
  fs.writeFileSync(
    path.join(workspace, 'cairn.yaml'),
    `${yaml.replace(/python3 /, `${python} `)}executors:
  gpu:
    type: slurm
    partition: ${cluster.partition}
    cpus: 1
    mem: 1G
    time: "00:30:00"
`,
  );
  spawnSync('git', ['commit', '-qam', 'gpu executor'], { cwd: workspace });
  cairn('add', 'data');
  spawnSync('git', ['add', '-A'], { cwd: workspace });
  spawnSync('git', ['commit', '-qm', 'data'], { cwd: workspace });
  cairn('run', 'train');
  cairn('sweep', 'train', '-p', 'lr=0.003,0.01,0.03', '--on', 'gpu', '-j', '2');
  // One more, running while the screenshot is taken (slow epochs).
  spawn(process.execPath, [cli, 'run', 'train', '-p', 'epochs=400', '--on', 'gpu', '--detach'], {
    cwd: workspace,
    env,
    stdio: 'ignore',
  });
  await (withWorkbench as (o: object, f: (w: { page: Page }) => Promise<void>) => Promise<void>)(
    { workspace, env: cluster.env },
    async ({ page }) => {
      await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
      const tab = page.locator('.activitybar [aria-label^="Cairn"]').first();
      await tab.waitFor({ timeout: 30_000 });
      await tab.click();
      const sash = page.locator('.monaco-sash.vertical').first();
      const box = await sash.boundingBox();
      if (box) {
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        await page.mouse.down();
        await page.mouse.move(box.x + 260, box.y + box.height / 2, { steps: 5 });
        await page.mouse.up();
      }
      const sweepRow = page.locator('.pane-body .monaco-list-row', { hasText: 'lr (3)' }).first();
      await sweepRow.waitFor({ timeout: 30_000 });
      await sweepRow.click();
      const running = page
        .locator('.pane-body .monaco-list-row', { hasText: 'running' })
        .filter({ hasText: 'on gpu' })
        .first();
      await running.waitFor({ timeout: 60_000 });
      await page.waitForTimeout(3000);
      await running.hover();
      await page.waitForTimeout(2500);
      await page.screenshot({ path: path.join(outDir, 'cluster-runs.png') });
      console.log(`saved ${path.join(outDir, 'cluster-runs.png')}`);
    },
  );
} finally {
  spawnSync('scancel', ['-u', 'root'], { env });
  await cluster.stop();
  fs.rmSync(workspace, { recursive: true, force: true });
}
