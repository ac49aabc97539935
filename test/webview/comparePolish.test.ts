// The compare webview's finish, as users of MLflow and W&B expect it (issue 16): whole-number step
// axes, one colour per run across the view, numbers aligned on the decimal point, no gap under a
// short table, notes for columns hidden as equal, deltas in the diff, parallel coordinates
// coloured by a metric and scatter axes that vary.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { hostileName, shortCompareState, smallCompareState } from './fixtures.js';
import {
  canvasDrawing,
  launchChromium,
  openWebview,
  recordCanvases,
  settled,
  switchTheme,
  type WebviewPage,
} from './harness.js';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser.close();
});

async function openShort(
  options: Parameters<typeof openWebview>[2] & { equalMetrics?: boolean } = {},
): Promise<WebviewPage> {
  const w = await openWebview(browser, 'compare', options);
  await recordCanvases(w.page);
  await w.send({
    type: 'compare/state/didChange',
    state: shortCompareState({ equalMetrics: options.equalMetrics ?? false }),
  });
  await settled(w.page);
  return w;
}

describe('compare webview polish', () => {
  it('labels a step axis of whole steps with whole numbers only', async () => {
    const w = await openShort();
    const drawn = await canvasDrawing(w.page, '.chart-card[data-metric="val_acc"] canvas');
    // The x axis's labels are the lowest texts on the chart.
    const bottom = Math.max(...drawn.texts.map((t) => t.y));
    const xLabels = drawn.texts.filter((t) => t.y === bottom).map((t) => t.text);
    assert.deepEqual(xLabels, ['0', '1', '2', '3']);
    await w.close();
  });

  it('puts the charts right under a short table, and the column chooser still fits', async () => {
    const w = await openShort({ width: 1280, height: 820 });
    const lastRow = await w.page.$eval('.grid-body .grid-row[data-row="2"]', (e) =>
      e.getBoundingClientRect(),
    );
    const tabs = await w.page.$eval('.tabs', (e) => e.getBoundingClientRect());
    const gap = tabs.top - lastRow.bottom;
    assert.ok(gap >= 0 && gap < 24, `${gap} px between the last row and the tabs`);
    // A short table has no scrollbar of its own.
    const grid = await w.page.$eval('.grid', (e) => e.scrollHeight - e.clientHeight);
    assert.equal(grid, 0);
    await w.page.click('button[aria-controls=chooser]');
    const chooser = await w.page.$eval('.chooser', (e) => e.getBoundingClientRect().height);
    assert.ok(chooser > 200, `the column chooser is ${chooser} px tall`);
    await w.close();
  });

  it('aligns numbers on the decimal point, with one precision per column', async () => {
    const w = await openShort();
    const column = (key: string) =>
      w.page.$$eval(`.grid-body .cell[data-col="${key}"]`, (cells) =>
        cells.map((c) => {
          const text = c.textContent ?? '';
          const range = document.createRange();
          const node = c.firstChild!;
          const dot = text.indexOf('.');
          range.setStart(node, dot);
          range.setEnd(node, dot + 1);
          const style = getComputedStyle(c);
          return {
            text,
            dotX: Math.round(range.getBoundingClientRect().left * 10) / 10,
            align: style.textAlign,
            digits: style.fontVariantNumeric,
          };
        }),
      );
    const col = (key: string): Promise<string> =>
      w.page.$eval(`.name-row .head-cell[data-key="${key}"]`, (e) =>
        String(Number(e.getAttribute('aria-colindex')) - 1),
      );
    const acc = await column(await col('metric:val_acc'));
    assert.deepEqual(
      acc.map((c) => c.text),
      ['0.8000', '0.9125', '0.8700'],
    );
    const lr = await column(await col('param:lr'));
    assert.deepEqual(
      lr.map((c) => c.text),
      ['0.010', '0.003', '0.100'],
    );
    for (const cells of [acc, lr]) {
      assert.equal(new Set(cells.map((c) => c.dotX)).size, 1, 'one decimal point position');
      assert.ok(cells.every((c) => c.align === 'right' && c.digits === 'tabular-nums'));
    }
    await w.close();
  });

  it('scatters a param that varies against the first metric that varies', async () => {
    const w = await openShort();
    assert.match(await w.page.locator('.count').innerText(), /· 3 columns hidden$/);
    await w.page.click('button[aria-controls=chooser]');
    await w.page.click('.chooser-item:has-text("batch_size") input');
    await w.page.click('.chooser-item:has-text("dropout") input');
    await w.page.click('button[aria-controls=chooser]');
    await settled(w.page);
    assert.match(await w.page.locator('.count').innerText(), /· 1 column hidden$/);
    await w.page.click('#tab-scatter');
    await settled(w.page);
    // batch_size and dropout are the same in every run, and so is the metric epochs: all sort first.
    assert.equal(await w.page.inputValue('select[aria-label="X axis"]'), 'param:layers');
    assert.equal(await w.page.inputValue('select[aria-label="Y axis (metric)"]'), 'metric:val_acc');
    assert.match(
      (await w.page.getAttribute('canvas.scatter-canvas', 'aria-label')) ?? '',
      /^Scatter of val_acc against layers, 3 runs/,
    );
    await w.close();
  });

  it('says so in the table when every metric is equal and hidden as such', async () => {
    const w = await openShort({ equalMetrics: true });
    const heads = await w.page.$$eval('.name-row .head-cell', (els) =>
      els.map((e) => e.getAttribute('data-key')),
    );
    assert.ok(!heads.some((k) => k?.startsWith('metric:')));
    const note = w.page.locator('.name-row .head-note');
    assert.equal(
      await note.innerText(),
      'All 3 metrics are equal across these runs: epochs 4, val_acc 0.9, val_loss 0.3',
    );
    const noteBox = (await note.boundingBox())!;
    const lastHead = (await w.page.locator('.name-row .head-cell').last().boundingBox())!;
    assert.ok(noteBox.x >= lastHead.x + lastHead.width - 1, 'the note follows the last column');
    assert.ok(noteBox.x + 100 < 1280, 'the note is in view');
    assert.equal(await w.page.locator('.group-row .group-metric').innerText(), 'METRICS');
    assert.match((await w.page.getAttribute('.grid', 'aria-description')) ?? '', /All 3 metrics/);
    assert.match(await w.page.locator('.count').innerText(), /· 5 columns hidden$/);
    // Showing every column shows the metrics instead of the note.
    await w.page.click('#only-differing');
    await settled(w.page);
    assert.equal(await note.count(), 0);
    assert.ok(await w.page.locator('.head-cell[data-key="metric:val_acc"]').count());
    await w.close();
  });

  it('gives each charted run one colour: its swatch, chart line, scatter point and parallel line', async () => {
    const w = await openShort();
    await w.page.click('.grid-body .grid-row[data-row="0"] input[type=checkbox]');
    await w.page.click('.grid-body .grid-row[data-row="2"] input[type=checkbox]');
    await settled(w.page);
    const swatches = (): Promise<Record<string, string | null>> =>
      w.page.$$eval('.grid-body .grid-row', (rows) =>
        Object.fromEntries(
          rows.map((r) => {
            const s = r.querySelector('.swatch')!;
            const name = r.querySelector('.name-text')!.textContent;
            return [
              name,
              s.classList.contains('none') ? null : getComputedStyle(s).backgroundColor,
            ];
          }),
        ),
      );
    const hex = (rgb: string): string =>
      '#' +
      rgb
        .match(/\d+/g)!
        .slice(0, 3)
        .map((n) => Number(n).toString(16).padStart(2, '0'))
        .join('');
    const table = await swatches();
    assert.equal(table.wide, null, 'a run not in the charts has no colour');
    const base = hex(table.base!);
    const deep = hex(table.deep!);
    assert.notEqual(base, deep);
    const legend = await w.page.$$eval(
      '.chart-card[data-metric="val_acc"] .u-legend .u-series',
      (rows) =>
        rows
          .slice(1)
          .map((r) => [
            r.querySelector('.u-label')!.textContent,
            getComputedStyle(r.querySelector('.u-marker')!).borderLeftColor,
          ]),
    );
    assert.deepEqual(
      legend.map(([name, color]) => [name, hex(color!)]),
      [
        ['base', base],
        ['deep', deep],
      ],
    );
    await w.page.click('#tab-scatter');
    await settled(w.page);
    const scatter = await canvasDrawing(w.page, 'canvas.scatter-canvas');
    assert.ok(scatter.right <= 1280, `the scatter ends at ${scatter.right} px, in the page`);
    assert.ok(scatter.fills.includes(base) && scatter.fills.includes(deep), String(scatter.fills));
    await w.page.click('#tab-parallel');
    await w.page.selectOption('select[aria-label="Colour lines by"]', 'run');
    await settled(w.page);
    const parallel = await canvasDrawing(w.page, 'canvas.parallel-canvas');
    assert.ok(parallel.strokes.includes(base) && parallel.strokes.includes(deep));
    // Taking base out of the charts leaves deep its colour.
    await w.page.click('.grid-body .grid-row[data-row="0"] input[type=checkbox]');
    await settled(w.page);
    const after = await swatches();
    assert.equal(after.base, null);
    assert.equal(hex(after.deep!), deep);
    await w.close();
  });

  it('colours parallel coordinates by a metric, with a legend, and cuts no axis name at 800 px', async () => {
    const w = await openWebview(browser, 'compare', { width: 800, height: 800 });
    await recordCanvases(w.page);
    await w.send({ type: 'compare/state/didChange', state: smallCompareState() });
    await w.page.click('#tab-parallel');
    await settled(w.page);
    // The first metric with a goal colours the lines: acc, higher is better.
    assert.equal(await w.page.inputValue('select[aria-label="Colour lines by"]'), 'metric:acc');
    assert.deepEqual(
      await w.page.$$eval('.color-legend > span', (els) => els.map((e) => e.textContent)),
      ['acc, higher is better: ', '0.80 worst', '', '0.95 best'],
    );
    const stops = await w.page.$eval('.color-bar', (e) =>
      (e.style.background.match(/rgb\([^)]*\)/g) ?? []).map(
        (c) =>
          '#' +
          c
            .match(/\d+/g)!
            .map((n) => Number(n).toString(16).padStart(2, '0'))
            .join(''),
      ),
    );
    assert.equal(stops.length, 3);
    const drawn = await canvasDrawing(w.page, 'canvas.parallel-canvas');
    // The worst run's line has the scale's first colour, the best run's its last.
    assert.ok(drawn.strokes.includes(stops[0]!) && drawn.strokes.includes(stops[2]!));
    // Five runs with an acc, five colours (the failed run's NaN is drawn muted).
    assert.ok(new Set(drawn.strokes).size >= 6, String(drawn.strokes));
    // Axis names: whole (on two lines where needed) and inside the canvas, inside the page.
    const titles = drawn.texts.filter((t) => t.y < 30);
    assert.equal(`${titles[0]!.text} ${titles[1]!.text}`, hostileName);
    assert.equal(titles.at(-1)!.text, '▲ acc');
    assert.ok(titles.every((t) => !t.text.includes('…')));
    for (const t of titles) {
      assert.ok(t.left >= 0 && t.left + t.width <= drawn.width, `${t.text} at ${t.left}`);
    }
    assert.ok(drawn.right <= 800, `the canvas ends at ${drawn.right} px`);
    // A new theme redraws the scale in its colours.
    await switchTheme(w.page, 'light');
    const light = await w.page.$eval('.color-bar', (e) => e.style.background);
    assert.match(light, /rgb\(26, 133, 255\)/, "the light theme's charts-blue");
    const relit = await canvasDrawing(w.page, 'canvas.parallel-canvas');
    assert.ok(relit.strokes.includes('#1a85ff'), String(relit.strokes));
    // Run colours, as in the charts, are a choice.
    await w.page.selectOption('select[aria-label="Colour lines by"]', 'run');
    await settled(w.page);
    assert.equal(await w.page.locator('.color-legend').isVisible(), false);
    await w.close();
  });

  it('diffs a run against the baseline with signed deltas, better or worse by goal, in aligned tables', async () => {
    const w = await openShort();
    await w.page.click('.grid-body .grid-row[data-row="1"] input[type=checkbox]');
    await w.page.click('.grid-body .grid-row[data-row="0"] input[type=checkbox]');
    // Pinned, deep is the baseline, though wide was selected first.
    await w.page.click('.grid-body .grid-row[data-row="2"] .pin');
    await w.page.click('#tab-diff');
    await settled(w.page);
    assert.equal(await w.page.inputValue('select[aria-label="Baseline run"]'), 'short-2');
    await w.page.selectOption('select[aria-label="Run to compare with the baseline"]', 'short-1');
    await settled(w.page);
    const rows = await w.page.$$eval('.diff-table tbody tr', (trs) =>
      trs.map((tr) => [...tr.children].map((c) => [c.textContent, c.className])),
    );
    const row = (name: string) => rows.find((r) => r[0]![0] === name)!;
    // wide against deep: val_acc 0.9125 vs 0.8700 (higher is better), val_loss 0.31 vs 0.42.
    assert.deepEqual(row('val_acc').slice(1), [
      ['0.8700', 'num'],
      ['0.9125', 'num'],
      ['+0.0425 (+4.9%)', 'num delta better'],
    ]);
    assert.deepEqual(row('val_loss')[3], ['−0.11 (−26.2%)', 'num delta better']);
    // A param has a delta but no better or worse.
    assert.deepEqual(row('lr')[3], ['−0.097 (−97.0%)', 'num delta']);
    const columns = await w.page.$$eval('.diff-table', (tables) =>
      tables.map((t) =>
        [...t.querySelectorAll('thead th')].map((th) => {
          const b = th.getBoundingClientRect();
          return [Math.round(b.left), Math.round(b.width)];
        }),
      ),
    );
    assert.equal(columns.length, 3);
    assert.deepEqual(columns[1], columns[0], 'metrics line up with params');
    assert.deepEqual(columns[2], columns[0], 'data versions line up with params');
    await w.close();
  });
});
