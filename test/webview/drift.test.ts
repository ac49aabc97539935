// The drift webview in Chromium: a real report rendered, the selected column's two versions side
// by side, keyboard, filtering, actions, hostile names, images, view state across a reload,
// screenshots in both themes.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { DriftState } from '../../src/protocol/drift.js';
import { driftFixture } from './dataFixtures.js';
import { hostileName } from './fixtures.js';
import { launchChromium, openWebview, settled, type WebviewPage } from './harness.js';
import type { Theme } from './themes.js';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser.close();
});

async function open(
  state: DriftState = driftFixture('customers'),
  options: { theme?: Theme; width?: number; height?: number } = {},
): Promise<WebviewPage> {
  const w = await openWebview(browser, 'drift', options);
  await w.send({ type: 'drift/state/didChange', state });
  await settled(w.page);
  return w;
}

const rowNames = (w: WebviewPage): Promise<string[]> =>
  w.page.$$eval('.drift-table tbody td.name', (els) => els.map((e) => e.textContent ?? ''));
const selectedName = (w: WebviewPage): Promise<string> =>
  w.page.locator('.drift-table tr[aria-selected=true] td.name').innerText();

describe('drift webview', () => {
  it('renders the summary, the versions and the columns with the flagged ones first', async () => {
    const w = await open();
    assert.match(
      await w.page.locator('.summary').innerText(),
      /^ ?3 of 8 columns of data\/customers\.csv drifted between v1 and the work tree/,
    );
    const versions = await w.page.locator('.versions').innerText();
    assert.match(versions, /From\s+3456a62b75 · v1\s+20,000 rows/);
    assert.match(versions, /To\s+work tree\s+20,000 rows/);
    assert.deepEqual((await rowNames(w)).slice(0, 3), [
      'region',
      'monthly_charges',
      'support_calls',
    ]);
    const badges = await w.page.$$eval('.drift-table tbody tr', (trs) =>
      trs.map((tr) => tr.querySelector('.badge.drifted') !== null),
    );
    assert.deepEqual(badges, [true, true, true, false, false, false, false, false]);
    const charges = w.page.locator('.drift-table tbody tr', { hasText: 'monthly_charges' });
    const cells = await charges.locator('td').allInnerTexts();
    assert.equal(cells[3], '0.251');
    assert.equal(cells[5], '< 0.0001');
    assert.equal(cells[7], '53.56 → 61.595');
    assert.match(cells[8]!, /PSI 0\.25; distribution shifted: KS 0\.13/);
    assert.match(await w.page.locator('.count').innerText(), /8 of 8 columns, 3 drifted/);
    assert.deepEqual(await w.violations(), []);
    await w.close();
  });

  it('shows the most drifted column at first: paired shares with the new value marked', async () => {
    const w = await open();
    assert.equal(await selectedName(w), 'region');
    const details = w.page.locator('.details');
    assert.equal(await details.locator('h2').innerText(), 'region');
    const central = details.locator('.bar-row', { hasText: 'central' });
    assert.match(await central.locator('.marker').innerText(), /new/i);
    assert.deepEqual(await central.locator('.bar-text').allInnerTexts(), ['—', '17%']);
    assert.equal(await details.locator('.bar-fill.from').count(), 5);
    assert.match(await details.locator('.value-list.added').innerText(), /central/);
    await w.close();
  });

  it('selecting a numeric column overlays both histograms and posts the selection', async () => {
    const w = await open();
    await w.page.click('.drift-table td.name:text-is("monthly_charges")');
    await settled(w.page);
    assert.equal(await selectedName(w), 'monthly_charges');
    const chart = w.page.locator('.details svg.histogram');
    assert.equal(await chart.locator('.bars.from rect').count(), 20);
    assert.equal(await chart.locator('.bars.to rect').count(), 20);
    assert.match((await chart.getAttribute('aria-label')) ?? '', /v1 and work tree/);
    const stats = await w.page.locator('.details table.side-by-side').innerText();
    assert.match(stats, /mean\s+53\.56\s+61\.595/);
    assert.match(await w.page.locator('.details dl.tests').innerText(), /KS p-value\s+< 0\.0001/);
    assert.deepEqual((await w.posted()).at(-1), {
      type: 'drift/column/select',
      column: 'monthly_charges',
    });
    await w.close();
  });

  it('moves the selection with the keyboard and filters the columns', async () => {
    const w = await open();
    await w.page.focus('.drift-table');
    await w.page.keyboard.press('ArrowDown');
    assert.equal(await selectedName(w), 'monthly_charges');
    await w.page.keyboard.press('End');
    assert.equal(await selectedName(w), 'customer_id');
    await w.page.keyboard.press('Home');
    assert.equal(await selectedName(w), 'region');
    await w.page.keyboard.press('Escape');
    assert.equal(await w.page.locator('.drift-table tr[aria-selected=true]').count(), 0);
    assert.equal(await w.page.locator('.details h2').innerText(), 'Column details');
    await w.page.check('#only-drifted');
    assert.deepEqual(await rowNames(w), ['region', 'monthly_charges', 'support_calls']);
    await w.page.keyboard.press('/');
    await w.page.keyboard.type('calls');
    assert.deepEqual(await rowNames(w), ['support_calls']);
    await w.page.keyboard.press('Enter');
    assert.equal(await selectedName(w), 'support_calls');
    assert.equal(await w.page.evaluate(() => document.activeElement?.tagName), 'TABLE');
    await w.close();
  });

  it('posts profile-open for either version and reload', async () => {
    const w = await open();
    await w.page.click('.version.from button');
    await w.page.click('.version.to button');
    await w.page.click('button:has-text("Compare again")');
    assert.deepEqual((await w.posted()).slice(-3), [
      { type: 'drift/profile/open', side: 'from' },
      { type: 'drift/profile/open', side: 'to' },
      { type: 'drift/report/reload' },
    ]);
    await w.send({ type: 'drift/load/didStart' });
    assert.match(await w.page.locator('[role=status]').innerText(), /Comparing again/);
    assert.equal(await w.page.locator('button:has-text("Compare again")').isDisabled(), true);
    await w.send({ type: 'drift/load/didFail', error: 'v9 is not a revision' });
    assert.equal(await w.page.locator('[role=status]').innerText(), 'v9 is not a revision');
    await w.close();
  });

  it('shows hostile names, values and reasons as text; added and removed columns', async () => {
    const w = await open(driftFixture('hostile'));
    assert.equal(await selectedName(w), hostileName);
    assert.equal(await w.page.locator('.details h2').innerText(), hostileName);
    assert.ok((await w.page.locator('.summary').innerText()).includes('<script>alert(1)</script>'));
    assert.equal(await w.page.locator('.details .bars.from rect').count(), 20);
    await w.page.click('.drift-table td.name:text-is("label")');
    const label = await w.page.locator('.details').innerText();
    assert.ok(label.includes('<script>alert(1)</script>'));
    assert.match(label, /New values\s+<script>alert\(1\)<\/script>/i);
    await w.page.click('.drift-table td.name:text-is("score")');
    assert.match(
      await w.page.locator('.drift-table tr', { hasText: 'score' }).innerText(),
      /2\.8% → 20%/,
    );
    await w.page.click('.drift-table td.name:text-is("old_col")');
    assert.match(await w.page.locator('.details').innerText(), /not in v2 any more/);
    await w.page.click('.drift-table td.name:text-is("new_col")');
    assert.match(await w.page.locator('.details').innerText(), /new in v2/);
    assert.equal(await w.page.locator('img').count(), 0);
    assert.equal(await w.page.locator('script').count(), 1, 'only the bundle');
    assert.deepEqual(await w.violations(), []);
    await w.close();
  });

  it('names a version picked by its hash by its commit, never by a bare hash', async () => {
    const state = driftFixture('customers');
    const commit = state.from.commit!;
    state.from = { ...state.from, rev: commit, label: `${commit.slice(0, 10)} · "add March data"` };
    const w = await open(state);
    const versions = await w.page.locator('.versions').innerText();
    assert.match(versions, /From\s+3456a62b75 · "add March data"\s+20,000 rows/);
    assert.equal(await w.page.getAttribute('.version.from strong', 'title'), commit);
    // The legends of the selected column's charts use the same name.
    assert.match(await w.page.locator('.details').innerText(), /3456a62b75 · "add March data"/);
    assert.ok(!(await w.page.locator('body').innerText()).includes(commit), 'no full hash shown');
    await w.close();
  });

  it('shows the whole table at 800 px: every row in view, no cell cut off, the last column reachable', async () => {
    const w = await open(driftFixture('customers'), { width: 800, height: 700 });
    const wrap = w.page.locator('.table-wrap');
    const box = (await wrap.boundingBox())!;
    assert.ok(box.height >= 140, `the table has room (${box.height} px high)`);
    // The first row is on screen, not hidden under the details.
    assert.ok(await w.page.locator('.drift-table tbody tr').first().isVisible());
    const cut = await w.page.$$eval('.drift-table th, .drift-table td', (cells) =>
      cells.filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.textContent),
    );
    assert.deepEqual(cut, [], 'no text cut off in a cell');
    // The last column: in view, or in view once the container is scrolled sideways.
    const reasons = w.page.locator('.drift-table th', { hasText: 'Reasons' });
    await reasons.scrollIntoViewIfNeeded();
    const th = (await reasons.boundingBox())!;
    const after = (await wrap.boundingBox())!;
    assert.ok(th.x >= after.x && th.x + th.width <= after.x + after.width + 1, 'Reasons in view');
    const cell = w.page
      .locator('.drift-table tbody tr', { hasText: 'monthly_charges' })
      .locator('td.reasons');
    assert.match(await cell.innerText(), /KS 0\.13/);
    // The page itself never scrolls sideways: only the table's container does.
    assert.equal(await w.page.evaluate(() => document.documentElement.scrollWidth), 800);
    await w.close();
  });

  it('compares the class balance of two versions of an image folder', async () => {
    const w = await open(driftFixture('images'));
    assert.match(await w.page.locator('.summary').innerText(), /class balance of images changed/);
    assert.match(await w.page.locator('.versions').innerText(), /87 images[\s\S]*120 images/);
    const rows = w.page.locator('.details .bar-row');
    const labels = await rows.locator('.bar-label').allInnerTexts();
    assert.ok(labels.some((l) => l.startsWith(hostileName)));
    assert.match(
      await w.page.locator('.details .bar-row', { hasText: 'bird' }).innerText(),
      /gone/i,
    );
    assert.match(await w.page.locator('.details .bar-row', { hasText: 'fox' }).innerText(), /new/i);
    assert.equal(await w.page.locator('img').count(), 0);
    await w.close();
  });

  it('renders 1,000 columns quickly and moves through them', async () => {
    const base = driftFixture('customers');
    const wide: DriftState = {
      ...base,
      columns: Array.from({ length: 1000 }, (_, i) => ({
        ...base.columns[i % base.columns.length]!,
        name: `f${i}`,
      })),
    };
    const w = await openWebview(browser, 'drift');
    const t0 = Date.now();
    await w.send({ type: 'drift/state/didChange', state: wide });
    await settled(w.page);
    const ms = Date.now() - t0;
    console.log(`    first paint of 1,000 columns: ${ms} ms`);
    await w.page.focus('.drift-table');
    await w.page.keyboard.press('End');
    assert.equal(await selectedName(w), 'f999');
    await w.page.keyboard.press('PageUp');
    assert.equal(await selectedName(w), 'f989');
    await w.close();
  });

  it('keeps the filter, the checkbox and the selected column across a reload', async () => {
    const w = await open();
    await w.page.click('.drift-table td.name:text-is("support_calls")');
    await w.page.check('#only-drifted');
    await w.page.fill('input[type=search]', 's');
    await settled(w.page);
    await w.page.reload();
    await w.page.waitForFunction(() =>
      (window as unknown as { __posted: { type: string }[] }).__posted.some(
        (m) => m.type === 'webview/ready',
      ),
    );
    await w.send({ type: 'drift/state/didChange', state: driftFixture('customers') });
    await settled(w.page);
    assert.equal(await w.page.inputValue('input[type=search]'), 's');
    assert.equal(await w.page.isChecked('#only-drifted'), true);
    assert.equal(await selectedName(w), 'support_calls');
    assert.equal(await w.page.locator('.details h2').innerText(), 'support_calls');
    await w.close();
  });

  it('looks right in light, dark and high contrast (screenshots)', async () => {
    for (const theme of ['dark', 'light', 'high-contrast'] as const) {
      const w = await open(driftFixture('customers'), { theme, width: 1280, height: 820 });
      await w.page.click('.drift-table td.name:text-is("monthly_charges")');
      await w.page.mouse.move(0, 0);
      await settled(w.page);
      // To look at; the README's copies come from test/webview/screenshots.ts.
      await w.page.screenshot({ path: join(tmpdir(), `cairn-drift-${theme}.png`) });
      assert.deepEqual(await w.violations(), []);
      await w.close();
    }
  });
});
