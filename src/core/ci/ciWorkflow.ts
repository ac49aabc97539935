// `cairn ci`: a CI workflow that pulls data, runs the tasks whose inputs changed, pushes data,
// models and runs, and posts the report on the pull request; a weekly retraining check. Every
// `run:` line is plain shell (no `${{ }}` inside), so the tests execute the steps as written.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CairnError } from '../errors.js';
import { gitMaybe } from '../git/git.js';
import { readConfig, type RemoteConfig } from '../project/config.js';
import { CONFIG_FILE, POINTER_SUFFIX, type Project } from '../project/project.js';
import { readTasks } from '../runs/taskConfig.js';

export type CiKind = 'github' | 'gitlab';

export const CI_FILES: Record<CiKind, string> = {
  github: '.github/workflows/cairn.yml',
  gitlab: '.gitlab-ci.yml',
};

/** A step of the generated workflow: what it does, and the shell line that does it. */
export interface CiStep {
  readonly name: string;
  readonly run: string;
  /** Only on a pull request (merge request). */
  readonly onPullRequest?: boolean;
}

/** The secrets the remote needs, as environment variables the CI provides. */
function secretsFor(remote: RemoteConfig | undefined): string[] {
  if (remote?.kind === 's3') return ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];
  if (remote?.kind === 'ssh') return ['CAIRN_SSH_KEY', 'CAIRN_SSH_KNOWN_HOSTS'];
  return [];
}

function defaultRemote(project: Project): RemoteConfig | undefined {
  const { remotes } = readConfig(project);
  return remotes.find((r) => r.isDefault) ?? (remotes.length === 1 ? remotes[0] : undefined);
}

/** The train job's steps, in order; `BASE` is the environment variable holding the base commit. */
export function trainSteps(project: Project, base: string): CiStep[] {
  const remote = defaultRemote(project);
  return [
    {
      name: 'Install Cairn',
      run: 'npm install -g --allow-scripts=node-pty "${CAIRN_PACKAGE:-cairn-ml}"',
    },
    ...(remote?.kind === 'ssh'
      ? [
          {
            name: 'SSH key for the remote',
            run: 'mkdir -p ~/.ssh && printf \'%s\\n\' "$CAIRN_SSH_KEY" > ~/.ssh/id_ed25519 && chmod 600 ~/.ssh/id_ed25519 && printf \'%s\\n\' "$CAIRN_SSH_KNOWN_HOSTS" >> ~/.ssh/known_hosts',
          },
        ]
      : []),
    ...(remote ? [{ name: 'Pull data and models', run: 'cairn pull' }] : []),
    { name: 'Run the tasks whose inputs changed', run: `cairn ci run --base "$${base}"` },
    ...(remote ? [{ name: 'Push data, models and runs', run: 'cairn push' }] : []),
    {
      name: 'Report',
      run: `cairn report --base "$${base}" --md --out cairn-report.md && cairn report --base "$${base}" --html --out cairn-report.html`,
    },
    { name: 'Post the report', run: 'cairn ci comment cairn-report.md', onPullRequest: true },
  ];
}

/** The weekly check's steps: install, the remote's key, pull, then cairn check. */
export function checkSteps(project: Project): CiStep[] {
  const setup = trainSteps(project, 'BASE').filter(
    (s) => s.name === 'Install Cairn' || s.name.startsWith('SSH') || s.name.startsWith('Pull'),
  );
  return [...setup, { name: 'Is the production model stale?', run: 'cairn check' }];
}

function yamlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function header(kind: CiKind, secrets: string[]): string[] {
  return [
    `# Written by 'cairn ci init --${kind}'. On a pull request: pull the data, run the tasks whose`,
    '# inputs changed, push data, models and runs, and post the report; every Monday: cairn check',
    '# (it fails when the production model was trained on data that has a newer version).',
    ...(secrets.length
      ? [`# Secrets to set in the CI's settings: ${secrets.join(', ')}.`]
      : ['# The remote needs no secrets (or none is configured: add one with cairn remote add).']),
    kind === 'github'
      ? '# Posting uses the workflow token (GITHUB_TOKEN).'
      : '# Posting needs GITLAB_TOKEN (a project access token with the api scope).',
  ];
}

function githubWorkflow(project: Project): string {
  const secrets = secretsFor(defaultRemote(project));
  const env = (extra: Record<string, string> = {}) => {
    const all = {
      ...Object.fromEntries(secrets.map((s) => [s, `\${{ secrets.${s} }}`])),
      ...extra,
    };
    const keys = Object.keys(all);
    return keys.length ? ['    env:', ...keys.map((k) => `      ${k}: ${all[k]}`)] : [];
  };
  const steps = (list: CiStep[]) =>
    list.flatMap((s) => [
      `      - name: ${s.name}`,
      ...(s.onPullRequest ? ["        if: github.event_name == 'pull_request'"] : []),
      `        run: ${yamlString(s.run)}`,
    ]);
  const setup = [
    '      - uses: actions/checkout@v4',
    '        with:',
    '          fetch-depth: 0',
    '      - uses: actions/setup-node@v4',
    '        with:',
    '          node-version: 20',
    '      - uses: actions/setup-python@v5',
    '        with:',
    "          python-version: '3.12'",
  ];
  return [
    ...header('github', secrets),
    'name: cairn',
    'on:',
    '  pull_request:',
    '  push:',
    '    branches: [main]',
    '  schedule:',
    "    - cron: '0 6 * * 1'",
    'permissions:',
    '  contents: read',
    '  pull-requests: write',
    'jobs:',
    '  train:',
    "    if: github.event_name != 'schedule'",
    '    runs-on: ubuntu-latest',
    ...env({
      BASE: '${{ github.event.pull_request.base.sha || github.event.before }}',
      GITHUB_TOKEN: '${{ secrets.GITHUB_TOKEN }}',
    }),
    '    steps:',
    ...setup,
    ...steps(trainSteps(project, 'BASE')),
    '      - uses: actions/upload-artifact@v4',
    '        with:',
    '          name: cairn-report',
    '          path: cairn-report.*',
    '  retraining-check:',
    "    if: github.event_name == 'schedule'",
    '    runs-on: ubuntu-latest',
    ...env(),
    '    steps:',
    ...setup,
    ...steps(checkSteps(project)),
    '',
  ].join('\n');
}

function gitlabWorkflow(project: Project): string {
  const secrets = secretsFor(defaultRemote(project));
  const script = (list: CiStep[]) =>
    list.map(
      (s) =>
        `    - ${yamlString(s.onPullRequest ? `if [ -n "$CI_MERGE_REQUEST_IID" ]; then ${s.run}; fi` : s.run)}`,
    );
  return [
    ...header('gitlab', secrets),
    'stages: [train, check]',
    'variables:',
    '  GIT_DEPTH: 0',
    'cairn-train:',
    '  stage: train',
    '  image: node:20',
    '  rules:',
    '    - if: $CI_PIPELINE_SOURCE == "merge_request_event"',
    '    - if: $CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH',
    '  before_script:',
    '    - \'export BASE="${CI_MERGE_REQUEST_DIFF_BASE_SHA:-$CI_COMMIT_BEFORE_SHA}"\'',
    '  script:',
    ...script(trainSteps(project, 'BASE')),
    '  artifacts:',
    '    paths: [cairn-report.md, cairn-report.html]',
    'cairn-check:',
    '  stage: check',
    '  image: node:20',
    '  rules:',
    '    - if: $CI_PIPELINE_SOURCE == "schedule"',
    '  script:',
    ...script(checkSteps(project)),
    '',
  ].join('\n');
}

/** Writes the workflow; refuses to replace one that is there unless `force`. Returns its path. */
export function writeCiWorkflow(project: Project, kind: CiKind, force = false): string {
  const file = path.join(project.root, CI_FILES[kind]);
  if (fs.existsSync(file) && !force)
    throw new CairnError(
      'usage',
      `${CI_FILES[kind]} exists; pass --force to replace it, or merge the steps of 'cairn ci init --${kind} --print' into it`,
      file,
    );
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, ciWorkflowText(project, kind));
  return file;
}

export function ciWorkflowText(project: Project, kind: CiKind): string {
  return kind === 'github' ? githubWorkflow(project) : gitlabWorkflow(project);
}

/**
 * The tasks whose inputs changed between `base` and HEAD: a data dependency's pointer file, a
 * code dependency, the params file or cairn.yaml. Without a base (a first push), every task.
 */
export async function changedTasks(project: Project, base: string | undefined): Promise<string[]> {
  const tasks = readTasks(project);
  if (!base || /^0+$/.test(base)) return tasks.map((t) => t.name);
  const changed = new Set(
    (
      (await gitMaybe(project.root, ['diff', '--name-only', `${base}...HEAD`])) ??
      (await gitMaybe(project.root, ['diff', '--name-only', base, 'HEAD'])) ??
      ''
    )
      .split('\n')
      .filter(Boolean),
  );
  if (changed.has(CONFIG_FILE)) return tasks.map((t) => t.name);
  const touches = (dep: string) =>
    [...changed].some(
      (f) => f === dep || f === dep + POINTER_SUFFIX || f.startsWith(dep.replace(/\/?$/, '/')),
    );
  return tasks
    .filter((t) => t.deps.some(touches) || (t.paramsFile !== undefined && touches(t.paramsFile)))
    .map((t) => t.name);
}
