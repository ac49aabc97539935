// The run page: one run as MLflow's and W&B's run pages show it. Its name, status and facts with
// the actions (compare with the previous run, rerun, reproduce, lineage, log) at the top; then
// params, metrics with their step charts, the inputs and outputs with their versions, the code it
// ran and the end of its log. The host owns the state and sends it again as a running run logs.
import { decodeNumber, type JsonNumber } from '../../../src/protocol/guards.js';
import {
  isRunPageHostMessage,
  type RunPageAction,
  type RunPageArtifact,
  type RunPageHostMessage,
  type RunPageState,
  type RunPageWebviewMessage,
} from '../../../src/protocol/runPage.js';
import { startApp, type AppShell } from '../shared/appShell.js';
import { codiconButton } from '../shared/codiconButton.js';
import { formatNumber, h } from '../shared/dom.js';
import { pageHead } from '../shared/pageHead.js';
import { shortHash } from '../shared/shortHash.js';
import { diffText } from '../compare/runDiff.js';
import { formatDuration } from '../compare/runModel.js';
import { SeriesStore } from '../compare/seriesStore.js';
import { StepCharts } from '../compare/stepCharts.js';

type Shell = AppShell<Record<string, never>, RunPageWebviewMessage>;

const statusIcon: Record<RunPageState['run']['status'], string> = {
  queued: 'clock',
  running: 'sync~spin',
  completed: 'pass',
  failed: 'error',
  stopped: 'debug-stop',
  cancelled: 'circle-slash',
};

function mountRunPage(shell: Shell): (m: RunPageHostMessage) => void {
  const title = h('h1', { className: 'title' });
  const status = h('span', { className: 'status' });
  const action = (
    icon: string,
    label: string,
    a: RunPageAction,
    tip: string,
  ): HTMLButtonElement => {
    const b = codiconButton(icon, label, { title: tip });
    b.dataset.action = a;
    b.addEventListener('click', () => shell.post({ type: 'run/action/run', action: a }));
    return b;
  };
  const comparePrevious = action(
    'diff-multiple',
    'Compare with Previous',
    'comparePrevious',
    'Compare this run with the run of its task before it',
  );
  comparePrevious.className = '';
  const rerun = action('debug-restart', 'Rerun', 'rerun', 'Run the same task with the same params');
  const buttons = [
    comparePrevious,
    rerun,
    action('history', 'Reproduce', 'reproduce', 'Run it again from its commit and data versions'),
    action('type-hierarchy', 'Lineage', 'lineage', 'Show the data and models around this run'),
    action('output', 'Open Log', 'log', 'Open the whole output of the run in an editor'),
  ];
  const facts = h('p', { className: 'facts muted' });
  const problem = h('p', { className: 'problem error-text', role: 'alert', hidden: true });
  const charts = new StepCharts(() => undefined);
  const sections = {
    params: h('section', { className: 'params', 'aria-label': 'Params' }),
    metrics: h('section', { className: 'metrics', 'aria-label': 'Metrics' }),
    artifacts: h('section', { className: 'artifacts', 'aria-label': 'Inputs and outputs' }),
    code: h('section', { className: 'code', 'aria-label': 'Code' }),
    log: h('section', { className: 'log', 'aria-label': 'Log' }),
  };
  const logText = h('pre', { className: 'log-text', tabindex: 0 });
  const empty = h('p', { className: 'muted empty-note' }, 'Loading the run…');
  const body = h('div', { className: 'run-body' }, empty);
  document.body.append(
    h(
      'div',
      { className: 'app' },
      pageHead(h('div', { className: 'title-line' }, status, title), buttons, facts, problem),
      body,
    ),
  );

  const runLink = (run: { id: string; name: string }): HTMLElement => {
    const b = h('button', { className: 'link', title: `Open run ${run.name}` }, run.name);
    b.addEventListener('click', () => shell.post({ type: 'run/run/open', runId: run.id }));
    return b;
  };

  function renderHead(s: RunPageState): void {
    const r = s.run;
    title.textContent = r.name;
    status.replaceChildren(
      h('span', { className: `codicon codicon-${statusIcon[r.status]}`, 'aria-hidden': 'true' }),
      ` ${r.status}`,
    );
    status.className = `status ${r.status}`;
    const parts: (string | HTMLElement)[] = [];
    const add = (...p: (string | HTMLElement)[]): void => {
      if (parts.length > 0) parts.push(' · ');
      parts.push(...p);
    };
    add(r.task === null ? 'no task' : `task ${r.task}`);
    add(`started ${new Date(r.startedMs).toLocaleString()}`);
    if (r.durationMs !== null) add(`took ${formatDuration(r.durationMs)}`);
    add(r.user ? `by ${r.user} on ${r.host}` : `on ${r.host}`);
    if (r.exitCode !== null && r.exitCode !== 0) add(`exit code ${r.exitCode}`);
    if (r.sweep !== null) add(`sweep ${r.sweep}`);
    if (r.reproduces !== null) add('reproduces ', runLink(r.reproduces));
    facts.replaceChildren(...parts);
    problem.hidden = r.error === null;
    problem.textContent = r.error ?? '';
    comparePrevious.disabled = s.previous === null;
    comparePrevious.title =
      s.previous === null
        ? 'No earlier run of this task to compare with'
        : `Compare with ${s.previous.name}`;
    rerun.disabled = r.status === 'running';
  }

  function heading(text: string, note?: string): HTMLElement {
    return h('h2', {}, text, note === undefined ? null : h('span', { className: 'muted' }, note));
  }

  function renderParams(s: RunPageState): void {
    const rows = s.params.map((p) =>
      h(
        'tr',
        { className: p.overridden ? 'overridden' : '' },
        h('th', { scope: 'row' }, p.key),
        h('td', {}, typeof p.value === 'number' ? formatNumber(p.value) : String(p.value)),
        h('td', { className: 'muted' }, p.overridden ? 'set for this run' : ''),
      ),
    );
    sections.params.replaceChildren(
      heading('Params'),
      rows.length === 0
        ? h('p', { className: 'muted' }, 'This run had no params.')
        : h('table', { className: 'kv' }, h('tbody', {}, ...rows)),
    );
  }

  function renderMetrics(s: RunPageState): void {
    const num = (v: JsonNumber): string => formatNumber(decodeNumber(v));
    const rows = s.metrics.map((m) => {
      // The best value by the metric's goal is marked; without a goal, min and max are plain.
      const cell = (v: JsonNumber, best: boolean): HTMLElement =>
        h('td', { className: best ? 'num best' : 'num', title: best ? 'best' : undefined }, num(v));
      return h(
        'tr',
        {},
        h('th', { scope: 'row' }, m.name),
        h('td', { className: 'num' }, num(m.last)),
        cell(m.min, m.goal === 'min'),
        cell(m.max, m.goal === 'max'),
        h('td', { className: 'num muted' }, String(m.count)),
      );
    });
    const table =
      rows.length === 0
        ? h(
            'p',
            { className: 'muted' },
            s.run.status === 'running'
              ? 'No metrics yet: they appear here as the program prints them.'
              : 'This run recorded no metrics. Print lines such as "epoch 3 loss=0.25", or write them to a metrics file the task names.',
          )
        : h(
            'table',
            { className: 'kv metric-table' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col' }, 'metric'),
                h('th', { scope: 'col', className: 'num' }, 'last'),
                h('th', { scope: 'col', className: 'num' }, 'min'),
                h('th', { scope: 'col', className: 'num' }, 'max'),
                h('th', { scope: 'col', className: 'num' }, 'points'),
              ),
            ),
            h('tbody', {}, ...rows),
          );
    const store = new SeriesStore();
    store.apply(s.series, false);
    charts.update({
      metrics: s.metrics.map((m) => m.name),
      runs: [{ id: s.run.id, name: s.run.name, colorIndex: 0 }],
      series: store.byRun,
      smoothing: 0,
      logScale: false,
      zoom: null,
    });
    sections.metrics.replaceChildren(heading('Metrics'), table, charts.element);
  }

  function artifactRow(direction: string, a: RunPageArtifact): HTMLElement {
    const reveal = h(
      'button',
      { className: 'link', title: `Reveal ${a.path} in the Explorer` },
      a.path,
    );
    reveal.addEventListener('click', () =>
      shell.post({ type: 'run/artifact/reveal', path: a.path }),
    );
    return h(
      'tr',
      {},
      h('td', { className: 'muted' }, direction),
      h('td', {}, reveal),
      h('td', {}, a.kind),
      h('td', { className: 'hash', title: a.hash }, shortHash(a.hash)),
      h('td', { className: 'muted' }, a.current ? 'current' : 'not current'),
      h(
        'td',
        {},
        a.producedBy === null ? '' : h('span', {}, 'produced by ', runLink(a.producedBy)),
      ),
    );
  }

  function renderArtifacts(s: RunPageState): void {
    const rows = [
      ...s.inputs.map((a) => artifactRow('input', a)),
      ...s.outputs.map((a) => artifactRow('output', a)),
    ];
    sections.artifacts.replaceChildren(
      heading('Inputs and outputs'),
      rows.length === 0
        ? h(
            'p',
            { className: 'muted' },
            "The run used and produced no tracked data or models. Name them in the task's deps and outs to record their versions.",
          )
        : h('table', { className: 'kv artifact-table' }, h('tbody', {}, ...rows)),
    );
  }

  function renderCode(s: RunPageState): void {
    const c = s.code;
    const commit =
      c.commit === null
        ? h('span', { className: 'muted' }, 'not in a Git commit')
        : h(
            'span',
            {},
            h('code', { title: c.commit }, shortHash(c.commit)),
            c.subject === null ? '' : ` ${c.subject}`,
            c.branch === null ? '' : h('span', { className: 'muted' }, ` on ${c.branch}`),
          );
    sections.code.replaceChildren(
      heading('Code'),
      h('p', { className: 'commit' }, commit),
      c.dirty
        ? c.diff === null
          ? h(
              'p',
              { className: 'muted' },
              'It ran with uncommitted changes, which were not recorded.',
            )
          : h('div', {}, h('p', {}, 'It ran with these uncommitted changes:'), diffText(c.diff))
        : h('p', { className: 'muted' }, 'It ran with no uncommitted changes.'),
    );
  }

  function renderLog(s: RunPageState): void {
    const atEnd = logText.scrollTop + logText.clientHeight >= logText.scrollHeight - 4;
    logText.textContent = s.log.tail === '' ? '(no output)' : s.log.tail;
    if (atEnd) logText.scrollTop = logText.scrollHeight;
    const more = codiconButton('output', 'Open Full Log', {
      title: 'Open the whole log in an editor',
    });
    more.addEventListener('click', () => shell.post({ type: 'run/action/run', action: 'log' }));
    sections.log.replaceChildren(
      heading(
        'Log',
        s.log.hiddenLines > 0 ? ` (the last lines; ${s.log.hiddenLines} before them)` : undefined,
      ),
      logText,
      h('p', {}, more),
    );
  }

  return (m) => {
    const s = m.state;
    renderHead(s);
    renderParams(s);
    renderMetrics(s);
    renderArtifacts(s);
    renderCode(s);
    renderLog(s);
    if (empty.isConnected)
      body.replaceChildren(
        h('div', { className: 'columns' }, sections.params, sections.artifacts),
        sections.metrics,
        sections.code,
        sections.log,
      );
  };
}

startApp({
  restore: () => ({}),
  isMessage: isRunPageHostMessage,
  mount: mountRunPage,
});
