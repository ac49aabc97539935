// The model registry in Git tags, through the built CLI on real repositories: a run's model is
// registered, promoted, pushed with its tags, and got byte-identical in a fresh clone; tags made
// the way GTO makes them read the same; cairn check flags newer and drifted data.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { makeTrainingRepo, runIds, show } from '../core/testing/executorProject.js';
import { cairn, gitSync, tempDir } from '../core/testing/tempProject.js';

interface VersionJson {
  name: string;
  version: string;
  commit: string;
  path: string;
  hash: string;
  run: string | null;
  metrics: Record<string, number>;
  data: { path: string; hash: string }[];
  stages: string[];
  dataState?: { path: string; state: string }[];
}

function json<T>(dir: string, ...args: string[]): T {
  const r = cairn(dir, ...args, '--json');
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

function models(dir: string) {
  return json<{
    models: { name: string; stages: Record<string, string>; versions: VersionJson[] }[];
  }>(dir, 'model', 'ls').models;
}

function fails(dir: string, pattern: RegExp, ...args: string[]): void {
  const r = cairn(dir, ...args);
  assert.notEqual(r.code, 0, `${args.join(' ')} should fail`);
  assert.match(r.stderr, pattern, args.join(' '));
}

/** Rewrites data/train.csv (x, y rows) and versions it. */
function newData(dir: string, rows: string[]): void {
  fs.writeFileSync(path.join(dir, 'data', 'train.csv'), ['x,y', ...rows].join('\n') + '\n');
  assert.equal(cairn(dir, 'add', 'data/train.csv').code, 0);
}

describe('the model registry', () => {
  let dir: string;
  /** The model that v1.3.0 (prod) names. */
  let modelBytes: Buffer;
  const trainAndCommit = (lr?: string) => {
    const r = cairn(dir, 'run', 'train', ...(lr ? ['-p', `lr=${lr}`] : []));
    assert.equal(r.code, 0, r.stderr);
    gitSync(dir, 'add', '-A');
    gitSync(dir, 'commit', '-q', '-m', `train lr=${lr ?? 'default'}`);
  };
  before(() => {
    dir = makeTrainingRepo();
    trainAndCommit('0.1');
  });

  test("register: a tag on the commit, with the run's metrics and data in its message", () => {
    const v = json<VersionJson>(dir, 'model', 'register', 'models/model.pkl', '--name', 'churn');
    assert.equal(v.version, 'v0.0.1', 'the first version without --version');
    const [runId] = runIds(dir);
    const run = show(dir, runId!);
    assert.equal(run.params['lr'], 0.1);
    assert.equal(v.run, runId);
    const last = run.series['val_loss']!.value.at(-1);
    assert.equal(v.metrics['val_loss'], last);
    assert.deepEqual(
      v.data.map((d) => d.path),
      ['data/train.csv'],
    );
    assert.equal(v.commit, gitSync(dir, 'rev-parse', 'HEAD').trim());
    assert.equal(gitSync(dir, 'cat-file', '-t', 'churn@v0.0.1').trim(), 'tag', 'annotated');
    assert.match(
      gitSync(dir, 'tag', '-l', '--format=%(contents)', 'churn@v0.0.1'),
      /^Registering artifact churn version v0\.0\.1\n/,
    );
    fails(
      dir,
      /churn@v0\.0\.1 is registered on this commit \(\w+\) already; a commit holds one version/,
      'model',
      'register',
      'models/model.pkl',
      '--name',
      'churn',
      '--version',
      '1.3.0',
    );
    trainAndCommit('0.05');
    modelBytes = fs.readFileSync(path.join(dir, 'models', 'model.pkl'));
    const again = json<VersionJson>(
      dir,
      'model',
      'register',
      'models/model.pkl',
      '--name',
      'churn',
      '--version',
      '1.3.0',
    );
    assert.equal(again.version, 'v1.3.0');
    assert.notEqual(again.hash, v.hash, 'another model version');
    fails(
      dir,
      /churn@v1\.3\.0 exists already \(commit \w+\); choose another version/,
      'model',
      'register',
      'models/model.pkl',
      '--name',
      'churn',
      '--version',
      'v1.3.0',
    );
    trainAndCommit('0.2');
    const next = json<VersionJson>(dir, 'model', 'register', 'models/model.pkl', '--name', 'churn');
    assert.equal(next.version, 'v1.3.1', 'the next patch version');
  });

  test('promote and demote: GTO stage tags, numbered per model', () => {
    json(dir, 'model', 'promote', 'churn@v1.3.0', '--stage', 'prod');
    assert.ok(gitSync(dir, 'tag', '-l', 'churn#prod#1').includes('churn#prod#1'));
    assert.deepEqual(models(dir)[0]!.stages, { prod: 'v1.3.0' });
    json(dir, 'model', 'promote', 'churn@v1.3.1', '--stage', 'staging');
    json(dir, 'model', 'demote', 'churn', '--stage', 'prod');
    assert.ok(gitSync(dir, 'tag', '-l', 'churn#prod!#3').includes('churn#prod!#3'));
    assert.deepEqual(models(dir)[0]!.stages, { staging: 'v1.3.1' });
    json(dir, 'model', 'promote', 'churn@v1.3.0', '--stage', 'prod');
    const [churn] = models(dir);
    assert.deepEqual(churn!.stages, { prod: 'v1.3.0', staging: 'v1.3.1' });
    assert.deepEqual(
      churn!.versions.map((v) => [v.version, v.stages]),
      [
        ['v1.3.1', ['staging']],
        ['v1.3.0', ['prod']],
        ['v0.0.1', []],
      ],
    );
    // The lineage graph carries the registry: the version's node knows its name and stages.
    const graph = json<{
      nodes: {
        path?: string;
        hash?: string;
        registered?: { name: string; version: string; stages: string[] }[];
      }[];
    }>(dir, 'lineage');
    const v130 = churn!.versions.find((v) => v.version === 'v1.3.0')!;
    const node = graph.nodes.find((n) => n.path === v130.path && n.hash === v130.hash);
    assert.deepEqual(node?.registered, [{ name: 'churn', version: 'v1.3.0', stages: ['prod'] }]);
    const text = cairn(dir, 'model', 'ls');
    assert.match(text.stdout, /^churn {2}\(prod: v1\.3\.0, staging: v1\.3\.1\)/m);
    assert.match(
      text.stdout,
      /v1\.3\.0\s+prod\s+\w+\s+\S+\s+loss=\S+ val_loss=\S+\s+data\/train\.csv: current/,
    );
  });

  test('bad input: an unknown model, a missing version, names GTO would reject', () => {
    fails(dir, /No registered model 'nope'; the models are: churn/, 'model', 'get', 'nope#prod');
    fails(
      dir,
      /churn has no version v9\.9\.9; its versions are: v1\.3\.1, v1\.3\.0, v0\.0\.1/,
      'model',
      'promote',
      'churn@v9.9.9',
      '--stage',
      'prod',
    );
    fails(
      dir,
      /'Churn_Model' is not a model name the registry \(GTO's tag format\) accepts/,
      'model',
      'register',
      'models/model.pkl',
      '--name',
      'Churn_Model',
    );
    fails(dir, /'PROD' is not a stage name/, 'model', 'promote', 'churn@v1.3.0', '--stage', 'PROD');
    fails(
      dir,
      /'1\.3' is not a version the registry accepts/,
      'model',
      'register',
      'models/model.pkl',
      '--name',
      'churn',
      '--version',
      '1.3',
    );
    fails(dir, /No version of churn is in stage qa/, 'model', 'get', 'churn#qa');
    fails(
      dir,
      /churn@v1\.3\.0 is in stage prod already/,
      'model',
      'promote',
      'churn@v1.3.0',
      '--stage',
      'prod',
    );
    fails(
      dir,
      /data\/train\.csv\.cairn|is not tracked/,
      'model',
      'register',
      'nothing.pkl',
      '--name',
      'x',
    );
  });

  test('tags made the way GTO makes them read the same', () => {
    fs.writeFileSync(
      path.join(dir, 'artifacts.yaml'),
      'legacy:\n  path: models/model.pkl\n  type: model\n',
    );
    gitSync(dir, 'add', 'artifacts.yaml');
    gitSync(dir, 'commit', '-q', '-m', 'gto artifacts');
    gitSync(dir, 'tag', '-a', 'legacy@v2.0.0', '-m', 'Registering artifact legacy version v2.0.0');
    gitSync(
      dir,
      'tag',
      '-a',
      'legacy#staging#1',
      '-m',
      'Assigning stage staging to artifact legacy version v2.0.0',
    );
    const legacy = models(dir).find((m) => m.name === 'legacy')!;
    assert.deepEqual(legacy.stages, { staging: 'v2.0.0' });
    assert.equal(legacy.versions[0]!.path, 'models/model.pkl');
    assert.equal(legacy.versions[0]!.hash, models(dir)[0]!.versions[0]!.hash);
  });

  test('push with the tags: a fresh clone gets the prod model byte-identical', () => {
    const bare = path.join(tempDir('cairn-origin-'), 'origin.git');
    gitSync(dir, 'init', '-q', '--bare', bare);
    const store = tempDir('cairn-remote-');
    assert.equal(cairn(dir, 'remote', 'add', 'shared', store).code, 0);
    gitSync(dir, 'commit', '-qam', 'remote');
    gitSync(dir, 'remote', 'add', 'origin', bare);
    gitSync(dir, 'push', '-q', 'origin', 'main', '--tags');
    const pushed = cairn(dir, 'push');
    assert.equal(pushed.code, 0, pushed.stderr);
    const clone = path.join(tempDir('cairn-clone-'), 'clone');
    gitSync(path.dirname(clone), 'clone', '-q', '-b', 'main', bare, clone);
    const r = cairn(clone, 'model', 'get', 'churn#prod', '--out', 'prod.pkl');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Wrote churn@v1\.3\.0 .* to prod\.pkl, fetched from the remote/);
    assert.deepEqual(fs.readFileSync(path.join(clone, 'prod.pkl')), modelBytes);
    fails(
      clone,
      /prod\.pkl exists; remove it, choose another place with --out, or pass --force/,
      'model',
      'get',
      'churn#prod',
      '--out',
      'prod.pkl',
    );
  });

  test('check: newer data, drifted or not, makes the prod model stale; a retrained one is current', () => {
    let r = cairn(dir, 'check');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /churn@v1\.3\.0 \(prod\) is current: it was trained on data\/train\.csv/,
    );
    const rows = fs
      .readFileSync(path.join(dir, 'data', 'train.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
    newData(dir, [...rows, ...rows]); // the same distribution, twice the rows
    r = cairn(dir, 'check');
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /is stale: data\/train\.csv was \w+ when it was trained and is \w+ now; its columns did not drift\. Newer data exists/,
    );
    newData(
      dir,
      rows.map((l) =>
        l
          .split(',')
          .map((v) => String(Number(v) + 25))
          .join(','),
      ),
    );
    r = cairn(dir, 'check', '--model', 'churn#prod', '--json');
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as {
      stale: boolean;
      models: { inputs: { state: string; columns: string[] }[]; paragraph: string }[];
    };
    assert.equal(out.stale, true);
    assert.equal(out.models[0]!.inputs[0]!.state, 'drifted');
    assert.match(out.models[0]!.paragraph, /and it drifted \(data\/train\.csv: x/);
    // Retrain on the new data, register and promote: current again.
    trainAndCommit();
    json(dir, 'model', 'register', 'models/model.pkl', '--name', 'churn');
    json(dir, 'model', 'promote', 'churn@v1.3.2', '--stage', 'prod');
    r = cairn(dir, 'check');
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /churn@v1\.3\.2 \(prod\) is current/);
  });
});
