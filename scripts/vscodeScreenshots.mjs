// The UI check: opens the fixture project in the real workbench (code-server + Chromium) with
// the extension loaded, checks what a user sees (the Cairn views, decorations) and saves
// screenshots to .vscode-test/screenshots/ (the README's come from there, after a look).
//
//   node scripts/vscodeScreenshots.mjs
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { prepareWorkspace, root, withWorkbench } from './vscodeHost.mjs';

const outDir = path.join(root, '.vscode-test', 'screenshots');
fs.mkdirSync(outDir, { recursive: true });

function cli(cwd, ...args) {
  const r = spawnSync(process.execPath, [path.join(root, 'dist', 'cli.js'), ...args], {
    cwd,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`cairn ${args.join(' ')} failed: ${r.stderr}`);
}

function sh(cwd, cmd, ...args) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
}

const workspace = prepareWorkspace(path.join(root, 'test', 'fixtures', 'mlProject'));
const failures = [];
function check(what, ok) {
  process.stdout.write(`  ${ok ? '✔' : '✖'} ${what}\n`);
  if (!ok) failures.push(what);
}

try {
  // A project in use: a tracked dataset, a trained model, and then a change to the data.
  cli(workspace, 'add', 'data');
  sh(workspace, 'git', 'add', 'data.cairn', '.gitignore');
  sh(workspace, 'git', 'commit', '-qm', 'data');
  cli(workspace, 'run', 'train', '-p', 'lr=0.003', '-p', 'epochs=1');
  cli(workspace, 'run', 'train');
  cli(workspace, 'run', 'train', '-p', 'lr=0.1');
  // The last model, registered and in prod.
  sh(workspace, 'git', 'add', '-A');
  sh(workspace, 'git', 'commit', '-qm', 'model');
  cli(workspace, 'model', 'register', 'models/model.pkl', '--name', 'churn', '--version', '1.2.0');
  cli(workspace, 'model', 'promote', 'churn@v1.2.0', '--stage', 'prod');
  fs.appendFileSync(path.join(workspace, 'data', 'train.csv'), '0.5,0.5,1\n');

  await withWorkbench({ workspace }, async ({ page }) => {
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    const cairnTab = page.locator('.activitybar [aria-label^="Cairn"]').first();
    await cairnTab.waitFor({ timeout: 30_000 });
    check('the activity bar has a Cairn container', true);
    await cairnTab.click();
    // A wider side bar, so that the runs' metrics fit.
    const sash = page.locator('.monaco-sash.vertical').first();
    const box = await sash.boundingBox();
    if (box) {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + 200, box.y + box.height / 2, { steps: 5 });
      await page.mouse.up();
    }
    const dataRow = page
      .locator('.pane-body .monaco-list-row', { hasText: 'data' })
      .filter({ hasText: 'modified' })
      .first();
    await dataRow.waitFor({ timeout: 30_000 });
    const dataText = await dataRow.innerText();
    check(
      `the Artifacts view lists data as modified ("${dataText.replace(/\s+/g, ' ')}")`,
      /modified/.test(dataText),
    );
    const modelRow = page.locator('.pane-body .monaco-list-row', { hasText: 'models/model.pkl' });
    check('the Artifacts view lists the model', (await modelRow.count()) > 0);
    const runRow = page.locator('.pane-body .monaco-list-row', { hasText: 'lr=0.1' }).first();
    await runRow.waitFor({ timeout: 30_000 });
    const runText = (await runRow.innerText()).replace(/\s+/g, ' ');
    check(`the Runs view lists a run with its metrics ("${runText}")`, /val_acc/.test(runText));
    await page.waitForTimeout(1000);
    await page.screenshot({ path: path.join(outDir, 'artifacts-view.png') });

    // CodeLenses: the training script and the params file.
    for (const [file, shot, expect] of /** @type {[string, string, RegExp][]} */ ([
      ['train.py', 'codelens-script.png', /Run train/],
      ['params.yaml', 'codelens-params.png', /lr = 0\.01 → val_acc/],
    ])) {
      await page.keyboard.press('Control+P');
      await page.keyboard.type(file);
      await page.waitForTimeout(500);
      await page.keyboard.press('Enter');
      const lens = page.locator('.contentWidgets .codelens-decoration').first();
      await lens.waitFor({ timeout: 30_000 });
      await page.waitForTimeout(3000);
      const lenses = (
        await page.locator('.contentWidgets .codelens-decoration').allInnerTexts()
      ).join(' | ');
      check(`CodeLenses in ${file} ("${lenses.slice(0, 160)}")`, expect.test(lenses));
      await page.screenshot({ path: path.join(outDir, shot) });
    }

    // The Explorer with the decorations on tracked artifacts.
    await page.keyboard.press('Control+Shift+E');
    const row = (name) =>
      page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${name}"]`);
    const label = (name) =>
      row(name).locator('.monaco-icon-label').first().getAttribute('aria-label');
    for (const folder of ['data', 'models']) {
      await row(folder).waitFor({ timeout: 15_000 });
      await row(folder).click();
    }
    await row('train.csv').waitFor({ timeout: 15_000 });
    await page.waitForTimeout(1000);
    const dataLabel = await label('data');
    const trainLabel = await label('train.csv');
    const modelLabel = await label('model.pkl');
    check(`the Explorer marks data as modified ("${dataLabel}")`, /modified/.test(dataLabel ?? ''));
    check(
      `the Explorer marks the changed train.csv ("${trainLabel}")`,
      /Changed since/.test(trainLabel ?? ''),
    );
    check(
      `the Explorer marks the model as tracked ("${modelLabel}")`,
      /up to date/.test(modelLabel ?? ''),
    );
    await page.screenshot({ path: path.join(outDir, 'explorer-decorations.png') });

    // Last on this workbench (the preview keeps the focus): the Models view with the registered
    // model in its stage, then the MLOps maturity page.
    await page.locator('.activitybar [aria-label^="Cairn"]').first().click();
    const modelsHeader = page.locator('.pane-header', { hasText: 'Models' }).first();
    if ((await modelsHeader.getAttribute('aria-expanded')) === 'false') await modelsHeader.click();
    const versionRow = page.locator('.pane-body .monaco-list-row', { hasText: 'v1.2.0' }).first();
    await versionRow.waitFor({ timeout: 30_000 });
    const versionText = (await versionRow.innerText()).replace(/\s+/g, ' ');
    check(
      `the Models view lists churn@v1.2.0 in prod ("${versionText}")`,
      /prod/.test(versionText),
    );
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(outDir, 'models-view.png') });
    await page.keyboard.press('Control+Shift+P');
    await page.keyboard.type('Cairn: MLOps Maturity');
    await page.waitForTimeout(500);
    await page.keyboard.press('Enter');
    const preview = page
      .frameLocator('iframe.webview.ready')
      .frameLocator('iframe')
      .locator('h1', { hasText: 'MLOps maturity' });
    await preview.waitFor({ timeout: 30_000 }).catch(() => undefined);
    const heading = await preview.innerText().catch(() => '');
    check(
      `the maturity page shows the level ("${heading}")`,
      /MLOps maturity: level \d/.test(heading),
    );
    await page.waitForTimeout(1000);
    await page.screenshot({ path: path.join(outDir, 'maturity.png') });
  });
} finally {
  fs.rmSync(workspace, { recursive: true, force: true });
}

// The first hour, in light and dark: a new repository after Initialize, Track, Create Task (the
// draft the command writes), a sweep of lr and Compare; the Runs view, the compare view and a
// run page as a new user sees them.
for (const theme of /** @type {const} */ (['light', 'dark'])) {
  const repo = prepareWorkspace(path.join(root, 'test', 'fixtures', 'newRepo'));
  try {
    cli(repo, 'init');
    cli(repo, 'add', 'data');
    sh(
      root,
      process.execPath,
      '--import',
      'tsx',
      path.join(root, 'scripts', 'addDraftTask.ts'),
      repo,
      'train.py',
    );
    sh(repo, 'git', 'add', '-A');
    sh(repo, 'git', 'commit', '-qm', 'Track the data, add the train task');
    cli(repo, 'sweep', 'train', '-p', 'lr=0.01,0.5');
    await withWorkbench({ workspace: repo }, async ({ page }) => {
      await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
      const cairnTab = page.locator('.activitybar [aria-label^="Cairn"]').first();
      await cairnTab.waitFor({ timeout: 30_000 });
      if (theme === 'dark') {
        // The web workbench ignores a colour theme in the server's settings: choose it as a user does.
        await page.waitForTimeout(1000);
        await page.keyboard.press('Control+K');
        await page.keyboard.press('Control+T');
        await page.waitForTimeout(800);
        await page.keyboard.type('Dark Modern');
        await page.waitForTimeout(500);
        await page.keyboard.press('Enter');
        await page.locator('.monaco-workbench.vs-dark').waitFor({ timeout: 15_000 });
      }
      await cairnTab.click();
      const sweepRow = page.locator('.pane-body .monaco-list-row', { hasText: 'lr (2)' }).first();
      await sweepRow.waitFor({ timeout: 30_000 });
      await sweepRow.click();
      const runRow = page.locator('.pane-body .monaco-list-row', { hasText: 'lr=0.5' }).first();
      await runRow.waitFor({ timeout: 30_000 });
      check(`the first hour (${theme}): the sweep's runs in the Runs view`, true);
      await page.keyboard.press('Control+P');
      await page.keyboard.type('train.py');
      await page.waitForTimeout(500);
      await page.keyboard.press('Enter');
      await page.waitForTimeout(2500);
      await page.screenshot({ path: path.join(outDir, `firsthour-runs-${theme}.png`) });
      await page.keyboard.press('F1');
      await page.keyboard.type('Cairn: Compare Runs');
      await page.waitForTimeout(500);
      await page.keyboard.press('Enter');
      const compare = page.locator('iframe.webview.ready').first();
      await compare.waitFor({ timeout: 30_000 });
      await page.waitForTimeout(4000);
      await page.screenshot({ path: path.join(outDir, `firsthour-compare-${theme}.png`) });
      await runRow.click();
      await page.locator('.tab', { hasText: 'Run train' }).first().waitFor({ timeout: 30_000 });
      await page.waitForTimeout(4000);
      check(`the first hour (${theme}): a click on a run opens its page`, true);
      await page.screenshot({ path: path.join(outDir, `firsthour-run-${theme}.png`) });
    });
  } finally {
    fs.rmSync(repo, { recursive: true, force: true });
  }
}
if (failures.length > 0) {
  process.stderr.write(`UI check failed: ${failures.join('; ')}\n`);
  process.exit(1);
}
process.stdout.write(`screenshots in ${path.relative(root, outDir)}/\n`);
