// Browser benchmark of the webviews in Debian's Chromium (npm run bench:webviews): first paint
// after the host's state message arrives, for the compare view with 10,000 runs and with
// 20 runs × 100,000 steps, and for the lineage view with 2,000 nodes. Each figure is the median
// of several loads; the reference is the same message delivered to a page that only receives it
// (the cost of postMessage itself), measured in the same run. BENCH_REPEATS=n sets the number of
// loads, BENCH_ONLY=<text> runs only the cases whose name contains it.
import { bigCompareScript, lineageState, longSeriesScript } from '../test/webview/fixtures.ts';
import { launchChromium, openWebview } from '../test/webview/harness.ts';

const repeats = Number(process.env.BENCH_REPEATS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${ms.toFixed(0).padStart(6)} ms`;

const browser = await launchChromium();
const rows = [];

async function measure(name, bundle, type, field, expression, options = {}) {
  const only = process.env.BENCH_ONLY;
  if (only !== undefined && !name.includes(only)) return { ms: NaN };
  const times = [];
  const refs = [];
  for (let i = 0; i < repeats; i++) {
    const w = await openWebview(browser, bundle, options);
    times.push(await w.sendBuilt(type, field, expression));
    if (i === 0) {
      const phases = await w.page.evaluate(() =>
        performance
          .getEntriesByType('measure')
          .filter((m) => m.name.startsWith('cairn:'))
          .map((m) => `${m.name.slice(6)} ${m.duration.toFixed(0)}`),
      );
      if (phases.length > 0) console.log(`  phases (ms): ${phases.join(', ')}`);
    }
    // Reference: the same message to a listener that does nothing with it.
    refs.push(
      await w.page.evaluate(`(() => {
        const message = { type: 'bench/ignored', payload: ${expression} };
        return new Promise((resolve) => {
          const t0 = performance.now();
          window.addEventListener('message', () => {
            requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
          }, { once: true });
          window.postMessage(message, '*');
        });
      })()`),
    );
    await w.close();
  }
  const row = { name, ms: median(times), refMs: median(refs), min: Math.min(...times) };
  rows.push(row);
  console.log(
    `${name.padEnd(46)} first paint ${fmt(row.ms)} (min ${fmt(row.min)}); postMessage alone ${fmt(row.refMs)}; ratio ${(row.ms / row.refMs).toFixed(1)}×`,
  );
  return row;
}

try {
  const allSelected = {
    version: 1,
    selected: Array.from({ length: 20 }, (_, i) => `r${i}`),
    tab: 'charts',
  };
  await measure(
    'compare: 10,000 runs × 20 columns',
    'compare',
    'compare/state/didChange',
    'state',
    bigCompareScript(10_000, 10, 10),
  );
  await measure(
    'compare: 10,000 runs × 500 columns',
    'compare',
    'compare/state/didChange',
    'state',
    bigCompareScript(10_000, 250, 250),
  );
  const long = await measure(
    'compare: 20 runs × 100,000 steps (all charted)',
    'compare',
    'compare/state/didChange',
    'state',
    longSeriesScript(20, 100_000),
    { savedState: allSelected },
  );
  const lineage = lineageState(900);
  await measure(
    `lineage: ${lineage.nodes.length} nodes, ${lineage.edges.length} edges`,
    'lineage',
    'lineage/state/didChange',
    'state',
    JSON.stringify(lineage),
  );
  const target = 500;
  if (!Number.isNaN(long.ms))
    console.log(
      `target: 20 × 100,000 steps under ${target} ms — ${long.ms <= target ? 'met' : 'NOT met'} (${long.ms.toFixed(0)} ms)`,
    );
} finally {
  await browser.close();
}
