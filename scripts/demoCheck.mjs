// Checks the main job as a user meets it: `scripts/demo.mjs` prepares the demo project and serves
// VS Code; the page it prints is opened in Chromium, and the Cairn views must be there with the
// demo's runs and artifacts. Screenshots go to .vscode-test/screenshots/demo-*.png.
//
//   node scripts/demoCheck.mjs
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { launchChromium, root } from './vscodeHost.mjs';

const outDir = path.join(root, '.vscode-test', 'screenshots');
fs.mkdirSync(outDir, { recursive: true });
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-demo-'));
const port = await new Promise((resolve) => {
  const srv = net.createServer().listen(0, '127.0.0.1', () => {
    const p = /** @type {import('node:net').AddressInfo} */ (srv.address()).port;
    srv.close(() => resolve(p));
  });
});

const failures = [];
function check(what, ok) {
  process.stdout.write(`  ${ok ? '✔' : '✖'} ${what}\n`);
  if (!ok) failures.push(what);
}

// The demo command itself, as `npm run demo` runs it (the build is done by npm test before).
const demo = spawn(
  process.execPath,
  [
    'scripts/demo.mjs',
    '--workspace',
    workspace,
    '--rows',
    '5000',
    '--port',
    String(port),
    '--browser',
  ],
  {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, CI: '1' },
    detached: true,
  },
);
let output = '';
const url = await new Promise((resolve, reject) => {
  const timer = setTimeout(
    () => reject(new Error(`no 'Cairn demo ready' within 6 minutes:\n${output}`)),
    360_000,
  );
  demo.stdout.on('data', (chunk) => {
    output += chunk.toString();
    process.stdout.write(chunk);
    const m = /Cairn demo ready: (\S+)/.exec(output);
    if (m) {
      clearTimeout(timer);
      resolve(m[1]);
    }
  });
  demo.once('exit', (code) =>
    reject(new Error(`the demo command exited with ${code}:\n${output}`)),
  );
});

let browser;
try {
  const page0 = await fetch(url);
  check(`the demo serves the workbench page (HTTP ${page0.status})`, page0.status === 200);
  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
  const cairnTab = page.locator('.activitybar [aria-label^="Cairn"]').first();
  await cairnTab.waitFor({ timeout: 60_000 });
  check('the extension is loaded: the activity bar has the Cairn container', true);
  await cairnTab.click();
  const runRow = page.locator('.pane-body .monaco-list-row', { hasText: 'baseline' }).first();
  await runRow.waitFor({ timeout: 60_000 });
  check(
    `the Runs view lists the demo's runs ("${(await runRow.innerText()).replace(/\s+/g, ' ')}")`,
    true,
  );
  const modelRow = page.locator('.pane-body .monaco-list-row', { hasText: 'models/churn' }).first();
  await modelRow.waitFor({ timeout: 30_000 });
  check('the Artifacts view lists the demo model', true);
  await page.waitForTimeout(1500);
  await page.screenshot({ path: path.join(outDir, 'demo-views.png') });
  // The webviews, from the command palette as a user opens them.
  /** @type {[command: string, tab: string, shot: string][]} */
  const views = [
    ['Cairn: Compare Runs', 'Compare runs', 'demo-compare.png'],
    ['Cairn: Show Lineage', 'Lineage', 'demo-lineage.png'],
  ];
  for (const [command, tab, shot] of views) {
    await page.keyboard.press('F1');
    await page.keyboard.type(command);
    await page.waitForTimeout(700);
    await page.keyboard.press('Enter');
    const tabEl = page.locator(`.tabs-container .tab[aria-label^="${tab}"]`).first();
    await tabEl.waitFor({ timeout: 60_000 });
    check(`${command} opens the ${tab} view`, true);
    await page.waitForTimeout(4000);
    await page.screenshot({ path: path.join(outDir, shot) });
  }
} catch (err) {
  check(
    `the demo workbench: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
    false,
  );
} finally {
  await browser?.close().catch(() => {});
  try {
    if (demo.pid !== undefined) process.kill(-demo.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  fs.rmSync(workspace, { recursive: true, force: true });
}
if (failures.length > 0) {
  process.stderr.write(`demo check: ${failures.length} failed\n`);
  process.exit(1);
}
process.stdout.write('demo check: the main job serves the workbench with Cairn loaded\n');
process.exit(0);
