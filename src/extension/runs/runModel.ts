import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FSWatcher } from 'chokidar';
import * as vscode from 'vscode';
import type { RunInputState } from '../../core/data/runDrift.js';
import type { RunSummary } from '../../core/runs/runRecord.js';
import type { TaskSpec } from '../../core/runs/taskConfig.js';
import { ids } from '../ids.js';
import type { WorkspaceProject } from '../shared/workspaceProject.js';
import type { ContextKeys } from '../shared/contextKeys.js';
import { engine } from '../shared/engineLoader.js';
import { errorMessage, type OperationLog } from '../shared/operationLog.js';

/** A run as the views show it: the index row, with live metrics while it runs. */
export interface RunView extends RunSummary {
  /** Latest value of each metric (from metrics.jsonl while running, else the summary). */
  readonly latest: Record<string, number>;
  /** Whether the data it used changed or drifted since (see core's runDrift). */
  readonly inputStates: RunInputState[];
}

const LIVE_DEBOUNCE_MS = 100;
/** How often SLURM is asked about this machine's cluster runs while some are open. */
const JOB_POLL_MS = Number(process.env['CAIRN_JOB_POLL_MS']) || 3000;

/** An executor of cairn.yaml, as the pickers show it. */
export interface ExecutorChoice {
  readonly name: string;
  /** `SLURM, partition gpu`, `SSH to alice@trainbox`. */
  readonly description: string;
  readonly resources: string;
}

/**
 * The recorded runs, read from the run store on first use and kept current: VS Code's watcher
 * reports changes to the run index (a run started or ended), and chokidar watches the
 * directories of running runs only, so metrics reach the views while training writes them.
 */
export class RunModel implements vscode.Disposable {
  private runs: RunView[] | undefined;
  private tasks: TaskSpec[] | undefined;
  private executors: ExecutorChoice[] | undefined;
  private jobTimer: NodeJS.Timeout | undefined;
  private polling = false;
  private pollFailures = 0;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires (debounced) when runs or their live metrics changed. */
  readonly onDidChange = this.changed.event;
  private indexWatcher: vscode.FileSystemWatcher | undefined;
  private configWatcher: vscode.FileSystemWatcher | undefined;
  private live: FSWatcher | undefined;
  private liveDirs = new Set<string>();
  /** Per running run: how much of metrics.jsonl was read, and the latest values. */
  private readonly tails = new Map<string, { offset: number; latest: Record<string, number> }>();
  private timer: NodeJS.Timeout | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly project: WorkspaceProject,
    private readonly log: OperationLog,
    private readonly contexts: ContextKeys,
  ) {
    this.subscriptions.push(project.onDidChange(() => this.reset()));
  }

  /** Every run, newest first. */
  all(): RunView[] {
    if (!this.runs) this.load();
    return this.runs ?? [];
  }

  /** The tasks of cairn.yaml (an error in it is logged and gives none). */
  taskList(): TaskSpec[] {
    if (!this.tasks) {
      const project = this.project.current;
      try {
        this.tasks = project ? engine().runs.readTasks(project) : [];
      } catch (err) {
        this.log.warn(`cairn.yaml: ${errorMessage(err)}`);
        this.tasks = [];
      }
      this.contexts.set(ids.contexts.hasTasks, this.tasks.length > 0);
      this.watchConfig();
    }
    return this.tasks;
  }

  /** The executors of cairn.yaml (an error in it is logged and gives none). */
  executorList(): ExecutorChoice[] {
    if (!this.executors) {
      const project = this.project.current;
      try {
        this.executors = project
          ? engine()
              .runs.readExecutors(project)
              .map((e) => ({
                name: e.name,
                description:
                  e.type === 'ssh'
                    ? `SSH to ${e.host}`
                    : `SLURM${e.partition ? `, partition ${e.partition}` : ''}`,
                resources: engine().runs.resourcesText(e),
              }))
          : [];
      } catch (err) {
        this.log.warn(`cairn.yaml: ${errorMessage(err)}`);
        this.executors = [];
      }
      this.watchConfig();
    }
    return this.executors;
  }

  /**
   * Asks SLURM now about this machine's open cluster runs (a run whose job ended is settled:
   * SLURM's reason, its outputs brought back), and again every few seconds while any is open.
   */
  pollJobs(): void {
    clearTimeout(this.jobTimer);
    this.jobTimer = undefined;
    const project = this.project.current;
    if (!project || this.polling) return;
    const host = os.hostname();
    const open = (this.runs ?? []).some(
      (r) => r.executor && !r.executor.settled && r.executor.submittedFrom === host,
    );
    if (!open) return;
    this.polling = true;
    void engine()
      .runs.reconcileJobs(project)
      .then(
        (settled) => {
          this.pollFailures = 0;
          if (settled.length > 0) this.refresh();
        },
        (err: unknown) => {
          // Said once; then asked less often until the executor answers again.
          if (this.pollFailures++ === 0)
            this.log.warn(`asking executors about their runs: ${errorMessage(err)}`);
        },
      )
      .finally(() => {
        this.polling = false;
        this.jobTimer ??= setTimeout(
          () => this.pollJobs(),
          this.pollFailures > 0 ? 10 * JOB_POLL_MS : JOB_POLL_MS,
        );
      });
  }

  /** Whether the runs were read (the status bar shows counts only then). */
  get loaded(): boolean {
    return this.runs !== undefined;
  }

  get running(): RunView[] {
    return this.all().filter((r) => r.status === 'running');
  }

  /** Re-reads the run store now (and cairn.yaml's tasks and executors when next asked). */
  refresh(): void {
    this.runs = undefined;
    this.tasks = undefined;
    this.executors = undefined;
    this.load();
    this.changed.fire();
  }

  private scheduleRefresh(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), LIVE_DEBOUNCE_MS);
  }

  private liveTimer: NodeJS.Timeout | undefined;

  /** New metric lines of running runs: read only what was appended, then tell the views. */
  private scheduleLive(): void {
    if (this.liveTimer) return;
    this.liveTimer = setTimeout(() => {
      this.liveTimer = undefined;
      if (!this.runs) return;
      this.runs = this.runs.map((r) =>
        r.status === 'running' ? { ...r, latest: this.liveMetrics(r) } : r,
      );
      this.changed.fire();
    }, LIVE_DEBOUNCE_MS);
  }

  private reset(): void {
    this.runs = undefined;
    this.tasks = undefined;
    this.executors = undefined;
    this.indexWatcher?.dispose();
    this.indexWatcher = undefined;
    this.configWatcher?.dispose();
    this.configWatcher = undefined;
    this.changed.fire();
  }

  private load(): void {
    const project = this.project.current;
    if (!project) {
      this.runs = [];
      return;
    }
    const started = performance.now();
    let rows: RunSummary[] = [];
    try {
      rows = engine().runs.listRuns(project);
    } catch (err) {
      this.log.error(`listing runs: ${errorMessage(err)}`);
    }
    const pointers = new Map<string, string | null>();
    this.runs = rows.map((r) => ({
      ...r,
      latest: r.status === 'running' ? this.liveMetrics(r) : r.metrics,
      inputStates: engine().runs.runInputStates(project, r, pointers),
    }));
    this.log.output.debug(
      `listed ${rows.length} runs in ${(performance.now() - started).toFixed(0)} ms`,
    );
    this.contexts.set(ids.contexts.hasRuns, rows.length > 0);
    this.watchIndex(project.root, project.runsDir);
    this.watchRunning(
      project.runsDir,
      this.runs.filter((r) => r.status === 'running'),
    );
    if (!this.jobTimer && !this.polling) this.jobTimer = setTimeout(() => this.pollJobs(), 0);
  }

  private liveMetrics(r: RunSummary): Record<string, number> {
    const project = this.project.current;
    if (!project) return r.metrics;
    let tail = this.tails.get(r.id);
    if (!tail) this.tails.set(r.id, (tail = { offset: 0, latest: { ...r.metrics } }));
    const file = path.join(project.runsDir, r.id, 'metrics.jsonl');
    let fd: number | undefined;
    try {
      fd = fs.openSync(file, 'r');
      const size = fs.fstatSync(fd).size;
      if (size > tail.offset) {
        const buf = Buffer.alloc(size - tail.offset);
        fs.readSync(fd, buf, 0, buf.length, tail.offset);
        const text = buf.toString('utf8');
        const end = text.lastIndexOf('\n');
        if (end >= 0) {
          tail.offset += Buffer.byteLength(text.slice(0, end + 1));
          for (const line of text.slice(0, end).split('\n')) readMetricLine(line, tail.latest);
        }
      }
    } catch {
      // not written yet
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
    return { ...tail.latest };
  }

  private watchIndex(root: string, runsDir: string): void {
    if (this.indexWatcher) return;
    // Every start and end of a run appends to index.jsonl. The pattern is based on the project
    // root, not the runs folder: in a new project that folder does not exist until the first run
    // starts, and a watch based on a missing folder never reports it (the run stayed invisible).
    const rel = path.relative(root, runsDir).split(path.sep).join('/');
    this.indexWatcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(root), `${rel}/{index.jsonl,*/run.json}`),
    );
    const on = (): void => this.scheduleRefresh();
    this.indexWatcher.onDidChange(on);
    this.indexWatcher.onDidCreate(on);
    this.indexWatcher.onDidDelete(on);
  }

  private watchConfig(): void {
    const project = this.project.current;
    if (this.configWatcher || !project) return;
    this.configWatcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(project.root), 'cairn.yaml'),
    );
    const on = (): void => {
      this.tasks = undefined;
      this.executors = undefined;
      this.changed.fire();
    };
    this.configWatcher.onDidChange(on);
    this.configWatcher.onDidCreate(on);
  }

  /** chokidar on the directories of running runs only (metrics.jsonl grows there). */
  private watchRunning(runsDir: string, running: readonly RunSummary[]): void {
    const dirs = new Set(running.map((r) => path.join(runsDir, r.id)));
    const same = dirs.size === this.liveDirs.size && [...dirs].every((d) => this.liveDirs.has(d));
    if (same) return;
    const previous = this.live;
    this.live = undefined;
    this.liveDirs = dirs;
    void previous?.close();
    if (dirs.size === 0) return;
    for (const id of this.tails.keys()) {
      if (!dirs.has(path.join(runsDir, id))) this.tails.delete(id);
    }
    this.live = engine().runs.watchPaths([...dirs], { depth: 0, ignoreInitial: true });
    this.live.on('all', (_event, file) => {
      if (typeof file === 'string' && path.basename(file) === 'run.json') this.scheduleRefresh();
      else this.scheduleLive();
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
    clearTimeout(this.jobTimer);
    clearTimeout(this.liveTimer);
    this.indexWatcher?.dispose();
    this.configWatcher?.dispose();
    void this.live?.close();
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

/** One metrics.jsonl line ({ t, s, v: { name: value } }) into `latest`; bad lines are skipped. */
function readMetricLine(line: string, latest: Record<string, number>): void {
  try {
    const row = JSON.parse(line) as { v?: Record<string, unknown> };
    for (const [name, raw] of Object.entries(row.v ?? {})) {
      const v = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN;
      if (!Number.isNaN(v) || raw === 'NaN') latest[name] = v;
    }
  } catch {
    // a line cut short: the next read has it whole
  }
}
