// The run, compare and lineage panels of the extension: one of each, built from core's run
// records and lineage graph (mapped by protocolMapping.ts), with the webviews' actions turned
// into Cairn commands. Opened by clicking a run, Compare Runs and Show Lineage.
import * as vscode from 'vscode';
import { runInputStates } from '../../core/data/runDrift.js';
import { buildLineage } from '../../core/lineage/lineageGraph.js';
import { commitNamingVersion, restorePointerFile } from '../../core/lineage/versionRestore.js';
import { runCodeDiff } from '../../core/runs/runCodeDiff.js';
import type { RunRecord } from '../../core/runs/runRecord.js';
import * as fs from 'node:fs';
import { gitMaybe } from '../../core/git/git.js';
import { readLogTail } from '../../core/runs/runLog.js';
import { getRun, listRuns, readRun, runFiles, summaryOfSeries } from '../../core/runs/runStore.js';
import { readArtifact } from '../../core/versioning/artifacts.js';
import { runPagePanel, type RunPagePanel } from './runPagePanel.js';
import type { CompareState, RunDiff } from '../../protocol/compare.js';
import { assertNever } from '../../protocol/guards.js';
import type { RunPageAction, RunPageState } from '../../protocol/runPage.js';
import type { LineageState } from '../../protocol/lineage.js';
import { ids } from '../ids.js';
import { panelContext, type PanelHost } from '../shared/panelHost.js';
import type { PanelContext } from '../shared/webviewPanel.js';
import { errorMessage } from '../shared/operationLog.js';
import { comparePanel, type ComparePanel } from './comparePanel.js';
import { lineagePanel, type LineagePanel } from './lineagePanel.js';
import { openStatePanel, type OpenStatePanel, type PanelKind } from '../shared/statePanel.js';
import {
  compareStateFromRecords,
  lineageStateFromGraph,
  metricSeries,
  runPageStateFromRecord,
} from './protocolMapping.js';
import { showInformation, showWarning } from '../shared/notify.js';
import { shortHash } from '../../core/format.js';

/** The diff a run page shows at most; a longer one is cut (the whole file is in the run's folder). */
const MAX_DIFF_BYTES = 512 * 1024;

/** What the panels need beyond PanelHost: to hear when runs change (a run page follows its run live). */
export interface RunPanelHost extends PanelHost {
  readonly runs: { readonly onDidChange: vscode.Event<void> };
}

export class RunPanels implements vscode.Disposable {
  private run: RunPagePanel | undefined;
  private runId: string | undefined;
  private runFollower: vscode.Disposable | undefined;
  private compare: ComparePanel | undefined;
  private lineage: LineagePanel | undefined;
  private compareIds: string[] = [];
  private lineageFocus: string | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly s: RunPanelHost) {}

  /** Shows one run: params, metric charts, inputs and outputs, code, log and actions; live while it runs. */
  showRun(runId: string): void {
    this.runId = runId;
    this.run = this.shown(
      this.run,
      runPagePanel,
      () => this.runPageState(),
      {
        run: (action) => this.runAction(action),
        openRun: (id) => this.showRun(id),
        revealArtifact: (rel) =>
          void vscode.commands.executeCommand(
            'revealInExplorer',
            vscode.Uri.file(`${this.s.project.require().root}/${rel}`),
          ),
      },
      () => {
        this.run = undefined;
        this.runFollower?.dispose();
        this.runFollower = undefined;
      },
    );
    // Runs change when a run starts, ends or logs metrics: the page follows its run while it runs.
    this.runFollower ??= this.s.runs.onDidChange(() => {
      if (this.run && this.shownRun?.status === 'running') void this.run.reload();
    });
  }

  /** What the run page shows now: its run's status (live while running) and the run before it. */
  private shownRun: { status: RunPageState['run']['status']; previous: string | null } | undefined;

  private async runPageState(): Promise<RunPageState> {
    const project = this.s.project.require();
    const id = this.runId!;
    const record = getRun(project, id);
    const index = listRuns(project);
    const names = new Map(index.map((r) => [r.id, r.name]));
    const previous = index.find(
      (r) =>
        r.id !== id &&
        r.task === record.task &&
        r.startMs < record.startMs &&
        r.status !== 'running',
    );
    const current = new Map<string, { hash: string; run: string | null }>();
    for (const v of [...record.inputs, ...record.outputs]) {
      try {
        const { pointer } = readArtifact(project, v.path);
        current.set(v.path, { hash: pointer.hash, run: pointer.run ?? null });
      } catch {
        // no longer tracked in the work tree: the page says it is not the current version
      }
    }
    const files = runFiles(project, id);
    let diff: string | null = null;
    if (record.git.diffFile) {
      try {
        const text = fs.readFileSync(files.diff, 'utf8');
        diff =
          text.length > MAX_DIFF_BYTES
            ? `${text.slice(0, MAX_DIFF_BYTES)}\n… (cut; the whole diff is ${files.diff})`
            : text;
      } catch {
        diff = null;
      }
    }
    const subject = record.git.commit
      ? ((await gitMaybe(project.root, ['show', '-s', '--format=%s', record.git.commit]))?.trim() ??
        null)
      : null;
    const series = Object.entries(record.series).map(([metric, s]) =>
      metricSeries(
        id,
        metric,
        s.step.map((step, i) => ({ step, value: s.value[i]! })),
      ),
    );
    this.shownRun = { status: record.status, previous: previous?.id ?? null };
    if (this.run) this.run.panel.title = `Run ${record.name}`;
    // A running run's record has no summary yet: its series so far are the summary.
    const summary = record.status === 'running' ? summaryOfSeries(record.series) : record.summary;
    return runPageStateFromRecord(
      { ...record, summary },
      {
        series,
        names,
        current,
        subject: subject === '' ? null : subject,
        diff,
        log: readLogTail(files.log),
        previous: previous?.id ?? null,
      },
    );
  }

  private runAction(action: RunPageAction): void {
    const id = this.runId;
    if (!id) return;
    switch (action) {
      case 'rerun':
        void vscode.commands.executeCommand(ids.commands.rerun, id);
        break;
      case 'reproduce':
        void vscode.commands.executeCommand(ids.commands.reproduce, id);
        break;
      case 'lineage':
        this.showLineage(id);
        break;
      case 'log':
        void vscode.commands.executeCommand(ids.commands.openLog, id);
        break;
      case 'comparePrevious':
        if (this.shownRun?.previous) this.showCompare([this.shownRun.previous, id]);
        break;
      default:
        assertNever(action, 'action');
    }
  }

  /** Shows the runs side by side (table, step charts, parallel coordinates, diff). */
  showCompare(runIds: readonly string[]): void {
    this.compareIds = [...runIds];
    this.compare = this.shown(
      this.compare,
      comparePanel,
      () => this.compareState(),
      {
        openRun: (id) => this.showRun(id),
        exportCsv: (fileName, csv) => this.saveCsv(fileName, csv),
        diffRuns: (a, b) => this.diff(a, b),
      },
      () => (this.compare = undefined),
    );
  }

  /** Shows data versions → runs → model versions, focused on a run or an artifact if given. */
  showLineage(focus?: string): void {
    this.lineageFocus = focus;
    this.lineage = this.shown(
      this.lineage,
      lineagePanel,
      () => this.lineageState(),
      {
        openRun: (id) => this.showRun(id),
        compareRuns: (runIds) => this.showCompare(runIds),
        checkoutArtifact: (path, hash) => this.checkoutVersion(path, hash),
        reproduceRun: (id) => void vscode.commands.executeCommand(ids.commands.reproduce, id),
      },
      () => (this.lineage = undefined),
    );
  }

  /** One panel of each kind: an open one is brought forward with a fresh state. */
  private shown<In extends { type: string }, Out, S, Actions>(
    current: OpenStatePanel<Out, S> | undefined,
    kind: PanelKind<In, Out, S, Actions>,
    load: () => S | Promise<S>,
    actions: Actions,
    closed: () => void,
  ): OpenStatePanel<Out, S> {
    if (!current) {
      const onError = (e: unknown): void =>
        this.s.log.error(`${kind.bundle} view: ${errorMessage(e)}`);
      const opened = openStatePanel(this.context, kind, load, actions, { onError });
      opened.panel.onDidDispose(closed);
      return opened;
    }
    void current.reload();
    current.reveal();
    return current;
  }

  private get context(): PanelContext {
    return panelContext(this.s, this.subscriptions);
  }

  private records(): RunRecord[] {
    const project = this.s.project.require();
    return this.compareIds.map((id) => readRun(project, id));
  }

  private compareState(): CompareState {
    const project = this.s.project.require();
    const records = this.records();
    const series = records.flatMap((r) =>
      Object.entries(getRun(project, r.id).series).map(([metric, s]) =>
        metricSeries(
          r.id,
          metric,
          s.step.map((step, i) => ({ step, value: s.value[i]! })),
        ),
      ),
    );
    return compareStateFromRecords(records, series);
  }

  private async lineageState(): Promise<LineageState> {
    const project = this.s.project.require();
    const graph = await this.s.log.timed(`lineage ${this.lineageFocus ?? ''}`, () =>
      buildLineage(project, this.lineageFocus),
    );
    const focusId =
      graph.nodes.find(
        (n) =>
          (n.type === 'run' && n.runId === this.lineageFocus) ||
          (n.type === 'artifact' && n.path === this.lineageFocus && n.current),
      )?.id ?? null;
    const state = lineageStateFromGraph(graph, focusId);
    // Runs whose input data drifted since (as measured by `cairn drift --run`) say so.
    const memo = new Map<string, string | null>();
    for (const node of state.nodes) {
      if (node.kind !== 'run' || !node.runId) continue;
      try {
        const drifted = runInputStates(project, readRun(project, node.runId), memo).filter(
          (x) => x.state === 'drifted',
        );
        if (drifted.length > 0) {
          node.stale = true;
          node.detail += ` · input data drifted since: ${drifted.flatMap((d) => d.columns).join(', ')}`;
        }
      } catch {
        // an unreadable run record keeps its node as it is
      }
    }
    return state;
  }

  private async diff(a: string, b: string): Promise<RunDiff> {
    const { commitDiff, uncommitted } = await runCodeDiff(this.s.project.require(), a, b);
    return { runIds: [a, b], commitDiff, uncommitted: [...uncommitted] };
  }

  private async saveCsv(fileName: string, csv: string): Promise<void> {
    const project = this.s.project.require();
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(vscode.Uri.file(project.root), fileName),
      filters: { CSV: ['csv'] },
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, Buffer.from(csv, 'utf8'));
    void showInformation(`Cairn: saved ${vscode.workspace.asRelativePath(target)}`);
  }

  /** Puts an older version of an artifact in the work tree: its pointer file from the commit that named it, then checkout. */
  private async checkoutVersion(artifactPath: string, hash: string): Promise<void> {
    const project = this.s.project.require();
    const commit = await commitNamingVersion(project, artifactPath, hash);
    if (!commit) {
      void showWarning(
        `Cairn: no commit names ${artifactPath} @${shortHash(hash)}, so its pointer file cannot be restored.`,
      );
      return;
    }
    const answer = await showWarning(
      `Check out ${artifactPath} as it was in ${shortHash(commit)}? Its pointer file changes in the work tree (commit it, or check it out again to go back).`,
      { modal: true },
      'Check Out',
    );
    if (answer !== 'Check Out') return;
    await restorePointerFile(project, artifactPath, commit);
    await vscode.commands.executeCommand(
      ids.commands.checkout,
      vscode.Uri.file(`${project.root}/${artifactPath}`),
    );
  }

  dispose(): void {
    this.run?.dispose();
    this.runFollower?.dispose();
    this.compare?.dispose();
    this.lineage?.dispose();
    for (const d of this.subscriptions) d.dispose();
  }
}
