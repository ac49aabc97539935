// The run page in Chromium: a finished run's facts, params, metrics with a chart, inputs and
// outputs, code and log; its actions post what the host acts on; a running run's page follows
// new states; names are text, never markup; screenshots in both themes.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { RunPageState } from '../../src/protocol/runPage.js';
import { hostileName } from './fixtures.js';
import { launchChromium, openWebview, settled, switchTheme, type WebviewPage } from './harness.js';
import { runPageState } from './runPageFixture.js';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser.close();
});

async function open(
  state: RunPageState = runPageState(),
  theme?: 'dark' | 'light',
): Promise<WebviewPage> {
  const w = await openWebview(browser, 'run', theme === undefined ? {} : { theme });
  await w.send({ type: 'run/state/didChange', state });
  await settled(w.page);
  return w;
}

const text = (w: WebviewPage, selector: string): Promise<string> =>
  w.page.locator(selector).innerText();

describe('run page webview', () => {
  it('shows the run: facts, params, metrics with a chart, versions, code and log', async () => {
    const w = await open();
    assert.equal(await text(w, 'h1.title'), 'train lr=0.5 #3');
    assert.match(await text(w, '.status'), /completed/);
    assert.match(
      await text(w, '.facts'),
      /task train · started .* · took 1m 23s · by Ada Lovelace on ws-7/,
    );
    const params = await w.page.$$eval('.params tr', (trs) =>
      trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')),
    );
    assert.deepEqual(params, [
      ['epochs', '30', ''],
      ['lr', '0.5', 'set for this run'],
      ['model', 'logreg', ''],
    ]);
    const metrics = await w.page.$$eval('.metric-table tbody tr', (trs) =>
      trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')),
    );
    assert.deepEqual(metrics, [
      ['accuracy', '0.912', '0.61', '0.915', '30'],
      ['loss', '0.241', '0.238', '0.93', '30'],
    ]);
    // The best value follows each metric's goal: the highest accuracy, the lowest loss.
    assert.deepEqual(
      await w.page.$$eval('.metric-table td.best', (tds) => tds.map((t) => t.textContent)),
      ['0.915', '0.238'],
    );
    assert.equal(await w.page.locator('.metrics .chart-card canvas').count(), 2);
    const artifacts = await w.page.$$eval('.artifact-table tr', (trs) =>
      trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')),
    );
    assert.deepEqual(artifacts[0]!.slice(0, 5), [
      'input',
      'data/churn.csv',
      'data',
      '5587445f08',
      'current',
    ]);
    assert.equal(artifacts[1]![1], 'models/churn');
    assert.equal(artifacts[1]![4], 'not current');
    assert.equal(artifacts[0]![5], 'produced by prepare data #1');
    assert.match(
      await text(w, '.code .commit'),
      /3f2a1b0c9d Balance the classes before fitting on main/,
    );
    assert.equal(await w.page.locator('.code pre.diff .add').innerText(), '+lr = args.lr');
    assert.match(await text(w, '.log h2'), /31 before them/);
    assert.match(await text(w, '.log-text'), /saved models\/churn$/);
    assert.deepEqual(await w.violations(), []);
    await w.close();
  });

  it('posts the actions the host runs, and opens runs and artifacts it names', async () => {
    const w = await open(
      runPageState({ run: { ...runPageState().run, reproduces: { id: 'r-0', name: 'baseline' } } }),
    );
    for (const label of ['Compare with Previous', 'Rerun', 'Reproduce', 'Lineage', 'Open Log'])
      await w.page.getByRole('button', { name: label, exact: true }).click();
    await w.page.getByRole('button', { name: 'baseline' }).click();
    await w.page.getByRole('button', { name: 'models/churn' }).click();
    // Keyboard: the log's button is reachable and Enter presses it.
    await w.page.getByRole('button', { name: 'Open Full Log' }).focus();
    await w.page.keyboard.press('Enter');
    const posted = (await w.posted()).filter((m) => m.type !== 'webview/ready');
    assert.deepEqual(posted, [
      { type: 'run/action/run', action: 'comparePrevious' },
      { type: 'run/action/run', action: 'rerun' },
      { type: 'run/action/run', action: 'reproduce' },
      { type: 'run/action/run', action: 'lineage' },
      { type: 'run/action/run', action: 'log' },
      { type: 'run/run/open', runId: 'r-0' },
      { type: 'run/artifact/reveal', path: 'models/churn' },
      { type: 'run/action/run', action: 'log' },
    ]);
    await w.close();
  });

  it('follows a running run, and says what is missing instead of showing nothing', async () => {
    const base = runPageState();
    const w = await open({
      ...base,
      run: { ...base.run, status: 'running', durationMs: null },
      metrics: [],
      series: [],
      inputs: [],
      outputs: [],
      previous: null,
      log: { tail: '', hiddenLines: 0 },
    });
    assert.match(
      await text(w, '.metrics'),
      /No metrics yet: they appear here as the program prints them/,
    );
    assert.match(await text(w, '.artifacts'), /Name them in the task's deps and outs/);
    assert.equal(await text(w, '.log-text'), '(no output)');
    assert.ok(await w.page.getByRole('button', { name: 'Compare with Previous' }).isDisabled());
    assert.ok(await w.page.getByRole('button', { name: 'Rerun', exact: true }).isDisabled());
    await w.send({
      type: 'run/state/didChange',
      state: { ...base, run: { ...base.run, status: 'running', durationMs: null } },
    });
    await settled(w.page);
    assert.equal(await w.page.locator('.metric-table tbody tr').count(), 2);
    assert.match(await text(w, '.log-text'), /epoch 30/);
    await w.close();
  });

  it('shows a failed run’s reason, and names as text, never markup', async () => {
    const base = runPageState();
    const w = await open({
      ...base,
      run: {
        ...base.run,
        name: hostileName,
        status: 'failed',
        exitCode: 1,
        error: 'train.py exited with code 1: KeyError: lr',
      },
      params: [{ key: hostileName, value: hostileName, overridden: false }],
    });
    assert.equal(await text(w, 'h1.title'), hostileName);
    assert.equal(await w.page.locator('img').count(), 0);
    assert.equal(await text(w, '.problem'), 'train.py exited with code 1: KeyError: lr');
    assert.match(await text(w, '.facts'), /exit code 1/);
    await w.close();
  });

  it('redraws its charts in the new colours when the theme changes', async () => {
    const chart = (w: WebviewPage): Promise<string> =>
      w.page.$eval('.metrics .chart-card canvas', (c) => (c as HTMLCanvasElement).toDataURL());
    const light = await open(runPageState(), 'light');
    const lightChart = await chart(light);
    await light.close();
    const w = await open(runPageState(), 'dark');
    const darkChart = await chart(w);
    assert.notEqual(darkChart, lightChart);
    await switchTheme(w.page, 'light');
    assert.equal(await chart(w), lightChart, 'the axes and grid in the light theme colours');
    await w.close();
  });

  it('looks right in light and dark (screenshots)', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const w = await open(runPageState(), theme);
      // To look at; the README's copies come from test/webview/screenshots.ts.
      await w.page.screenshot({ path: join(tmpdir(), `cairn-run-${theme}.png`) });
      const fg = await w.page.$eval('h1.title', (e) => getComputedStyle(e).color);
      const bg = await w.page.$eval('body', (e) => getComputedStyle(e).backgroundColor);
      assert.notEqual(fg, bg);
      await w.close();
    }
  });
});
