// The profile webview in Chromium: a real profile rendered, filtering, sorting, keyboard, hostile
// names, load states, actions, view state across a reload, screenshots in both themes.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { ProfileState } from '../../src/protocol/profile.js';
import { profileFixture } from './dataFixtures.js';
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
  state: ProfileState = profileFixture('customers'),
  options: { theme?: Theme; savedState?: unknown; width?: number; height?: number } = {},
): Promise<WebviewPage> {
  const w = await openWebview(browser, 'profile', options);
  await w.send({ type: 'profile/state/didChange', state });
  await settled(w.page);
  return w;
}

const cardNames = (w: WebviewPage): Promise<string[]> =>
  w.page.$$eval('.card .name', (els) => els.map((e) => e.textContent ?? ''));

describe('profile webview', () => {
  it('renders a table profile: header, one card per column, histograms and top values', async () => {
    const w = await open();
    assert.equal(await w.page.locator('h1').innerText(), 'data/customers.csv');
    const facts = await w.page.locator('.facts').innerText();
    assert.match(facts, /rows 20,000/);
    assert.match(facts, /columns 8/);
    assert.match(facts, /size 683\.9 KB/);
    assert.match(facts, /backend wasm/);
    assert.deepEqual(await cardNames(w), [
      'customer_id',
      'age',
      'tenure_months',
      'monthly_charges',
      'support_calls',
      'plan',
      'region',
      'churned',
    ]);
    const charges = w.page.locator('.card[data-column="monthly_charges"]');
    assert.match(await charges.locator('.badge').innerText(), /number/);
    assert.equal(await charges.locator('svg.histogram rect').count(), 20);
    assert.match(await charges.locator('dl.stats').nth(1).innerText(), /mean\s+61\.59/);
    assert.match(await charges.locator('dl.quantiles').innerText(), /p50/);
    const age = w.page.locator('.card[data-column="age"]');
    assert.match(await age.locator('dl.stats').first().innerText(), /missing\s+0\.8%/);
    const plan = w.page.locator('.card[data-column="plan"]');
    assert.deepEqual(await plan.locator('.bar-label').allInnerTexts(), ['basic', 'plus', 'pro']);
    assert.match(await plan.locator('.bar-text').first().innerText(), /\d[\d,]* \(\d+%\)/);
    assert.equal(await w.page.locator('button:has-text("Compare versions")').isVisible(), true);
    assert.deepEqual(await w.violations(), []);
    await w.close();
  });

  it('filters columns by name and sorts by name, missing and distinct', async () => {
    const w = await open();
    await w.page.fill('input[type=search]', 'CHARGE');
    assert.deepEqual(await cardNames(w), ['monthly_charges']);
    assert.match(await w.page.locator('.count').innerText(), /1 of 8 columns/);
    await w.page.fill('input[type=search]', 'zzz');
    assert.match(await w.page.locator('.cards').innerText(), /No column matches/);
    await w.page.press('input[type=search]', 'Escape');
    assert.equal((await cardNames(w)).length, 8);
    await w.page.selectOption('select', 'name');
    assert.deepEqual(await cardNames(w), [...(await cardNames(w))].sort());
    assert.equal((await cardNames(w))[0], 'age');
    await w.page.selectOption('select', 'missing');
    assert.equal((await cardNames(w))[0], 'age', 'the one column with missing values first');
    await w.page.selectOption('select', 'distinct');
    assert.equal((await cardNames(w))[0], 'customer_id');
    assert.equal((await cardNames(w)).at(-1), 'churned');
    await w.page.click('button[aria-label="Sort direction"]');
    assert.equal((await cardNames(w))[0], 'churned');
    await w.close();
  });

  it('moves between cards with the keyboard, and / finds the filter', async () => {
    const w = await open();
    await w.page.keyboard.press('/');
    assert.equal(await w.page.evaluate(() => document.activeElement?.tagName), 'INPUT');
    await w.page.keyboard.press('ArrowDown');
    const focused = (): Promise<string | undefined> =>
      w.page.evaluate(() => (document.activeElement as HTMLElement).dataset.column);
    assert.equal(await focused(), 'customer_id');
    await w.page.keyboard.press('ArrowRight');
    assert.equal(await focused(), 'age');
    await w.page.keyboard.press('End');
    assert.equal(await focused(), 'churned');
    await w.page.keyboard.press('ArrowLeft');
    assert.equal(await focused(), 'region');
    await w.page.keyboard.press('Home');
    assert.equal(await focused(), 'customer_id');
    // Down moves by a row of cards (three fit in 1280 px).
    await w.page.keyboard.press('ArrowDown');
    assert.equal(await focused(), 'monthly_charges');
    assert.equal(await w.page.locator('.card[tabindex="0"]').count(), 1, 'one tab stop');
    await w.close();
  });

  it('shows hostile column names and values as text', async () => {
    const w = await open(profileFixture('hostile'));
    const names = await cardNames(w);
    assert.ok(names.includes(hostileName), names.join(', '));
    const label = w.page.locator('.card[data-column="label"]');
    assert.ok(
      (await label.locator('.bar-label').allInnerTexts()).includes('<script>alert(1)</script>'),
    );
    assert.equal(await w.page.locator('img').count(), 0);
    assert.equal(await w.page.locator('script').count(), 1, 'only the bundle');
    await w.page.fill('input[type=search]', '<img');
    assert.deepEqual(await cardNames(w), [hostileName]);
    assert.deepEqual(await w.violations(), []);
    await w.close();
  });

  it('profiles an image folder: sizes, formats, channels, classes as bars', async () => {
    const w = await open(profileFixture('images', false));
    const facts = await w.page.locator('.facts').innerText();
    assert.match(facts, /images 120/);
    assert.match(facts, /classes 4/);
    const classes = w.page.locator('.card[data-column="Classes"] .bar-label');
    assert.deepEqual(await classes.allInnerTexts(), [hostileName, 'cat', 'dog', 'fox']);
    assert.match(await w.page.locator('.card[data-column="Sizes"]').innerText(), /24 – 63 px/);
    assert.match(
      await w.page.locator('.card[data-column="Channels"]').innerText(),
      /3 channels\s+90/,
    );
    assert.equal(await w.page.locator('button:has-text("Compare versions")').isVisible(), false);
    await w.page.fill('input[type=search]', 'do');
    // The filter applies on the next frame; a loaded machine can be slow to paint it.
    await w.page.waitForFunction(
      () =>
        [...document.querySelectorAll('.card[data-column="Classes"] .bar-label')]
          .map((e) => e.textContent)
          .join('|') === 'dog',
      undefined,
      { timeout: 5000 },
    );
    assert.deepEqual(await classes.allTextContents(), ['dog']);
    assert.equal(await w.page.locator('img').count(), 0);
    await w.close();
  });

  it('shows loading and failure, and posts reload and compare', async () => {
    const w = await openWebview(browser, 'profile');
    await w.send({ type: 'profile/load/didStart' });
    assert.match(await w.page.locator('[role=status]').innerText(), /Profiling/);
    await w.send({ type: 'profile/load/didFail', error: `data/x.csv: ${hostileName} is missing` });
    assert.equal(
      await w.page.locator('[role=status]').innerText(),
      `data/x.csv: ${hostileName} is missing`,
    );
    await w.send({ type: 'profile/state/didChange', state: profileFixture('customers') });
    await w.send({ type: 'profile/state/didChange', state: { bogus: true } });
    assert.equal((await cardNames(w)).length, 8, 'an invalid message is ignored');
    await w.page.click('button:has-text("Reload")');
    await w.page.click('button:has-text("Compare versions")');
    assert.deepEqual((await w.posted()).slice(-2), [
      { type: 'profile/data/reload' },
      { type: 'profile/drift/open' },
    ]);
    await w.close();
  });

  it('renders 1,000 columns quickly and filters them', async () => {
    const base = profileFixture('customers');
    if (base.profile.kind !== 'table') throw new Error('a table');
    const columns = base.profile.columns;
    const wide: ProfileState = {
      ...base,
      profile: {
        ...base.profile,
        columns: Array.from({ length: 1000 }, (_, i) => ({
          ...columns[i % columns.length]!,
          name: `f${i}_${columns[i % columns.length]!.name}`,
        })),
      },
    };
    const w = await openWebview(browser, 'profile');
    const t0 = Date.now();
    await w.send({ type: 'profile/state/didChange', state: wide });
    await settled(w.page);
    const ms = Date.now() - t0;
    console.log(`    first paint of 1,000 columns: ${ms} ms`);
    assert.match(await w.page.locator('.count').innerText(), /1000 of 1000 columns/);
    await w.page.fill('input[type=search]', 'f99_');
    assert.deepEqual(await cardNames(w), ['f99_monthly_charges']);
    await w.close();
  });

  it('keeps filter, sort and the focused card across a reload', async () => {
    const w = await open();
    await w.page.fill('input[type=search]', 'a');
    await w.page.selectOption('select', 'name');
    await w.page.focus('.card[data-column="plan"]');
    await settled(w.page);
    const before = await cardNames(w);
    await w.page.reload();
    await w.page.waitForFunction(() =>
      (window as unknown as { __posted: { type: string }[] }).__posted.some(
        (m) => m.type === 'webview/ready',
      ),
    );
    await w.send({ type: 'profile/state/didChange', state: profileFixture('customers') });
    await settled(w.page);
    assert.equal(await w.page.inputValue('input[type=search]'), 'a');
    assert.equal(await w.page.inputValue('select'), 'name');
    assert.deepEqual(await cardNames(w), before);
    assert.equal(
      await w.page.getAttribute('.card[tabindex="0"]', 'data-column'),
      'plan',
      'the focused card is the tab stop again',
    );
    await w.close();
  });

  it('looks right in light, dark and high contrast (screenshots)', async () => {
    for (const theme of ['dark', 'light', 'high-contrast'] as const) {
      const w = await open(profileFixture('customers'), { theme, width: 1280, height: 820 });
      // To look at; the README's copies come from test/webview/screenshots.ts.
      await w.page.screenshot({ path: join(tmpdir(), `cairn-profile-${theme}.png`) });
      assert.deepEqual(await w.violations(), []);
      await w.close();
    }
  });
});
