import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ids } from '../../../src/extension/ids.js';
import type { RunNode } from '../../../src/extension/runs/runTree.js';
import type { CompareState } from '../../../src/protocol/compare.js';
import type { LineageState } from '../../../src/protocol/lineage.js';
import type { RunPageState } from '../../../src/protocol/runPage.js';
import {
  answerMessages,
  cairn,
  contextKeys,
  pageMessages,
  waitFor,
  workspaceRoot,
} from '../helpers.js';

/** Runs a task and waits for its process to end; returns the exit code. */
async function runToEnd(task: vscode.Task): Promise<number | undefined> {
  const ended = new Promise<number | undefined>((resolve) => {
    const sub = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution.task.name === task.name) {
        sub.dispose();
        resolve(e.exitCode);
      }
    });
  });
  await vscode.tasks.executeTask(task);
  return ended;
}

async function runNodes(): Promise<RunNode[]> {
  const { runTree } = await cairn();
  const out: RunNode[] = [];
  const walk = (nodes: RunNode[]): void => {
    for (const n of nodes) {
      if (n.type === 'run') out.push(n);
      else walk(runTree.getChildren(n));
    }
  };
  walk(runTree.getChildren());
  return out;
}

async function codeLenses(file: string): Promise<vscode.CodeLens[]> {
  const uri = vscode.Uri.file(file);
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  return vscode.commands.executeCommand<vscode.CodeLens[]>(
    'vscode.executeCodeLensProvider',
    uri,
    100,
  );
}

async function lensTitles(file: string): Promise<string[]> {
  return (await codeLenses(file)).map((l) => l.command?.title ?? '');
}

describe('runs', () => {
  let root: string;

  before(async () => {
    root = workspaceRoot();
    await cairn();
  });

  it('offers the tasks of cairn.yaml under Run Task, and records a run of one in a terminal', async () => {
    const { runs, runTree } = await cairn();
    assert.deepEqual(runs.all(), []);
    const tasks = await vscode.tasks.fetchTasks({ type: ids.taskType });
    const train = tasks.find((t) => t.name === 'train');
    assert.ok(train, `no train task among ${tasks.map((t) => t.name).join(', ')}`);
    assert.equal(await runToEnd(train), 0);
    // No refresh: the view notices the run by itself, though the project had no runs folder when
    // the view was first filled (a new project's first run stayed invisible until Refresh).
    const [taskNode] = await waitFor('the run in the Runs view', () => {
      const roots = runTree.getChildren();
      return roots.length > 0 ? roots : undefined;
    });
    assert.equal(runTree.getTreeItem(taskNode!).label, 'train');
    const [run] = await runNodes();
    assert.ok(run?.type === 'run');
    assert.equal(run.run.status, 'completed');
    const item = runTree.getTreeItem(run);
    const acc = run.run.latest['val_acc'];
    assert.ok(acc !== undefined && acc > 0.5, `val_acc ${acc}`);
    assert.match(
      String(item.description),
      new RegExp(`^val_acc ${acc} · val_loss [\\d.]+ · just now$`),
    );
    assert.equal(item.contextValue, 'cairn.run.completed.task');
    // The model the run wrote is versioned, and its version names the run.
    const pointer = fs.readFileSync(path.join(root, 'models', 'model.pkl.cairn'), 'utf8');
    assert.match(pointer, new RegExp(run.run.id));
  });

  it('shows how runs did in CodeLenses on the params file and the training script', async () => {
    const { runs } = await cairn();
    const acc = runs.all()[0]!.latest['val_acc']!;
    const params = await lensTitles(path.join(root, 'params.yaml'));
    assert.ok(
      params.includes(`lr = 0.01 → val_acc ${acc} in 1 run`),
      `params.yaml lenses: ${params.join(' | ')}`,
    );
    const script = await lensTitles(path.join(root, 'train.py'));
    assert.ok(script.includes('▶ Run train'), `train.py lenses: ${script.join(' | ')}`);
    assert.ok(script.includes('Sweep') && script.includes('Compare'));
    assert.ok(
      script.includes(`lr = 0.01 → val_acc ${acc} in 1 run`),
      `train.py lenses: ${script.join(' | ')}`,
    );
    // One run: its value once, not "latest 0.47 · best 0.47".
    assert.ok(
      script.some((t) => /(^|·\s+)val_loss [\d.]+ in 1 run(\s+·|$)/.test(t)),
      `train.py lenses: ${script.join(' | ')}`,
    );
    assert.ok(!script.some((t) => /latest .* best/.test(t)), script.join(' | '));
  });

  it('runs with an override, then compares the runs of the task', async () => {
    const { runs } = await cairn();
    const acc = runs.all()[0]!.latest['val_acc']!;
    // A cairn task in tasks.json, with an override: the provider resolves it.
    fs.mkdirSync(path.join(root, '.vscode'), { recursive: true });
    fs.writeFileSync(
      path.join(root, '.vscode', 'tasks.json'),
      JSON.stringify({
        version: '2.0.0',
        tasks: [{ type: 'cairn', task: 'train', params: { lr: 0.1 }, label: 'train fast' }],
      }),
    );
    await waitFor('the tasks.json task', async () =>
      (await vscode.tasks.fetchTasks({ type: ids.taskType })).find((t) => t.name === 'train fast'),
    );
    const ended = new Promise<number | undefined>((resolve) => {
      const sub = vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution.task.name === 'train fast') {
          sub.dispose();
          resolve(e.exitCode);
        }
      });
    });
    // The end of the run is announced, offering to compare it with the run before it.
    const pages = await pageMessages();
    const answers = answerMessages(['Compare with Previous']);
    try {
      await vscode.commands.executeCommand('workbench.action.tasks.runTask', 'train fast');
      assert.equal(await ended, 0);
      await waitFor('the completion notification', () => {
        const found = answers.asked.find((m) => /^Cairn: run .* completed: .*val_acc \d/.test(m));
        if (!found) throw new Error(`asked: ${answers.asked.join(' | ')}`);
        return found;
      });
    } finally {
      answers.restore();
    }
    await waitFor('two runs', () => (runs.all().length === 2 ? true : undefined));
    assert.equal(runs.all()[0]!.params['lr'], 0.1);
    const offered = await waitFor(
      'the compare state the notification opened',
      () => pages.stateOf<CompareState>('compare/state/didChange'),
      30_000,
    );
    assert.deepEqual(
      offered.runs.map((x) => x.params['lr']),
      [0.01, 0.1],
      'the previous run, then the new one',
    );
    const lenses = await lensTitles(path.join(root, 'params.yaml'));
    assert.ok(
      lenses.some((t) => t.startsWith(`lr = 0.01 → val_acc ${acc} in 1 run`)),
      lenses.join(' | '),
    );
    // A click on a param lens compares the runs with that value and the run the lens names.
    const lens = (await codeLenses(path.join(root, 'params.yaml'))).find((l) =>
      l.command?.title.startsWith('lr = 0.01 →'),
    );
    const named = ((lens?.command?.arguments?.[1] ?? []) as RunNode[]).map((n) =>
      n.type === 'run' ? n.run.params['lr'] : undefined,
    );
    assert.ok(named.includes(0.01), `the lens compares ${named.join(', ')}`);
    if (lens?.command?.title.includes('0.1 gave')) assert.ok(named.includes(0.1), named.join());
    await vscode.commands.executeCommand(ids.commands.compare);
    // The compare webview opens as a tab, its page loads and asks for the state.
    await waitFor('the compare panel', () => webviewTab('Compare runs'), 30_000);
    const state = await waitFor(
      'the compare state the page received',
      () => pages.stateOf<CompareState>('compare/state/didChange'),
      30_000,
    );
    assert.deepEqual(state.runs.map((x) => x.params['lr']).sort(), [0.01, 0.1]);
    assert.equal(state.goals['val_acc'], 'max');
    assert.ok(
      state.series.some((x) => x.metric === 'val_acc'),
      'step series for the charts',
    );
  });

  it("opens a finished run's page from the Runs view: params, metrics, versions, code, log", async () => {
    const { runTree } = await cairn();
    const pages = await pageMessages();
    const fast = (await runNodes()).find((n) => n.type === 'run' && n.run.params['lr'] === 0.1);
    assert.ok(fast?.type === 'run');
    const click = runTree.getTreeItem(fast).command!;
    assert.equal(click.command, ids.commands.openRun);
    await vscode.commands.executeCommand(click.command, ...((click.arguments ?? []) as unknown[]));
    const state = await waitFor(
      'the run page state',
      () => pages.stateOf<RunPageState>('run/state/didChange'),
      30_000,
    );
    await waitFor('the run page tab', () => webviewTab(`Run ${fast.run.name}`), 30_000);
    assert.equal(state.run.id, fast.run.id);
    assert.equal(state.run.status, 'completed');
    assert.deepEqual(
      state.params.find((p) => p.key === 'lr'),
      { key: 'lr', value: 0.1, overridden: true },
    );
    const acc = state.metrics.find((m) => m.name === 'val_acc');
    assert.equal(acc?.last, fast.run.metrics['val_acc']);
    assert.equal(acc?.goal, 'max');
    assert.ok(
      state.series.some((x) => x.metric === 'val_acc'),
      'a series for the chart',
    );
    assert.deepEqual(
      state.inputs.map((a) => a.path),
      ['data'],
    );
    const model = state.outputs.find((a) => a.path === 'models/model.pkl');
    assert.ok(model?.current, "the model in the work tree is this run's version");
    assert.ok(
      state.code.commit !== null && state.code.subject !== null,
      'the commit and its subject',
    );
    assert.match(state.log.tail, /val_acc/);
    // The run before it of the same task, for "Compare with Previous".
    assert.ok(state.previous !== null && state.previous.id !== fast.run.id);
  });

  it('shows a running run live, counts it in the status bar, and stops it', async function () {
    // Starting Python under a pty takes long on a loaded machine.
    this.timeout(120_000);
    const { runs, statusBar } = await cairn();
    // Stop Run is in the Command Palette only while a run runs (package.json: cairn.runActive).
    const keys = contextKeys();
    const script = path.join(root, 'slow.py');
    fs.writeFileSync(
      script,
      'import time\nfor i in range(300):\n    print(f"progress={i} loss={1 / (i + 1)}", flush=True)\n    time.sleep(0.1)\n',
    );
    const pages = await pageMessages();
    await vscode.commands.executeCommand(ids.commands.runFile, vscode.Uri.file(script));
    // No refresh anywhere: the Runs view and the run page follow the run by themselves.
    const started = Date.now();
    const node = await waitFor(
      'the new run in the Runs view while it runs',
      async () => (await runNodes()).find((n) => n.type === 'run' && n.run.status === 'running'),
      60_000,
    );
    console.log(`    the running run appeared in the Runs view after ${Date.now() - started} ms`);
    const running = node.type === 'run' ? node.run : assert.fail('not a run node');
    const progress = async (): Promise<number> => {
      const n = (await runNodes()).find((x) => x.type === 'run' && x.run.id === running.id);
      return n?.type === 'run' ? (n.run.latest['progress'] ?? -1) : -1;
    };
    await waitFor('live metrics in the Runs view', async () =>
      (await progress()) >= 3 ? true : undefined,
    );
    const first = await progress();
    await waitFor('metrics to keep arriving', async () =>
      (await progress()) > first + 2 ? true : undefined,
    );
    const description = String(
      (await cairn()).runTree.getTreeItem(
        (await runNodes()).find((n) => n.type === 'run' && n.run.id === running.id)!,
      ).description,
    );
    assert.match(description, /progress \d+/);
    // Clicking the run opens its page, which shows the metrics growing as the run logs them.
    const click = (await cairn()).runTree.getTreeItem(node).command!;
    await vscode.commands.executeCommand(click.command, ...((click.arguments ?? []) as unknown[]));
    const points = (): number | undefined => {
      const state = pages.stateOf<RunPageState>('run/state/didChange');
      return state?.run.id === running.id
        ? state.metrics.find((m) => m.name === 'progress')?.count
        : undefined;
    };
    const shown = await waitFor('the run page of the running run', points, 30_000);
    await waitFor('the run page to follow the run', () =>
      (points() ?? 0) > shown + 2 ? true : undefined,
    );
    assert.equal(pages.stateOf<RunPageState>('run/state/didChange')?.run.status, 'running');
    assert.match(statusBar.text, /\$\(sync~spin\) 1 running/);
    await waitFor('Stop Run to be offered', () => keys.valueOf(ids.contexts.runActive) === true);
    const answers = answerMessages([undefined]);
    try {
      await vscode.commands.executeCommand(ids.commands.stopRun, node);
      await waitFor(
        'the run to be stopped',
        () =>
          runs.all().find((r) => r.id === running.id)?.status === 'stopped' ? true : undefined,
        30_000,
      );
      await waitFor('the stop to be announced', () => {
        const found = answers.asked.find((m) => /^Cairn: run .* stopped\.$/.test(m));
        if (!found) throw new Error(`asked: ${answers.asked.join(' | ')}`);
        return found;
      });
    } finally {
      answers.restore();
    }
    await waitFor('Stop Run to be hidden', () => keys.valueOf(ids.contexts.runActive) === false);
    keys.restore();
  });

  it('deletes a run after confirmation', async () => {
    const { runs } = await cairn();
    const stopped = (await runNodes()).find((n) => n.type === 'run' && n.run.status === 'stopped');
    assert.ok(stopped);
    const answers = answerMessages(['Delete']);
    try {
      await vscode.commands.executeCommand(ids.commands.deleteRun, stopped, [stopped]);
    } finally {
      answers.restore();
    }
    assert.match(answers.asked[0] ?? '', /^Delete run /);
    assert.equal(runs.all().length, 2);
  });

  it('shows the lineage of the model in the lineage view', async () => {
    const pages = await pageMessages();
    await vscode.commands.executeCommand(ids.commands.showLineage);
    await waitFor('the lineage panel', () => webviewTab('Lineage'), 30_000);
    const state = await waitFor(
      'the lineage state the page received',
      () => pages.stateOf<LineageState>('lineage/state/didChange'),
      30_000,
    );
    const model = state.nodes.find((n) => n.kind === 'model' && n.path === 'models/model.pkl');
    assert.ok(model, state.nodes.map((n) => n.label).join(', '));
    const run = state.edges.find((e) => e.to === model.id && e.kind === 'output')?.from;
    assert.ok(run, 'the run that produced the model');
    const inputs = state.edges.filter((e) => e.to === run && e.kind === 'input').map((e) => e.from);
    assert.ok(
      inputs.some((id) => state.nodes.find((n) => n.id === id)?.path === 'data'),
      'the data version the run used',
    );
  });

  it('puts lenses on JavaScript entry scripts, names the task on a shared params file, and offers Create Task', async () => {
    const config = path.join(root, 'cairn.yaml');
    const before = fs.readFileSync(config, 'utf8');
    const script = path.join(root, 'train.mjs');
    fs.writeFileSync(
      script,
      'const lr = 0.01;\nconsole.log(`val_acc=${1 - lr}`);\nconsole.log(process.argv.length);\n',
    );
    // Not a task yet: the lens offers to make it one.
    const untasked = await waitFor('the Create Task lens', async () => {
      const t = await lensTitles(script);
      return t.includes('Create Task from This File') ? t : undefined;
    });
    assert.ok(!untasked.some((t) => t.startsWith('▶ Run')), untasked.join(' | '));
    try {
      fs.writeFileSync(
        config,
        before.replace(
          'tasks:\n',
          'tasks:\n  train-js:\n    cmd: node train.mjs\n    params: params.yaml\n    metrics: [stdout]\n    goal: { val_acc: max }\n',
        ),
      );
      const js = await waitFor('the lenses of the JavaScript task', async () => {
        const t = await lensTitles(script);
        return t.includes('▶ Run train-js') ? t : undefined;
      });
      assert.ok(!js.includes('Create Task from This File'), js.join(' | '));
      const params = await lensTitles(path.join(root, 'params.yaml'));
      assert.ok(
        params.some((t) => t.startsWith('train: lr = 0.01 → val_acc')),
        params.join(' | '),
      );
      assert.ok(
        params.includes('train-js: lr = 0.01 → no runs with this value'),
        params.join(' | '),
      );
    } finally {
      fs.writeFileSync(config, before);
      fs.rmSync(script, { force: true });
    }
  });

  it('puts the bundled cairn on the PATH of integrated terminals', async () => {
    const out = path.join(root, 'terminal-check.txt');
    const ptyOut = path.join(root, 'terminal-pty.txt');
    const terminal = vscode.window.createTerminal({ cwd: root, name: 'cairn check' });
    terminal.sendText(`printf %s "$CAIRN_NODE_PTY" > ${ptyOut}; cairn status --json > ${out}`);
    try {
      const text = await waitFor(
        'cairn status from a terminal',
        () => (fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : undefined),
        15000,
      );
      assert.match(text, /"path": ?"data"/);
      // Runs started there use the node-pty VS Code ships for its own runtime.
      const pty = fs.readFileSync(ptyOut, 'utf8');
      assert.equal(path.dirname(path.dirname(pty)), vscode.env.appRoot, pty);
      assert.ok(fs.existsSync(path.join(pty, 'package.json')), pty);
    } finally {
      fs.rmSync(ptyOut, { force: true });
      terminal.dispose();
    }
  });

  it('runs the bundled cairn on the editor runtime, with no node on the PATH', async () => {
    // A PATH with the shell tools and Git but no node, as on a machine where VS Code is all there is.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-no-node-'));
    const which = (tool: string): string =>
      execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
    for (const tool of ['sh', 'dirname', 'git']) fs.symlinkSync(which(tool), path.join(bin, tool));
    const out = path.join(root, 'terminal-no-node.txt');
    const terminal = vscode.window.createTerminal({ cwd: root, name: 'cairn without node' });
    terminal.sendText(
      `c=$(command -v cairn); (PATH=${bin}; command -v node || echo "no node"; "$c" status --json) > ${out} 2>&1`,
    );
    try {
      const text = await waitFor(
        'cairn status without node on the PATH',
        () => {
          const t = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
          return /\}\s*$/.test(t) || /rror/.test(t) ? t : undefined;
        },
        15000,
      );
      assert.ok(text.startsWith('no node'), text);
      assert.match(text, /"path": ?"data"/);
    } finally {
      fs.rmSync(out, { force: true });
      fs.rmSync(bin, { recursive: true, force: true });
      terminal.dispose();
    }
  });

  it('runs a tqdm training program from Run Task in a real terminal, and records its metrics', async function () {
    this.timeout(90_000);
    const { runs } = await cairn();
    const script = path.join(root, 'tqdm_train.py');
    fs.writeFileSync(
      script,
      [
        'import json, sys',
        'from tqdm import tqdm',
        'print("stdout tty", sys.stdout.isatty(), "stderr tty", sys.stderr.isatty(), flush=True)',
        'for epoch in range(3):',
        '    for _ in tqdm(range(5), desc="epoch %d" % (epoch + 1)):',
        '        pass',
        '    print(json.dumps({"epoch": epoch + 1, "loss": 1.0 / (epoch + 1)}), flush=True)',
        '',
      ].join('\n'),
    );
    // A task of cairn.yaml, as a user adds one; Run Task offers it once the file is saved.
    const config = path.join(root, 'cairn.yaml');
    const original = fs.readFileSync(config, 'utf8');
    try {
      const before = new Set(runs.all().map((r) => r.id));
      fs.writeFileSync(
        config,
        original.replace(
          'tasks:\n',
          'tasks:\n  tqdm:\n    cmd: /usr/bin/python3 tqdm_train.py\n    metrics: [stdout]\n',
        ),
      );
      // The file watcher notices the change; on a loaded machine that can take a while.
      const task = await waitFor(
        'the tqdm task under Run Task',
        async () =>
          (await vscode.tasks.fetchTasks({ type: ids.taskType })).find((t) => t.name === 'tqdm'),
        20000,
      );
      assert.equal(await runToEnd(task), 0);
      const run = await waitFor('the tqdm run recorded', () =>
        runs.all().find((r) => !before.has(r.id) && r.status === 'completed'),
      );
      assert.equal(run.latest['loss'], 1 / 3);
      const log = fs.readFileSync(path.join(root, '.cairn', 'runs', run.id, 'log'), 'utf8');
      // The program saw a terminal on both streams, and tqdm drew its bar there: it redraws with
      // carriage returns up to 5/5 for each epoch.
      assert.match(log, /stdout tty True stderr tty True/);
      assert.match(log, /epoch 3: 100%\|[^\n]*\| 5\/5/);
      assert.match(log, /\r/);
    } finally {
      fs.writeFileSync(config, original);
      fs.rmSync(script, { force: true });
    }
  });
});

/** The open webview tab with this title, if any. */
function webviewTab(label: string): vscode.Tab | undefined {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .find((t) => t.input instanceof vscode.TabInputWebview && t.label === label);
}
