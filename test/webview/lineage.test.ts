// The lineage webview in Chromium: layout, highlights, keyboard, actions and escaping.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { buildLineage } from '../../src/core/lineage/lineageGraph.js';
import { gitSync, tempProject, writeTree } from '../../src/core/testing/tempProject.js';
import { addArtifacts } from '../../src/core/versioning/add.js';
import { lineageStateFromGraph } from '../../src/extension/runs/protocolMapping.js';
import type { LineageState } from '../../src/protocol/lineage.js';
import { hostileName, lineageState } from './fixtures.js';
import {
  canvasPixel,
  launchChromium,
  openWebview,
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

async function open(state: LineageState = lineageState(24)): Promise<WebviewPage> {
  const w = await openWebview(browser, 'lineage');
  await w.send({ type: 'lineage/state/didChange', state });
  await settled(w.page);
  return w;
}

/** Where a node's centre is drawn, in CSS px from the canvas's top left. */
async function centreOf(w: WebviewPage, id: string): Promise<{ x: number; y: number }> {
  const pos = await w.page.evaluate((nodeId) => {
    const g = (
      window as unknown as {
        __cairnLineage?: { centreOf(id: string): { x: number; y: number } | null };
      }
    ).__cairnLineage;
    return g?.centreOf(nodeId) ?? null;
  }, id);
  assert.ok(pos !== null, `node ${id} is laid out`);
  return pos;
}

/** Clicks a node by id, through the same hit test the canvas uses. */
async function clickNode(w: WebviewPage, id: string): Promise<void> {
  const pos = await centreOf(w, id);
  const box = (await w.page.locator('canvas.graph-canvas').boundingBox())!;
  await w.page.mouse.click(box.x + pos.x, box.y + pos.y);
  await settled(w.page);
}

describe('lineage webview', () => {
  it('renders the graph and, for a dataset version, the runs that used it', async () => {
    const w = await open();
    assert.match(await w.page.locator('.toolbar').innerText(), /nodes, \d+ edges/);
    await clickNode(w, 'data:0');
    const title = await w.page.locator('.details h2').innerText();
    assert.equal(title, 'data/train.csv @1000');
    const used = await w.page.$$eval('.details section:first-of-type li', (els) =>
      els.map((e) => e.textContent),
    );
    const expected = [0, 1, 2, 3, 4, 5, 6, 7, 9, 14].map((r) => `run: train #${r}`);
    assert.deepEqual(used.sort(), [...expected, 'run: eval #0', 'run: eval #4'].sort());
    await w.page.click('text=Check out this version');
    assert.deepEqual((await w.posted()).at(-1), {
      type: 'lineage/artifact/checkout',
      path: 'data/train.csv',
      hash: 'sha256:1000aa',
    });
    assert.deepEqual(await w.violations(), []);
    await w.close();
  });

  it('answers where a model came from and marks stale models', async () => {
    const w = await open();
    await clickNode(w, 'model:1');
    const details = (await w.page.locator('.details').textContent()) ?? '';
    assert.match(details, /Stale/);
    assert.match(details, /Where it came from \(3\)/);
    assert.ok(details.includes('run: train #1') && details.includes('data: data/train.csv @1000'));
    await w.page.click('text=Stale (');
    assert.equal(await w.page.getAttribute('text=Stale (', 'aria-pressed'), 'true');
    await w.close();
  });

  it('posts run actions: open, reproduce, compare with runs on the same inputs', async () => {
    const w = await open();
    await clickNode(w, 'run:2');
    await w.page.click('text=Open run');
    await w.page.click('text=Reproduce');
    await w.page.click('text=/Compare with \\d+ runs on the same inputs/');
    const posted = (await w.posted()).slice(-3);
    assert.deepEqual(posted[0], { type: 'lineage/run/open', runId: 'run-2' });
    assert.deepEqual(posted[1], { type: 'lineage/run/reproduce', runId: 'run-2' });
    assert.equal(posted[2]!.type, 'lineage/runs/compare');
    assert.ok((posted[2]!.runIds as string[]).includes('run-2'));
    assert.ok((posted[2]!.runIds as string[]).length >= 8);
    await w.close();
  });

  it('moves between nodes with the keyboard and opens details with Enter', async () => {
    const w = await open();
    await w.page.focus('canvas.graph-canvas');
    await w.page.keyboard.press('Home');
    const first = await w.page.locator('[role=status]').innerText();
    assert.match(first, /^(data|commit) /);
    await w.page.keyboard.press('ArrowRight');
    assert.match(await w.page.locator('[role=status]').innerText(), /^run /);
    await w.page.keyboard.press('ArrowRight');
    await w.page.keyboard.press('Enter');
    await settled(w.page);
    assert.match((await w.page.locator('.details').textContent()) ?? '', /Where it came from/);
    await w.page.keyboard.press('Escape');
    await settled(w.page);
    assert.match(await w.page.locator('.details h2').innerText(), /^Lineage$/);
    await w.close();
  });

  it('moves to the sibling below and above (same column) with Down and Up', async () => {
    const w = await open();
    await clickNode(w, 'run:0');
    const status = () => w.page.locator('[role=status]').innerText();
    const start = await status();
    const x0 = (await centreOf(w, 'run:0')).x;
    await w.page.keyboard.press('ArrowDown');
    const below = await status();
    assert.notEqual(below, start);
    assert.match(below, /^run /);
    await w.page.keyboard.press('ArrowUp');
    assert.equal(await status(), start);
    // Down stays in the column: the node it reached is drawn at the same x.
    await w.page.keyboard.press('ArrowDown');
    const label = below.replace(/^run /, '').replace(/[,;].*$/, '');
    const id = (/#(\d+)/.exec(label) ?? [])[1] ?? '';
    assert.equal((await centreOf(w, `${label.startsWith('eval') ? 'eval' : 'run'}:${id}`)).x, x0);
    await w.close();
  });

  it("shows a node's full label on hover, however long", async () => {
    const state = lineageState(24);
    const long = 'data/a folder with a very long name/and a longer file name inside it.csv @1000';
    state.nodes.find((n) => n.id === 'data:0')!.label = long;
    const w = await open(state);
    const c = await centreOf(w, 'data:0');
    const box = (await w.page.locator('canvas.graph-canvas').boundingBox())!;
    await w.page.mouse.move(box.x + c.x, box.y + c.y);
    const title = (await w.page.getAttribute('canvas.graph-canvas', 'title')) ?? '';
    assert.equal(title.split('\n')[0], long);
    await w.close();
  });

  it('escapes hostile labels and keeps view state across a reload', async () => {
    const w = await open();
    await w.page.fill('input[type=search]', 'img src');
    await w.page.press('input[type=search]', 'Enter');
    await settled(w.page);
    assert.equal(await w.page.locator('.details h2').innerText(), hostileName);
    assert.equal(await w.page.locator('img').count(), 0);
    await w.page.click('button[aria-label="Zoom in"]');
    await settled(w.page);
    await w.page.reload();
    await w.page.waitForFunction(() =>
      (window as unknown as { __posted: { type: string }[] }).__posted.some(
        (m) => m.type === 'webview/ready',
      ),
    );
    await w.send({ type: 'lineage/state/didChange', state: lineageState(24) });
    await settled(w.page);
    assert.equal(await w.page.locator('.details h2').innerText(), hostileName);
    assert.deepEqual(await w.violations(), []);
    await w.close();
  });

  it('shows the committed current version of a model as a model, not as data', async () => {
    const project = tempProject();
    writeTree(project.root, { 'models/churn/w.bin': '1', 'data/a.csv': 'x\n1\n' });
    await addArtifacts(project, ['models/churn', 'data']);
    gitSync(project.root, 'add', '-A');
    gitSync(project.root, 'commit', '-qm', 'first model');
    writeTree(project.root, { 'models/churn/w.bin': '2' });
    await addArtifacts(project, ['models/churn']);
    gitSync(project.root, 'commit', '-qam', 'retrained model');
    const state = lineageStateFromGraph(await buildLineage(project));
    const w = await open(state);
    const found: string[] = [];
    for (const q of ['models/churn', 'models/churn', 'data']) {
      await w.page.fill('input[type=search]', q);
      await w.page.press('input[type=search]', 'Enter');
      await settled(w.page);
      found.push(await w.page.locator('[role=status]').innerText());
    }
    // The screen-reader text names the kind the canvas draws as its letter (M or D).
    assert.equal(found.filter((t) => /^model models\/churn .*current version/.test(t)).length, 1);
    assert.equal(found.filter((t) => /^model models\/churn /.test(t)).length, 2);
    assert.match(found[2]!, /^data data /);
    // Versions are named by the commit that introduced them, not by a bare hash, on the node
    // and in its tooltip.
    assert.match(found[0]! + found[1]!, /models\/churn @[0-9a-f]{10} · "retrained model"/);
    assert.match(found[0]! + found[1]!, /models\/churn @[0-9a-f]{10} · "first model"/);
    const data = state.nodes.find((n) => n.path === 'data')!;
    const c = await centreOf(w, data.id);
    const box = (await w.page.locator('canvas.graph-canvas').boundingBox())!;
    await w.page.mouse.move(box.x + c.x, box.y + c.y);
    assert.match(
      (await w.page.getAttribute('canvas.graph-canvas', 'title')) ?? '',
      /^data @[0-9a-f]{10} · "first model"\nintroduced in [0-9a-f]{10} · "first model"$/,
    );
    await w.close();
  });

  it('redraws the graph in the new colours when the theme changes, without a click', async () => {
    const w = await openWebview(browser, 'lineage', { theme: 'dark' });
    await w.send({ type: 'lineage/state/didChange', state: lineageState(24) });
    await settled(w.page);
    const c = await centreOf(w, 'data:0');
    // Inside the node's box, above its text: the node background (editorWidget-background).
    const pixel = () => canvasPixel(w.page, 'canvas.graph-canvas', c.x, c.y - 9);
    assert.equal(await pixel(), '#202020');
    await switchTheme(w.page, 'light');
    assert.equal(await pixel(), '#f8f8f8');
    await switchTheme(w.page, 'dark');
    assert.equal(await pixel(), '#202020');
    await w.close();
  });

  it('Fit shows a small graph whole, and a huge one at a zoom where labels stay readable', async () => {
    const savedScale = (w: WebviewPage): Promise<number> =>
      w.page.evaluate(
        () =>
          (
            JSON.parse(sessionStorage.getItem('cairn-state') ?? '{}') as {
              transform?: { scale: number };
            }
          ).transform?.scale ?? NaN,
      );
    const small = lineageState(4);
    const w = await open(small);
    await w.page.click('button[aria-label="Zoom in"]');
    await w.page.click('button[aria-label="Fit the graph"]');
    await settled(w.page);
    const canvas = (await w.page.locator('canvas.graph-canvas').boundingBox())!;
    for (const n of small.nodes) {
      const c = await centreOf(w, n.id);
      assert.ok(c.x > 0 && c.x < canvas.width && c.y > 0 && c.y < canvas.height, `${n.id} in view`);
    }
    await w.close();

    const big = lineageState(900);
    const b = await open(big);
    await b.page.click('button[aria-label="Fit the graph"]');
    await settled(b.page);
    const scale = await savedScale(b);
    assert.ok(scale >= 0.6, `Fit stopped at a readable zoom (${scale})`);
    // Shown from its start: the first column's first node is in view, and one can pan from there.
    const first = await centreOf(b, big.nodes[0]!.id);
    const box = (await b.page.locator('canvas.graph-canvas').boundingBox())!;
    assert.ok(first.x > 0 && first.x < box.width, `first node in view at x ${first.x}`);
    // The keyboard's Fit (0) is the same; zooming out still goes further for an overview.
    // (The page saves its zoom after the frame that draws it: look until it has, on a busy machine.)
    const scaleAfter = async (key: string, ok: (s: number) => boolean): Promise<number> => {
      await b.page.keyboard.press(key);
      let s = NaN;
      for (let i = 0; i < 40 && !ok(s); i++) {
        await settled(b.page);
        s = await savedScale(b);
      }
      return s;
    };
    await b.page.focus('canvas.graph-canvas');
    const fitted = await scaleAfter('0', (s) => s >= 0.6);
    assert.ok(fitted >= 0.6, `the keyboard's Fit stops at a readable zoom (${fitted})`);
    const out = await scaleAfter('-', (s) => s < 0.6);
    assert.ok(out < 0.6, `zooming out goes past it (${out})`);
    await b.close();
  });

  it('lays out and draws 2,000 nodes', async () => {
    const state = lineageState(900);
    assert.ok(state.nodes.length >= 2000);
    const w = await open(state);
    assert.match(
      await w.page.locator('.toolbar').innerText(),
      new RegExp(`${state.nodes.length} nodes`),
    );
    await w.page.fill('input[type=search]', 'model.pkl @899');
    await w.page.press('input[type=search]', 'Enter');
    await settled(w.page);
    assert.match(await w.page.locator('.details h2').innerText(), /models\/model.pkl @899/);
    await w.close();
  });
});
