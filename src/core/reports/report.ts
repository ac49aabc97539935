// `cairn report`: the runs of the head revision against the best runs of a base revision, per
// task: metrics with their change and whether it is better by the metric's goal, the params that
// changed, the data that changed and whether it drifted, the models registered or promoted in
// between, step charts and the lineage in short. Rendered as GitHub-flavoured Markdown (a pull
// request comment) or as one self-contained HTML file (any CI's artifacts).
import { CairnError } from '../errors.js';
import { shortHash } from '../format.js';
import { gitMaybe, resolveRev } from '../git/git.js';
import type { Project } from '../project/project.js';
import { versionDrift } from '../data/runDrift.js';
import { readRegistry } from '../registry/registry.js';
import { compareRecords, type Comparison } from '../runs/compare.js';
import type { ArtifactVersion, RunRecord } from '../runs/runRecord.js';
import { listRuns, readRun, readSeries, type MetricSeries } from '../runs/runStore.js';

export interface DataChange {
  readonly path: string;
  readonly base: string | null;
  readonly head: string;
  /** drifted / stable: measured between the two versions; changed: not measurable (not a table). */
  readonly verdict: 'drifted' | 'stable' | 'changed' | 'same' | 'new';
  readonly summary?: string;
}

export interface TaskReport {
  readonly task: string | null;
  readonly head: RunRecord;
  readonly base: RunRecord | null;
  /** [base, head] when there is a base run, else [head]. */
  readonly comparison: Comparison;
  readonly data: readonly DataChange[];
  readonly series: {
    readonly head: Record<string, MetricSeries>;
    readonly base: Record<string, MetricSeries>;
  };
}

export interface Report {
  readonly head: { readonly rev: string; readonly commit: string };
  readonly base: { readonly rev: string; readonly commit: string } | null;
  readonly tasks: readonly TaskReport[];
  /** Model versions registered on commits after the base, with the stages they hold now. */
  readonly models: readonly {
    name: string;
    version: string;
    stages: readonly string[];
    run: string | null;
  }[];
}

/** The best completed run among `runs`: by the first goal its task declares, else the newest. */
function best(runs: readonly RunRecord[]): RunRecord | undefined {
  const done = runs.filter((r) => r.status === 'completed');
  if (done.length === 0) return undefined;
  const goal = Object.entries(done[0]!.spec.goal)[0];
  if (!goal) return [...done].sort((a, b) => b.startMs - a.startMs)[0];
  const [metric, dir] = goal;
  const value = (r: RunRecord) => r.summary[metric]?.last;
  return [...done].sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    if (x === undefined || !Number.isFinite(x)) return 1;
    if (y === undefined || !Number.isFinite(y)) return -1;
    return dir === 'min' ? x - y : y - x;
  })[0];
}

/** The base a report compares with: the given revision, else where HEAD left main (or HEAD^). */
async function defaultBase(project: Project): Promise<string | undefined> {
  const head = (await gitMaybe(project.root, ['rev-parse', 'HEAD']))?.trim();
  for (const branch of ['origin/main', 'main', 'origin/master', 'master']) {
    const mb = (await gitMaybe(project.root, ['merge-base', 'HEAD', branch]))?.trim();
    if (mb && mb !== head) return mb;
  }
  return (await gitMaybe(project.root, ['rev-parse', '--verify', '--quiet', 'HEAD^']))?.trim();
}

async function dataChanges(
  project: Project,
  base: RunRecord | null,
  head: RunRecord,
): Promise<DataChange[]> {
  const out: DataChange[] = [];
  for (const input of head.inputs.filter((i) => i.kind === 'data')) {
    const before = base?.inputs.find((i) => i.path === input.path);
    if (!before) {
      out.push({ path: input.path, base: null, head: input.hash, verdict: base ? 'new' : 'same' });
      continue;
    }
    if (before.hash === input.hash) {
      out.push({ path: input.path, base: before.hash, head: input.hash, verdict: 'same' });
      continue;
    }
    const v = await versionDrift(
      project,
      input.path,
      before.hash,
      input.hash,
      `run ${base!.id}`,
      `run ${head.id}`,
    ).catch(() => undefined);
    const verdict: DataChange['verdict'] = v ? (v.drifted ? 'drifted' : 'stable') : 'changed';
    const summary = v?.summary;
    out.push({
      path: input.path,
      base: before.hash,
      head: input.hash,
      verdict,
      ...(summary ? { summary } : {}),
    });
  }
  return out;
}

/** Builds the report of HEAD (or `head`) against `base` (default: where HEAD left main). */
export async function buildReport(
  project: Project,
  options: { base?: string; head?: string } = {},
): Promise<Report> {
  const headRev = options.head ?? 'HEAD';
  const headCommit = await resolveRev(project.root, headRev);
  const baseRev = options.base ?? (await defaultBase(project));
  const baseCommit = baseRev ? await resolveRev(project.root, baseRev) : undefined;
  const records = listRuns(project).flatMap((r) => {
    try {
      return [readRun(project, r.id)];
    } catch {
      return [];
    }
  });
  const revList = async (range: string) =>
    ((await gitMaybe(project.root, ['rev-list', '--max-count=500', range])) ?? '')
      .split('\n')
      .filter(Boolean);
  // Head: the runs of the commits since the base (a pull request's); base: those of the newest
  // commit at or before the base that has runs.
  const headCommits = new Set(
    await revList(baseCommit ? `${baseCommit}..${headCommit}` : headCommit),
  );
  headCommits.add(headCommit);
  const withRuns = new Set(records.map((r) => r.git.commit));
  const baseRunsAt = baseCommit
    ? (await revList(baseCommit)).find((c) => withRuns.has(c))
    : undefined;
  const byTask = (commits: (c: string | null) => boolean) => {
    const m = new Map<string | null, RunRecord[]>();
    for (const r of records)
      if (commits(r.git.commit)) m.set(r.task, [...(m.get(r.task) ?? []), r]);
    return m;
  };
  const headRuns = byTask((c) => c !== null && headCommits.has(c));
  const baseRuns = byTask((c) => c !== null && c === baseRunsAt);
  if (headRuns.size === 0)
    throw new CairnError(
      'not-found',
      `No runs of ${headRev} (commit ${shortHash(headCommit)}${baseCommit ? ` or the commits since ${shortHash(baseCommit)}` : ''}) are recorded here; run the tasks first (cairn run <task>), or pull the runs (cairn pull)`,
    );
  const tasks: TaskReport[] = [];
  for (const [task, runs] of [...headRuns].sort(([a], [b]) => String(a).localeCompare(String(b)))) {
    const head = best(runs);
    if (!head) continue;
    const base = best(baseRuns.get(task) ?? []) ?? null;
    tasks.push({
      task,
      head,
      base,
      comparison: compareRecords(base ? [base, head] : [head]),
      data: await dataChanges(project, base, head),
      series: {
        head: readSeries(project, head.id),
        base: base ? readSeries(project, base.id) : {},
      },
    });
  }
  if (tasks.length === 0)
    throw new CairnError(
      'not-found',
      `No run of ${headRev} (commit ${shortHash(headCommit)}) completed; the report compares completed runs`,
    );
  const inRange = headCommits;
  const models = (await readRegistry(project)).flatMap((m) =>
    m.versions
      .filter((v) => inRange.has(v.commit))
      .map((v) => ({ name: m.name, version: v.version, stages: v.stages, run: v.run })),
  );
  return {
    head: { rev: headRev, commit: headCommit },
    base: baseRev && baseCommit ? { rev: baseRev, commit: baseCommit } : null,
    tasks,
    models,
  };
}

// ---- rendering -------------------------------------------------------------------------------

/** A number as the run views show it: up to 6 significant digits. */
export function reportNumber(v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  if (!Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(6)));
}

interface MetricLine {
  readonly name: string;
  readonly base: number | null;
  readonly head: number | null;
  readonly delta: number | null;
  /** better / worse by the goal, or null without a goal or a base. */
  readonly verdict: 'better' | 'worse' | 'same' | null;
}

export function metricLines(t: TaskReport): MetricLine[] {
  return t.comparison.metrics.map((m) => {
    const head = m.values[m.values.length - 1] ?? null;
    const base = t.base ? (m.values[0] ?? null) : null;
    const delta = head !== null && base !== null ? head - base : null;
    const verdict =
      delta === null || m.goal === null
        ? null
        : delta === 0
          ? 'same'
          : (m.goal === 'max') === delta > 0
            ? 'better'
            : 'worse';
    return { name: m.name, base, head, delta, verdict };
  });
}

const SPARK = '▁▂▃▄▅▆▇█';

/** A series as a line of block characters (for Markdown, where images cannot be inlined). */
function sparkline(values: readonly number[], width = 24): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return '';
  const step = Math.max(1, Math.ceil(values.length / width));
  const picked: number[] = [];
  for (let i = 0; i < values.length; i += step) picked.push(values[i]!);
  const [lo, hi] = [Math.min(...finite), Math.max(...finite)];
  return picked
    .map((v) =>
      Number.isFinite(v) ? SPARK[hi === lo ? 3 : Math.round(((v - lo) / (hi - lo)) * 7)] : ' ',
    )
    .join('');
}

function mdEscape(s: string): string {
  return s.replace(/[|\\`*_<>[\]]/g, '\\$&');
}

function runName(r: RunRecord): string {
  return `${r.name} (${r.id})`;
}

function lineage(t: TaskReport): string {
  const ins =
    t.head.inputs.map((i) => `${i.path} ${shortHash(i.hash)}`).join(', ') || 'no tracked data';
  const outs = t.head.outputs
    .map((o: ArtifactVersion) => `${o.path} ${shortHash(o.hash)}`)
    .join(', ');
  return `${ins} → run ${t.head.id}${outs ? ` → ${outs}` : ''}`;
}

const VERDICT_MD = { better: '✅ better', worse: '🔻 worse', same: 'same' } as const;

/** GitHub-flavoured Markdown, for a pull request comment. */
export function renderMarkdown(r: Report): string {
  const lines: string[] = [];
  lines.push(
    `## Cairn report: ${mdEscape(r.head.rev)} (${shortHash(r.head.commit)})${r.base ? ` vs ${mdEscape(r.base.rev)} (${shortHash(r.base.commit)})` : ''}`,
    '',
  );
  for (const t of r.tasks) {
    lines.push(`### ${t.task ? `Task \`${mdEscape(t.task)}\`` : 'Runs without a task'}`, '');
    lines.push(
      `Best run of head: **${mdEscape(runName(t.head))}**${t.base ? `; of base: ${mdEscape(runName(t.base))}` : '; the base has no run of it'}.`,
      '',
    );
    lines.push(
      t.base ? '| metric | base | head | change | | steps |' : '| metric | head | steps |',
      t.base ? '| --- | ---: | ---: | ---: | --- | --- |' : '| --- | ---: | --- |',
    );
    for (const m of metricLines(t)) {
      const spark = sparkline(t.series.head[m.name]?.value ?? []);
      lines.push(
        t.base
          ? `| ${mdEscape(m.name)} | ${reportNumber(m.base)} | ${reportNumber(m.head)} | ${m.delta === null ? '–' : `${m.delta > 0 ? '+' : ''}${reportNumber(m.delta)}`} | ${m.verdict ? VERDICT_MD[m.verdict] : ''} | ${spark} |`
          : `| ${mdEscape(m.name)} | ${reportNumber(m.head)} | ${spark} |`,
      );
    }
    lines.push('');
    const changed = t.comparison.params.filter((p) => p.differs);
    if (t.base && changed.length > 0) {
      lines.push('Params that changed:', '', '| param | base | head |', '| --- | --- | --- |');
      for (const p of changed)
        lines.push(
          `| ${mdEscape(p.name)} | ${mdEscape(String(p.values[0]))} | ${mdEscape(String(p.values[1]))} |`,
        );
      lines.push('');
    } else if (t.base) lines.push('No params changed.', '');
    const data = t.data.filter((d) => d.verdict !== 'same');
    if (data.length > 0) {
      lines.push('Data that changed:', '');
      for (const d of data)
        lines.push(
          `- \`${mdEscape(d.path)}\` ${d.base ? `${shortHash(d.base)} → ` : ''}${shortHash(d.head)}: ${d.verdict === 'drifted' ? '⚠️ drifted' : d.verdict === 'stable' ? 'no drift' : d.verdict === 'new' ? 'new input' : 'changed (drift not measurable)'}${d.summary ? ` — ${mdEscape(d.summary)}` : ''}`,
        );
      lines.push('');
    } else if (t.base) lines.push('No data changed.', '');
    lines.push(`Lineage: ${mdEscape(lineage(t))}`, '');
  }
  if (r.models.length > 0) {
    lines.push('### Models registered', '');
    for (const m of r.models)
      lines.push(
        `- \`${mdEscape(m.name)}@${m.version}\`${m.stages.length ? ` in ${m.stages.map((s) => `**${mdEscape(s)}**`).join(', ')}` : ''}${m.run ? ` (run ${m.run})` : ''}`,
      );
    lines.push('');
  }
  lines.push('<sub>Made by `cairn report`.</sub>', '');
  return lines.join('\n');
}

function htmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A step chart of one metric: head and base as two polylines, axes labelled with their range. */
export function stepChart(
  name: string,
  head: MetricSeries | undefined,
  base: MetricSeries | undefined,
): string {
  const W = 360;
  const H = 160;
  const pad = 32;
  const all = [head, base].filter((s): s is MetricSeries => !!s && s.step.length > 0);
  if (all.length === 0) return '';
  const xs = all.flatMap((s) => s.step);
  const ys = all.flatMap((s) => s.value.filter(Number.isFinite));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const px = (x: number) => pad + ((x - x0) / (x1 - x0 || 1)) * (W - 2 * pad);
  const py = (y: number) => H - pad - ((y - y0) / (y1 - y0 || 1)) * (H - 2 * pad);
  const line = (s: MetricSeries, cls: string) => {
    const step = Math.max(1, Math.ceil(s.step.length / 400));
    const pts: string[] = [];
    for (let i = 0; i < s.step.length; i += step)
      if (Number.isFinite(s.value[i]!))
        pts.push(`${px(s.step[i]!).toFixed(1)},${py(s.value[i]!).toFixed(1)}`);
    return `<polyline class="${cls}" fill="none" points="${pts.join(' ')}"/>`;
  };
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${htmlEscape(name)} by step">`,
    `<text x="${pad}" y="14" class="title">${htmlEscape(name)}</text>`,
    `<line class="axis" x1="${pad}" y1="${H - pad}" x2="${W - pad}" y2="${H - pad}"/>`,
    `<line class="axis" x1="${pad}" y1="${pad}" x2="${pad}" y2="${H - pad}"/>`,
    `<text x="${pad}" y="${H - 10}" class="tick">${reportNumber(x0)}</text>`,
    `<text x="${W - pad}" y="${H - 10}" class="tick" text-anchor="end">step ${reportNumber(x1)}</text>`,
    `<text x="${pad - 4}" y="${pad + 4}" class="tick" text-anchor="end">${reportNumber(y1)}</text>`,
    `<text x="${pad - 4}" y="${H - pad}" class="tick" text-anchor="end">${reportNumber(y0)}</text>`,
    ...(base && base.step.length ? [line(base, 'base')] : []),
    ...(head && head.step.length ? [line(head, 'head')] : []),
    '</svg>',
  ].join('');
}

/** One self-contained HTML file (no scripts, no external resources), light and dark. */
export function renderHtml(r: Report): string {
  const body: string[] = [];
  body.push(
    `<h1>Cairn report: ${htmlEscape(r.head.rev)} <code>${shortHash(r.head.commit)}</code>${r.base ? ` vs ${htmlEscape(r.base.rev)} <code>${shortHash(r.base.commit)}</code>` : ''}</h1>`,
  );
  for (const t of r.tasks) {
    body.push(
      `<section><h2>${t.task ? `Task <code>${htmlEscape(t.task)}</code>` : 'Runs without a task'}</h2>`,
    );
    body.push(
      `<p>Best run of head: <strong>${htmlEscape(runName(t.head))}</strong>${t.base ? `; of base: ${htmlEscape(runName(t.base))}` : '; the base has no run of it'}.</p>`,
    );
    body.push(
      `<table><thead><tr><th>metric</th>${t.base ? '<th>base</th>' : ''}<th>head</th>${t.base ? '<th>change</th><th></th>' : ''}</tr></thead><tbody>`,
    );
    for (const m of metricLines(t))
      body.push(
        `<tr><td>${htmlEscape(m.name)}</td>${t.base ? `<td class="n">${reportNumber(m.base)}</td>` : ''}<td class="n">${reportNumber(m.head)}</td>${t.base ? `<td class="n">${m.delta === null ? '–' : `${m.delta > 0 ? '+' : ''}${reportNumber(m.delta)}`}</td><td class="${m.verdict ?? ''}">${m.verdict ?? ''}</td>` : ''}</tr>`,
      );
    body.push('</tbody></table>');
    const changed = t.comparison.params.filter((p) => p.differs);
    if (t.base)
      body.push(
        changed.length
          ? `<h3>Params that changed</h3><table><thead><tr><th>param</th><th>base</th><th>head</th></tr></thead><tbody>${changed.map((p) => `<tr><td>${htmlEscape(p.name)}</td><td>${htmlEscape(String(p.values[0]))}</td><td>${htmlEscape(String(p.values[1]))}</td></tr>`).join('')}</tbody></table>`
          : '<p>No params changed.</p>',
      );
    const data = t.data.filter((d) => d.verdict !== 'same');
    if (data.length)
      body.push(
        `<h3>Data that changed</h3><ul>${data.map((d) => `<li><code>${htmlEscape(d.path)}</code> ${d.base ? `${shortHash(d.base)} → ` : ''}${shortHash(d.head)}: <span class="${d.verdict}">${d.verdict === 'stable' ? 'no drift' : d.verdict}</span>${d.summary ? ` — ${htmlEscape(d.summary)}` : ''}</li>`).join('')}</ul>`,
      );
    const charts = t.comparison.metrics
      .map((m) => stepChart(m.name, t.series.head[m.name], t.series.base[m.name]))
      .filter(Boolean);
    if (charts.length)
      body.push(
        `<h3>Steps <span class="key"><span class="head">━ head</span>${t.base ? ' <span class="base">━ base</span>' : ''}</span></h3><div class="charts">${charts.join('')}</div>`,
      );
    body.push(`<p class="lineage">Lineage: ${htmlEscape(lineage(t))}</p></section>`);
  }
  if (r.models.length)
    body.push(
      `<section><h2>Models registered</h2><ul>${r.models.map((m) => `<li><code>${htmlEscape(m.name)}@${m.version}</code>${m.stages.length ? ` in <strong>${m.stages.map(htmlEscape).join(', ')}</strong>` : ''}${m.run ? ` (run ${htmlEscape(m.run)})` : ''}</li>`).join('')}</ul></section>`,
    );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cairn report</title>
<style>
:root { color-scheme: light dark; --fg: #1f2328; --bg: #fff; --muted: #59636e; --line: #d1d9e0; --head: #0969da; --base: #bf8700; --good: #1a7f37; --bad: #cf222e; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --line: #3d444d; --head: #4493f8; --base: #d29922; --good: #3fb950; --bad: #f85149; } }
body { font: 14px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); max-width: 1100px; margin: 2em auto; padding: 0 1em; }
table { border-collapse: collapse; margin: .5em 0 1em; } th, td { border: 1px solid var(--line); padding: 4px 10px; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } .better { color: var(--good); } .worse, .drifted { color: var(--bad); }
.charts { display: flex; flex-wrap: wrap; gap: 12px; } svg { border: 1px solid var(--line); }
svg .head { stroke: var(--head); stroke-width: 1.5; } svg .base { stroke: var(--base); stroke-width: 1.5; stroke-dasharray: 4 2; }
svg .axis { stroke: var(--line); } svg text { fill: var(--muted); font-size: 10px; } svg .title { fill: var(--fg); font-size: 12px; }
.key .head { color: var(--head); } .key .base { color: var(--base); } .key { font-size: 12px; font-weight: normal; } .lineage { color: var(--muted); }
</style></head><body>
${body.join('\n')}
</body></html>
`;
}
