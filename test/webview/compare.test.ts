// The compare webview in Chromium: what it renders for a state and what it posts back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { bigCompareScript, hostileName, smallCompareState } from './fixtures.js';
import { launchChromium, openWebview, settled, type WebviewPage } from './harness.js';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser.close();
});

async function openSmall(options: Parameters<typeof openWebview>[2] = {}): Promise<WebviewPage> {
  const w = await openWebview(browser, 'compare', options);
  await w.send({ type: 'compare/state/didChange', state: smallCompareState() });
  await settled(w.page);
  return w;
}

const bodyNames = (w: WebviewPage): Promise<string[]> =>
  w.page.$$eval('.grid-body .grid-row .name-text', (els) => els.map((e) => e.textContent ?? ''));

describe('compare webview', () => {
  it('renders the runs, the differing columns and the best values', async () => {
    const w = await openSmall();
    const names = await bodyNames(w);
    assert.deepEqual(names, [
      'baseline',
      'lr-sweep-1',
      'lr-sweep-2',
      hostileName,
      'big-batch',
      'eval-only',
    ]);
    const heads = await w.page.$$eval('.name-row .head-cell', (els) =>
      els.map((e) => e.getAttribute('data-key')),
    );
    assert.ok(heads.includes('param:lr'));
    assert.ok(heads.includes('metric:acc'));
    // Same in every run: hidden while "only columns that differ" is on.
    assert.ok(!heads.includes('param:seed'));
    assert.ok(!heads.includes('metric:epochs'));
    const best = await w.page.$$eval('.cell.best', (els) => els.map((e) => e.textContent));
    assert.deepEqual(best.sort(), ['0.35', '0.95']);
    const failedAcc = await w.page.$eval('#cairn-c-2-0', (e) => e.textContent);
    assert.equal(failedAcc, 'lr-sweep-2');
    const status = await w.page.$eval('.grid-body .status-failed', (e) => e.textContent);
    assert.equal(status, 'failed');
    assert.deepEqual(await w.violations(), []);
    await w.close();
  });

  it('shows hostile names as text and creates no element from them', async () => {
    const w = await openSmall();
    assert.equal(await w.page.locator('img').count(), 0);
    const text = await w.page.locator('.grid-body').innerText();
    assert.ok(text.includes(hostileName));
    const headers = await w.page.$$eval('.head-cell .head-label', (els) =>
      els.map((e) => e.textContent),
    );
    assert.ok(headers.includes(hostileName));
    assert.deepEqual(await w.violations(), []);
    await w.close();
  });

  it('sorts by a column, descending first for metrics', async () => {
    const w = await openSmall();
    await w.page.click('.head-cell[data-key="metric:acc"]');
    await settled(w.page);
    const names = await bodyNames(w);
    // NaN (the failed run) sorts last in both directions.
    assert.deepEqual(names, [
      'eval-only',
      'big-batch',
      hostileName,
      'lr-sweep-1',
      'baseline',
      'lr-sweep-2',
    ]);
    assert.equal(
      await w.page.getAttribute('.head-cell[data-key="metric:acc"]', 'aria-sort'),
      'descending',
    );
    await w.page.click('.head-cell[data-key="param:lr"]');
    await settled(w.page);
    assert.deepEqual((await bodyNames(w)).slice(0, 2), ['lr-sweep-2', 'big-batch']);
    await w.close();
  });

  it('filters with expressions and reports a bad one', async () => {
    const w = await openSmall();
    const filter = w.page.locator('input.filter');
    await filter.fill('acc > 0.85');
    await settled(w.page);
    assert.deepEqual(await bodyNames(w), [hostileName, 'big-batch', 'eval-only']);
    await filter.fill('status = failed');
    await settled(w.page);
    assert.deepEqual(await bodyNames(w), ['lr-sweep-2']);
    await filter.fill('task = train and optimizer = sgd');
    await settled(w.page);
    assert.deepEqual(await bodyNames(w), ['lr-sweep-1', hostileName]);
    await filter.fill('nosuchcolumn > 1');
    await settled(w.page);
    assert.match(
      await w.page.locator('.filter-error').innerText(),
      /No column named "nosuchcolumn"/,
    );
    assert.equal(await w.page.locator('input.filter.invalid').count(), 1);
    await w.close();
  });

  it('pins runs to the top and selects with the keyboard, posting the selection', async () => {
    const w = await openSmall();
    await w.page.click('.grid-body .grid-row[data-row="4"] .pin');
    await settled(w.page);
    assert.equal((await bodyNames(w))[0], 'big-batch');
    await w.page.focus('.grid');
    await w.page.keyboard.press('Control+Home');
    await w.page.keyboard.press('ArrowDown'); // row 1
    await w.page.keyboard.press('Space');
    await w.page.keyboard.press('ArrowDown');
    await w.page.keyboard.press('Space');
    await settled(w.page);
    const posted = await w.posted();
    const selections = posted.filter((m) => m.type === 'compare/selection/set');
    assert.deepEqual(selections.at(-1), {
      type: 'compare/selection/set',
      runIds: ['run-0', 'run-1'],
    });
    assert.equal(await w.page.locator('.grid-body .grid-row.selected').count(), 2);
    await w.page.keyboard.press('Enter');
    assert.deepEqual((await w.posted()).at(-1), { type: 'compare/run/open', runId: 'run-1' });
    const active = await w.page.getAttribute('.grid', 'aria-activedescendant');
    assert.equal(active, 'cairn-c-2-0');
    await w.close();
  });

  it('chooses columns: all columns, or one hidden by hand', async () => {
    const w = await openSmall();
    const heads = (): Promise<(string | null)[]> =>
      w.page.$$eval('.name-row .head-cell', (els) => els.map((e) => e.getAttribute('data-key')));
    await w.page.click('#only-differing');
    await settled(w.page);
    assert.ok((await heads()).includes('param:seed'));
    await w.page.click('#only-differing');
    await w.page.click('button[aria-controls=chooser]');
    await w.page.click('.chooser-item:has-text("lr") input');
    await settled(w.page);
    assert.ok(!(await heads()).includes('param:lr'));
    assert.match(await w.page.locator('.chooser').innerText(), /seed \(same in all\)/);
    await w.close();
  });

  it('zooms the step charts and switches to a log scale', async () => {
    const w = await openSmall();
    const canvas = w.page.locator('.chart-card[data-metric="acc"] .u-over');
    const box = (await canvas.boundingBox())!;
    await w.page.mouse.move(box.x + box.width * 0.25, box.y + 40);
    await w.page.mouse.down();
    await w.page.mouse.move(box.x + box.width * 0.5, box.y + 40, { steps: 4 });
    await w.page.mouse.up();
    await settled(w.page);
    const zoom = await w.page.evaluate(() => {
      const s = sessionStorage.getItem('cairn-state');
      return s === null ? null : (JSON.parse(s) as { zoom: [number, number] | null }).zoom;
    });
    assert.ok(zoom !== null && zoom[0] > 30 && zoom[1] < 120, `zoomed to ${String(zoom)}`);
    assert.equal(await w.page.isDisabled('text=Reset zoom'), false);
    await w.page.click('#log-scale');
    await settled(w.page);
    assert.equal(await w.page.locator('.chart-card canvas').count(), 2);
    await w.page.click('text=Reset zoom');
    assert.equal(await w.page.isDisabled('text=Reset zoom'), true);
    assert.deepEqual(await w.violations(), []);
    await w.close();
  });

  it('exports the shown rows and columns as CSV through a message', async () => {
    const w = await openSmall();
    await w.page.locator('input.filter').fill('task = train');
    await w.page.click('text=Export CSV');
    const msg = (await w.posted()).find((m) => m.type === 'compare/csv/export') as
      { fileName: string; csv: string } | undefined;
    assert.ok(msg !== undefined);
    assert.equal(msg.fileName, 'runs.csv');
    const lines = msg.csv.trim().split('\r\n');
    assert.equal(lines.length, 6); // header + 5 train runs
    assert.match(lines[0]!, /^name,status,task,started,duration,param:/);
    assert.ok(lines.some((l) => l.startsWith(`${hostileName},`)));
    assert.ok(lines.some((l) => l.includes(',NaN,')));
    await w.close();
  });

  it('comes back as it was after a reload (getState/setState)', async () => {
    const w = await openSmall();
    await w.page.locator('input.filter').fill('task = train');
    await w.page.click('.head-cell[data-key="param:lr"]');
    await w.page.click('.grid-body .grid-row[data-row="1"] input[type=checkbox]');
    await w.page.click('#tab-scatter');
    await settled(w.page);
    await w.page.reload();
    await w.page.waitForFunction(() =>
      (window as unknown as { __posted: { type: string }[] }).__posted.some(
        (m) => m.type === 'webview/ready',
      ),
    );
    await w.send({ type: 'compare/state/didChange', state: smallCompareState() });
    await settled(w.page);
    assert.equal(await w.page.inputValue('input.filter'), 'task = train');
    assert.equal(
      await w.page.getAttribute('.head-cell[data-key="param:lr"]', 'aria-sort'),
      'ascending',
    );
    assert.equal(await w.page.getAttribute('#tab-scatter', 'aria-selected'), 'true');
    assert.equal(await w.page.locator('.grid-body .grid-row.selected').count(), 1);
    await w.close();
  });

  it('draws one chart per metric for the selected runs and appends live points', async () => {
    const w = await openSmall();
    await w.page.click('.grid-body .grid-row[data-row="0"] input[type=checkbox]');
    await w.page.click('.grid-body .grid-row[data-row="3"] input[type=checkbox]');
    await settled(w.page);
    const titles = await w.page.$$eval('.chart-card .chart-title', (els) =>
      els.map((e) => e.textContent),
    );
    assert.deepEqual(titles, ['acc', 'val_loss']);
    assert.equal(await w.page.locator('.chart-card canvas').count(), 2);
    const legend = await w.page.$$eval('.chart-card[data-metric="acc"] .u-legend .u-label', (els) =>
      els.map((e) => e.textContent),
    );
    assert.deepEqual(legend, ['step', 'baseline', hostileName]);
    assert.equal(await w.page.locator('img').count(), 0);
    await w.send({
      type: 'compare/series/didAppend',
      points: [{ runId: 'run-0', metric: 'acc', steps: [200, 201], values: [0.99, 'NaN'] }],
    });
    await settled(w.page);
    const xMax = await w.page.evaluate(() => {
      const u = document.querySelector('.chart-card[data-metric="acc"] .uplot');
      return u === null ? null : u.querySelectorAll('canvas').length;
    });
    assert.equal(xMax, 1);
    assert.deepEqual(await w.violations(), []);
    await w.close();
  });

  it('brushes a parallel-coordinates axis and filters the table', async () => {
    const w = await openSmall();
    await w.page.click('#tab-parallel');
    await settled(w.page);
    const box = (await w.page.locator('canvas.parallel-canvas').boundingBox())!;
    // The first axis (batch_size) is at x = 60; brush its upper half (batch_size 256 only).
    await w.page.mouse.move(box.x + 60, box.y + 36);
    await w.page.mouse.down();
    await w.page.mouse.move(box.x + 60, box.y + 120, { steps: 4 });
    await w.page.mouse.up();
    await settled(w.page);
    assert.deepEqual(await bodyNames(w), ['big-batch']);
    assert.match(await w.page.locator('.count').innerText(), /^1 of 6 runs/);
    await w.page.click('text=Clear brushes');
    await settled(w.page);
    assert.equal((await bodyNames(w)).length, 6);
    await w.close();
  });

  it('requests a code diff for two runs and shows the answer as text', async () => {
    const w = await openSmall();
    await w.page.click('.grid-body .grid-row[data-row="0"] input[type=checkbox]');
    await w.page.click('.grid-body .grid-row[data-row="3"] input[type=checkbox]');
    await w.page.click('#tab-diff');
    await settled(w.page);
    const req = (await w.posted()).find((m) => m.type === 'compare/diff/get') as
      { requestId: number; runIds: string[] } | undefined;
    assert.deepEqual(req?.runIds, ['run-0', 'run-3']);
    await w.send({
      type: 'compare/diff/get/response',
      requestId: req.requestId,
      diff: {
        runIds: ['run-0', 'run-3'],
        commitDiff: `--- a/train.py\n+++ b/train.py\n@@ -1 +1 @@\n-lr = 0.1\n+lr = "${hostileName}"`,
        uncommitted: [null, null],
      },
      error: null,
    });
    const diffText = await w.page.locator('pre.diff').innerText();
    assert.ok(diffText.includes(`+lr = "${hostileName}"`));
    assert.equal(await w.page.locator('pre.diff .add').count(), 1);
    assert.equal(await w.page.locator('img').count(), 0);
    const changed = await w.page.$$eval('.diff-table tr.changed th', (els) =>
      els.map((e) => e.textContent),
    );
    assert.ok(changed.includes('lr'));
    await w.close();
  });

  it('switches tabs before the first runs arrive, and keeps the tab when they do', async () => {
    const w = await openWebview(browser, 'compare');
    await w.page.click('#tab-diff');
    await settled(w.page);
    assert.equal(await w.page.getAttribute('#tab-diff', 'aria-selected'), 'true');
    assert.equal(await w.page.getAttribute('#tab-charts', 'aria-selected'), 'false');
    assert.equal(await w.page.locator('.tabpanel .diff-pane').count(), 1);
    await w.send({ type: 'compare/state/didChange', state: smallCompareState() });
    await settled(w.page);
    assert.equal(await w.page.getAttribute('#tab-diff', 'aria-selected'), 'true');
    assert.equal(await w.page.locator('.tabpanel .diff-pane').count(), 1);
    await w.close();
  });

  it('ignores messages that fail the guard', async () => {
    const w = await openSmall();
    await w.send({ type: 'compare/state/didChange', state: { runs: [{ id: 1 }] } });
    await w.send({ type: 'compare/unknown' });
    assert.equal((await bodyNames(w)).length, 6);
    await w.close();
  });

  it('virtualizes 10,000 runs × 500 columns', async () => {
    const w = await openWebview(browser, 'compare');
    await w.sendBuilt('compare/state/didChange', 'state', bigCompareScript(10_000, 250, 250));
    await settled(w.page);
    const cells = await w.page.locator('.grid .cell').count();
    assert.ok(cells < 2000, `only the cells in view exist (${cells})`);
    assert.equal(await w.page.getAttribute('.grid', 'aria-rowcount'), '10001');
    await w.page.focus('.grid');
    await w.page.keyboard.press('Control+End');
    await settled(w.page);
    const last = await w.page.locator('.grid-body .grid-row.active-row .name-text').innerText();
    assert.equal(last, 'run 9999');
    await w.close();
  });
});
