// A diff of two runs: params, metrics, code (commits and uncommitted changes) and data versions.
// The code text comes from the host on request ('compare/diff/get').
import type { RunDiff } from '../../../src/protocol/compare.js';
import { formatNumber, h } from '../shared/dom.js';
import type { Run } from './runModel.js';
import { shortHash } from '../shared/shortHash.js';

const maxDiffLines = 4000;

export type DiffCode =
  { kind: 'loading' } | { kind: 'loaded'; diff: RunDiff } | { kind: 'error'; message: string };

function valueText(v: unknown): string {
  if (v === undefined) return '—';
  if (v === null) return 'null';
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function table(
  title: string,
  a: Run,
  b: Run,
  keys: string[],
  get: (r: Run, k: string) => unknown,
): HTMLElement {
  const head = h(
    'tr',
    {},
    h('th', { scope: 'col' }, title),
    h('th', { scope: 'col' }, a.row.name),
    h('th', { scope: 'col' }, b.row.name),
  );
  const rows = keys.map((k) => {
    const va = get(a, k);
    const vb = get(b, k);
    const same = valueText(va) === valueText(vb);
    return h(
      'tr',
      { className: same ? 'same' : 'changed' },
      h('th', { scope: 'row' }, k),
      h('td', {}, valueText(va)),
      h('td', {}, valueText(vb)),
    );
  });
  if (rows.length === 0) {
    rows.push(h('tr', {}, h('td', { colspan: 3, className: 'muted' }, 'none')));
  }
  return h('table', { className: 'diff-table' }, h('thead', {}, head), h('tbody', {}, ...rows));
}

/** A unified diff, its added, removed and hunk lines marked (the first 4,000 lines). */
export function diffText(text: string): HTMLElement {
  const pre = h('pre', { className: 'diff' });
  const lines = text.split('\n');
  for (const line of lines.slice(0, maxDiffLines)) {
    const cls =
      line.startsWith('+') && !line.startsWith('+++')
        ? 'add'
        : line.startsWith('-') && !line.startsWith('---')
          ? 'del'
          : line.startsWith('@@')
            ? 'hunk'
            : '';
    pre.append(h('span', { className: cls }, line), '\n');
  }
  if (lines.length > maxDiffLines) {
    pre.append(h('span', { className: 'muted' }, `… ${lines.length - maxDiffLines} more lines`));
  }
  return pre;
}

/** Renders the diff of runs a and b. */
export function renderRunDiff(a: Run, b: Run, code: DiffCode, onlyChanges: boolean): HTMLElement {
  const union = (x: Record<string, unknown>, y: Record<string, unknown>): string[] =>
    [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
  const keep = (keys: string[], get: (r: Run, k: string) => unknown): string[] =>
    onlyChanges ? keys.filter((k) => valueText(get(a, k)) !== valueText(get(b, k))) : keys;
  const param = (r: Run, k: string): unknown => r.row.params[k];
  const metric = (r: Run, k: string): unknown => r.metrics[k];
  const data = (r: Run, k: string): unknown => {
    const version = r.row.dataVersions[k];
    return version === undefined ? undefined : shortHash(version);
  };
  const commit = (r: Run): string =>
    `${r.row.commit === null ? 'no commit' : shortHash(r.row.commit)}${
      r.row.dirty ? ' + uncommitted changes' : ''
    }`;
  const codeSection = h(
    'section',
    { className: 'diff-code' },
    h('h3', {}, 'Code'),
    h(
      'p',
      {},
      h('span', { className: 'muted' }, `${a.row.name}: `),
      commit(a),
      h('br'),
      h('span', { className: 'muted' }, `${b.row.name}: `),
      commit(b),
    ),
  );
  if (code.kind === 'loading') codeSection.append(h('p', { className: 'muted' }, 'Loading diff…'));
  else if (code.kind === 'error') {
    codeSection.append(h('p', { className: 'error-text' }, code.message));
  } else {
    const d = code.diff;
    if (d.commitDiff !== null && d.commitDiff !== '') {
      codeSection.append(h('h4', {}, 'Between the commits'), diffText(d.commitDiff));
    } else {
      codeSection.append(h('p', { className: 'muted' }, 'Same commit (or unknown).'));
    }
    d.uncommitted.forEach((text, i) => {
      const run = i === 0 ? a : b;
      if (text !== null && text !== '') {
        codeSection.append(h('h4', {}, `Uncommitted changes of ${run.row.name}`), diffText(text));
      }
    });
  }
  return h(
    'div',
    { className: 'run-diff' },
    table('param', a, b, keep(union(a.row.params, b.row.params), param), param),
    table('metric', a, b, keep(union(a.metrics, b.metrics), metric), metric),
    table('data', a, b, keep(union(a.row.dataVersions, b.row.dataVersions), data), data),
    codeSection,
  );
}
