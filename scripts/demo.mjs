// The main job: prepares the demo ML project (a Git repository with data versions, recorded runs
// and models) and opens it in VS Code with the Cairn extension loaded.
//
//   npm run demo                      prepare .demo/workspace (once) and open it
//   npm run demo -- --fresh           prepare it anew
//   npm run demo -- --port 8080       the port of the VS Code server in the browser (default 8080)
//   npm run demo -- --prepare-only    prepare and stop
//
// With a desktop VS Code (`code` on the PATH and a display), it opens there with
// --extensionDevelopmentPath. Otherwise it serves the VS Code server from the test host
// (code-server, installed once) and prints the address to open in your browser.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { root, startVsCodeServer, workbenchUrl } from './vscodeHost.mjs';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const workspace = path.resolve(option('--workspace', path.join(root, '.demo', 'workspace')));
const rows = option('--rows', process.env.CAIRN_DEMO_ROWS ?? '80000');
const cli = path.join(root, 'dist', 'cli.js');

function say(text) {
  process.stdout.write(`${text}\n`);
}

function run(cmd, argv, options = {}) {
  const r = spawnSync(cmd, argv, {
    cwd: workspace,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    env: demoEnv(),
    ...options,
  });
  if (r.status !== 0) {
    throw new Error(
      `${cmd} ${argv.join(' ')} failed (exit ${r.status ?? r.signal}):\n${r.stderr || r.stdout}`,
    );
  }
  return r.stdout;
}

function demoEnv() {
  return {
    ...process.env,
    GIT_AUTHOR_NAME: 'Ada Lovelace',
    GIT_AUTHOR_EMAIL: 'ada@example.com',
    GIT_COMMITTER_NAME: 'Ada Lovelace',
    GIT_COMMITTER_EMAIL: 'ada@example.com',
  };
}

const cairn = (...argv) => run(process.execPath, [cli, ...argv]);
const git = (...argv) => run('git', argv);

/** A small real ML project with history: code, two data versions, runs on each, models. */
function prepare() {
  fs.rmSync(workspace, { recursive: true, force: true });
  fs.mkdirSync(workspace, { recursive: true });
  fs.cpSync(path.join(root, 'demo'), workspace, { recursive: true });
  // The training script imports TensorFlow.js; the demo borrows Cairn's copy.
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(workspace, 'node_modules'));
  const step = (text) => say(`  ${text}`);
  say(`Preparing the demo project in ${workspace}`);
  git('init', '-q', '-b', 'main');
  // The demo's own identity, so that a user's commits in it work on a machine without one.
  git('config', 'user.name', 'Ada Lovelace');
  git('config', 'user.email', 'ada@example.com');
  git('add', '-A');
  git('commit', '-qm', 'Churn model: training code and parameters');
  step('data v1 ...');
  run(process.execPath, ['make_data.mjs', '--version', '1', '--rows', rows]);
  cairn('add', 'data');
  git('add', '-A');
  git('commit', '-qm', 'Customer data v1');
  step('training on data v1 (TensorFlow.js, two learning rates, and Python) ...');
  cairn('run', 'train', '-p', 'lr=0.01', '--name', 'baseline');
  cairn('run', 'train', '-p', 'lr=0.05', '--name', 'faster lr');
  cairn('run', 'train-py', '--name', 'train-py');
  git('add', '-A');
  git('commit', '-qm', 'Train churn models on data v1');
  git('tag', 'v1');
  step('data v2: a quarter later, with a new region and higher charges ...');
  run(process.execPath, ['make_data.mjs', '--version', '2', '--rows', rows]);
  cairn('add', 'data');
  git('add', '-A');
  git('commit', '-qm', 'Customer data v2');
  step('a sweep on data v2 ...');
  cairn('sweep', 'train', '-p', 'lr=0.02,0.05', '-p', 'hidden=8,16');
  git('add', '-A');
  git('commit', '-qm', 'Retrain on data v2');
  step('measuring how the data of the v1 runs drifted ...');
  for (const run of ['baseline', 'faster lr', 'train-py']) cairn('drift', '--run', run);
  fs.writeFileSync(path.join(workspace, '.demo-ready'), new Date().toISOString());
}

function hasDesktopCode() {
  if (process.env.CI || !(process.env.DISPLAY || process.env.WAYLAND_DISPLAY)) return false;
  return spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function serve(port) {
  // The demo's own project: trusted, so that tasks can run without a prompt.
  const { stop, server } = await startVsCodeServer({
    dataDir: path.join(root, '.demo', 'vscode'),
    port,
    trusted: true,
    env: demoEnv(),
  });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => void stop().then(() => process.exit(0)));
  }
  const url = workbenchUrl(port, workspace);
  say('');
  say(`Cairn demo ready: ${url}`);
  say('');
  say('Open that address in your browser. Then, to start:');
  say(
    '  1. Click the Cairn icon in the activity bar: Runs (by task and sweep) and Artifacts (data and models).',
  );
  say('  2. Open params.yaml or train.mjs: the CodeLenses show how each value did in past runs.');
  say(
    '  3. Select two runs and run "Cairn: Compare Runs"; "Cairn: Show Lineage" draws data → run → model.',
  );
  say('  4. In a terminal: cairn drift data/customers.csv --from v1   (what changed in the data)');
  say('Press Ctrl-C here to stop the server.');
  await new Promise((resolve) => server.once('exit', resolve));
}

async function main() {
  if (!fs.existsSync(cli))
    throw new Error('dist/cli.js is missing: run `npm run build` first (npm run demo does)');
  if (flag('--fresh') || !fs.existsSync(path.join(workspace, '.demo-ready'))) prepare();
  else say(`Using the demo project in ${workspace} (npm run demo -- --fresh prepares it anew)`);
  if (flag('--prepare-only')) return;
  if (hasDesktopCode() && !flag('--browser')) {
    say('Opening it in VS Code ...');
    spawnSync('code', ['--extensionDevelopmentPath', root, workspace], { stdio: 'inherit' });
    return;
  }
  await serve(Number(option('--port', process.env.CAIRN_DEMO_PORT ?? '8080')));
}

main().catch((err) => {
  process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
