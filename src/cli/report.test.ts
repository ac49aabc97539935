// cairn report on a real repository: a branch that changed a param and the data, its run against
// the best run of main. The numbers are checked against `runs show --json`, not against the
// report itself.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { makeTrainingRepo, runIds, show, type RunJson } from '../core/testing/executorProject.js';
import { cairn, gitSync } from '../core/testing/tempProject.js';

const num = (v: number) => String(Number(v.toPrecision(6)));

describe('cairn report', () => {
  let dir: string;
  let base: RunJson;
  let head: RunJson;
  before(() => {
    dir = makeTrainingRepo();
    assert.equal(cairn(dir, 'run', 'train').code, 0);
    gitSync(dir, 'add', '-A');
    gitSync(dir, 'commit', '-q', '-m', 'model on main');
    base = show(dir, runIds(dir)[0]!);
    gitSync(dir, 'checkout', '-q', '-b', 'feature');
    fs.writeFileSync(path.join(dir, 'params.yaml'), 'lr: 0.02\nepochs: 5\n');
    const csv = path.join(dir, 'data', 'train.csv');
    const rows = fs.readFileSync(csv, 'utf8').trim().split('\n');
    fs.writeFileSync(
      csv,
      [
        rows[0],
        ...rows.slice(1).map((l) =>
          l
            .split(',')
            .map((v) => String(Number(v) + 30))
            .join(','),
        ),
      ].join('\n') + '\n',
    );
    assert.equal(cairn(dir, 'add', 'data/train.csv').code, 0);
    gitSync(dir, 'commit', '-q', '-am', 'new data, smaller lr');
    assert.equal(cairn(dir, 'run', 'train').code, 0);
    head = show(dir, runIds(dir)[0]!);
    gitSync(dir, 'add', '-A');
    gitSync(dir, 'commit', '-q', '-m', 'model on feature');
    assert.equal(cairn(dir, 'model', 'register', 'models/model.pkl', '--name', 'churn').code, 0);
  });

  test('Markdown: metrics with their change and verdict, params, drifted data, the model', () => {
    const r = cairn(dir, 'report', '--base', 'main');
    assert.equal(r.code, 0, r.stderr);
    const md = r.stdout;
    assert.match(md, /^## Cairn report: HEAD \(\w+\) vs main \(\w+\)/);
    assert.match(
      md,
      new RegExp(`Best run of head: \\*\\*.*\\(${head.id}\\)\\*\\*; of base: .*\\(${base.id}\\)`),
    );
    for (const metric of ['loss', 'val_loss']) {
      const b = base.series[metric]!.value.at(-1)!;
      const h = head.series[metric]!.value.at(-1)!;
      const d = h - b;
      const verdict = d < 0 ? '✅ better' : '🔻 worse';
      assert.ok(
        md.includes(
          `| ${metric.replace('_', '\\_')} | ${num(b)} | ${num(h)} | ${d > 0 ? '+' : ''}${num(d)} | ${verdict} |`,
        ),
        `${metric} row in:\n${md}`,
      );
    }
    assert.match(md, /\| lr \| 0\.05 \| 0\.02 \|/);
    assert.match(
      md,
      new RegExp(
        `- \`data/train\\.csv\` \\w+ → \\w+: ⚠️ drifted — .* between run ${base.id} and run ${head.id}`,
      ),
    );
    assert.match(md, /- `churn@v0\.0\.1` \(run \d{8}-\d{6}-\w+\)/);
    assert.match(
      md,
      new RegExp(`Lineage: data/train\\.csv \\w+ → run ${head.id} → models/model\\.pkl \\w+`),
    );
  });

  test('HTML: one self-contained file with step charts; --json for CI scripts', () => {
    const out = path.join(dir, 'report.html');
    const r = cairn(dir, 'report', '--base', 'main', '--html', '--out', 'report.html');
    assert.equal(r.code, 0, r.stderr);
    const html = fs.readFileSync(out, 'utf8');
    assert.match(html, /^<!doctype html>/);
    assert.equal((html.match(/<svg /g) ?? []).length, 2, 'a chart per metric');
    assert.match(html, /<polyline class="base"/);
    assert.match(html, /<polyline class="head"/);
    assert.doesNotMatch(html, /<script|src="http|href="http/);
    const json = JSON.parse(cairn(dir, 'report', '--base', 'main', '--json').stdout) as {
      tasks: { head: { id: string }; base: { id: string }; data: { verdict: string }[] }[];
    };
    assert.equal(json.tasks[0]!.head.id, head.id);
    assert.equal(json.tasks[0]!.base.id, base.id);
  });

  test('bad input: a base that does not exist; a revision without runs', () => {
    const r = cairn(dir, 'report', '--base', 'no-such-branch');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no-such-branch/);
    gitSync(dir, 'commit', '-q', '--allow-empty', '-m', 'nothing run');
    const none = cairn(dir, 'report', '--base', 'HEAD^');
    assert.notEqual(none.code, 0);
    assert.match(
      none.stderr,
      /No runs of HEAD \(commit \w+ or the commits since \w+\) are recorded here; run the tasks first/,
    );
  });
});
