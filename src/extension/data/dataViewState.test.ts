import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { columnDrift, DRIFT_THRESHOLDS, type DriftReport } from '../../core/data/drift.js';
import { profileTable, type DataProfile } from '../../core/data/profile.js';
import { isDriftHostMessage, isDriftState, isDriftWebviewMessage } from '../../protocol/drift.js';
import {
  isProfileHostMessage,
  isProfileState,
  isProfileWebviewMessage,
} from '../../protocol/profile.js';
import { driftState, profileState } from './dataViewState.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join('test/fixtures/data', name), 'utf8'));

describe('data view state', () => {
  it('maps a real profile of a CSV, with NaN and missing statistics, to a valid state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-views-'));
    try {
      const file = join(dir, 't.csv');
      const rows = ['x,name,empty'];
      for (let i = 0; i < 200; i++) rows.push(`${i % 10},${i % 3 === 0 ? 'a' : 'b'},`);
      writeFileSync(file, rows.join('\n') + '\n');
      const p = await profileTable({ rel: 'data/t.csv', abs: file });
      const s = profileState(p, { rev: 'v1', commit: 'abc', canCompare: true });
      assert.ok(isProfileState(s));
      assert.equal(s.rev, 'v1');
      assert.equal(s.profile.kind, 'table');
      if (s.profile.kind !== 'table') return;
      const [x, name, empty] = s.profile.columns;
      assert.equal(x!.type, 'number');
      assert.equal(x!.mean, 4.5);
      assert.equal(
        x!.histogram!.counts.reduce((a, b) => a + b, 0),
        200,
      );
      assert.equal(name!.type, 'string');
      assert.equal(name!.mean, null);
      assert.deepEqual(name!.topValues.map((v) => v.value).sort(), ['a', 'b']);
      assert.equal(empty!.type, 'empty');
      assert.equal(empty!.missingRate, 1);
      // NaN and infinities survive JSON as strings and still pass the guard.
      const odd = profileState({
        ...p,
        columns: [{ ...p.columns[0]!, mean: NaN, max: Infinity }],
      });
      const back: unknown = JSON.parse(
        JSON.stringify({ type: 'profile/state/didChange', state: odd }),
      );
      assert.ok(isProfileHostMessage(back));
      assert.equal(
        back.type === 'profile/state/didChange' &&
          back.state.profile.kind === 'table' &&
          back.state.profile.columns[0]!.mean,
        'NaN',
      );
      // Two versions of a column drift as core says, and the drift state is valid.
      const q = await profileTable({ rel: 'data/t.csv', abs: file }, { keepSample: true });
      const c = columnDrift('x', q.columns[0], undefined);
      const report: DriftReport = {
        path: 'data/t.csv',
        from: { rev: 'v1', commit: 'abc', rows: 200 },
        to: { rev: 'workspace', rows: 0 },
        columns: [c],
        summary: 'x removed',
      };
      const d = driftState(report, DRIFT_THRESHOLDS);
      assert.ok(isDriftState(d));
      assert.equal(d.columns[0]!.to, null);
      assert.equal(d.to.commit, null);
      assert.equal(d.columns[0]!.from!.mean, 4.5);
      assert.ok(!('sample' in d.columns[0]!.from!), 'samples stay in the host');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('maps the CLI outputs of real drift reports (table, hostile names, images)', () => {
    for (const name of ['customers-drift.json', 'hostile-drift.json', 'images-drift.json']) {
      const d = driftState(fixture(name) as DriftReport, DRIFT_THRESHOLDS);
      assert.ok(isDriftState(d), name);
      assert.ok(isDriftHostMessage({ type: 'drift/state/didChange', state: d }));
      assert.deepEqual(
        d.columns.map((c) => c.drifted),
        [...d.columns.map((c) => c.drifted)].sort((a, b) => Number(b) - Number(a)),
        'flagged first',
      );
    }
    const img = driftState(fixture('images-drift.json') as DriftReport, DRIFT_THRESHOLDS);
    assert.equal(img.images!.to.classes.length, 4);
    for (const name of ['customers-profile.json', 'hostile-profile.json', 'images-profile.json']) {
      assert.ok(isProfileState(profileState(fixture(name) as DataProfile)), name);
    }
  });

  it('rejects malformed states and messages', () => {
    const good = driftState(fixture('hostile-drift.json') as DriftReport, DRIFT_THRESHOLDS);
    assert.ok(!isDriftState({ ...good, columns: [{ ...good.columns[0], psi: Infinity }] }));
    assert.ok(!isDriftState({ ...good, from: { rev: 1 } }));
    const p = profileState(fixture('customers-profile.json') as DataProfile);
    if (p.profile.kind !== 'table') throw new Error('table');
    const col = p.profile.columns[0]!;
    const bad = {
      ...p,
      profile: { ...p.profile, columns: [{ ...col, histogram: { edges: [1], counts: [1, 2] } }] },
    };
    assert.ok(!isProfileState(bad));
    assert.ok(!isProfileHostMessage({ type: 'profile/state/didChange' }));
    // What the pages may ask: nothing that names a revision or a path of its own.
    assert.ok(isDriftWebviewMessage({ type: 'drift/profile/open', side: 'from' }));
    assert.ok(!isDriftWebviewMessage({ type: 'drift/profile/open', side: '../../etc' }));
    assert.ok(!isDriftWebviewMessage({ type: 'drift/column/select', column: 3 }));
    assert.ok(isDriftWebviewMessage({ type: 'drift/column/select', column: null }));
    assert.ok(isProfileWebviewMessage({ type: 'profile/data/reload' }));
    assert.ok(!isProfileWebviewMessage({ type: 'profile/run/everything' }));
    assert.ok(!isProfileWebviewMessage({ type: 'toString' }));
  });
});
