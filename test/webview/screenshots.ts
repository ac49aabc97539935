// Renders the webviews in light and dark themes and saves screenshots under docs/screenshots/
// (npm run screenshots:webviews). Look at them after any visual change.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { driftFixture, profileFixture } from './dataFixtures.js';
import { lineageState, shortCompareState, smallCompareState } from './fixtures.js';
import { launchChromium, openWebview, settled } from './harness.js';
import { runPageState } from './runPageFixture.js';
import type { Theme } from './themes.js';

async function main(): Promise<void> {
  const out = join(process.cwd(), 'docs', 'screenshots');
  mkdirSync(out, { recursive: true });
  const browser = await launchChromium();
  try {
    for (const theme of ['dark', 'light'] as Theme[]) {
      const w = await openWebview(browser, 'compare', { theme, width: 1280, height: 820 });
      await w.send({ type: 'compare/state/didChange', state: smallCompareState() });
      await w.page.click('.grid-body .grid-row[data-row="0"] input[type=checkbox]');
      await w.page.click('.grid-body .grid-row[data-row="1"] input[type=checkbox]');
      await w.page.click('.grid-body .grid-row[data-row="4"] input[type=checkbox]');
      await w.page.click('.grid-body .grid-row[data-row="4"] .pin');
      await settled(w.page);
      await w.page.screenshot({ path: join(out, `compare-charts-${theme}.png`) });
      await w.page.click('#tab-parallel');
      await settled(w.page);
      await w.page.screenshot({ path: join(out, `compare-parallel-${theme}.png`) });
      await w.page.click('#tab-scatter');
      await settled(w.page);
      await w.page.screenshot({ path: join(out, `compare-scatter-${theme}.png`) });
      await w.page.click('#tab-diff');
      await settled(w.page);
      await w.page.screenshot({ path: join(out, `compare-diff-${theme}.png`) });
      await w.close();

      // A short comparison whose metrics are all equal: the table says so, the charts follow it.
      const e = await openWebview(browser, 'compare', { theme, width: 1280, height: 820 });
      await e.send({
        type: 'compare/state/didChange',
        state: shortCompareState({ equalMetrics: true }),
      });
      await settled(e.page);
      await e.page.screenshot({ path: join(out, `compare-equal-${theme}.png`) });
      await e.close();

      const r = await openWebview(browser, 'run', { theme, width: 1280, height: 900 });
      await r.send({ type: 'run/state/didChange', state: runPageState() });
      await settled(r.page);
      await r.page.screenshot({ path: join(out, `run-${theme}.png`) });
      await r.close();

      const l = await openWebview(browser, 'lineage', { theme, width: 1280, height: 720 });
      await l.send({ type: 'lineage/state/didChange', state: lineageState(24) });
      await l.page.fill('input[type=search]', 'model.pkl @12');
      await l.page.press('input[type=search]', 'Enter');
      await settled(l.page);
      await l.page.screenshot({ path: join(out, `lineage-${theme}.png`) });
      await l.close();

      const p = await openWebview(browser, 'profile', { theme, width: 1280, height: 820 });
      await p.send({ type: 'profile/state/didChange', state: profileFixture('customers') });
      await settled(p.page);
      await p.page.screenshot({ path: join(out, `profile-${theme}.png`) });
      await p.close();

      const d = await openWebview(browser, 'drift', { theme, width: 1280, height: 820 });
      await d.send({ type: 'drift/state/didChange', state: driftFixture('customers') });
      await d.page.click('.drift-table td.name:text-is("monthly_charges")');
      await d.page.mouse.move(0, 0);
      await settled(d.page);
      await d.page.screenshot({ path: join(out, `drift-${theme}.png`) });
      await d.close();
    }
  } finally {
    await browser.close();
  }
  console.log(`screenshots written to ${out}`);
}

void main();
