// The profile and drift panels of the extension: loads from core (profile, drift, dataset
// versions; TensorFlow.js is loaded by core on first use), mapped by dataViewState.ts.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { datasetAt } from '../../core/data/datasetVersion.js';
import { DRIFT_THRESHOLDS, driftBetween } from '../../core/data/drift.js';
import { profileFolder, profilePath, profileTable } from '../../core/data/profile.js';
import type { Project } from '../../core/project/project.js';
import { containingArtifact } from '../../core/versioning/containingArtifact.js';
import { readArtifact } from '../../core/versioning/artifacts.js';
import { commitNames } from '../../core/versioning/commitNames.js';
import { artifactLog } from '../../core/versioning/history.js';
import { versionLabel } from '../../core/versioning/versionLabel.js';
import { driftPicks } from './driftPicks.js';
import { panelContext, type PanelHost } from '../shared/panelHost.js';
import type { PanelContext } from '../shared/webviewPanel.js';
import { safeLine } from '../shared/safeText.js';
import { errorMessage } from '../shared/operationLog.js';
import { driftState, profileState } from './dataViewState.js';
import { driftPanel, type DriftPanel } from './driftPanel.js';
import { profilePanel, type ProfilePanel } from './profilePanel.js';
import { openStatePanel } from '../shared/statePanel.js';
import { showInformation, showWarning } from '../shared/notify.js';

export class DataPanels implements vscode.Disposable {
  private profile: ProfilePanel | undefined;
  private drift: DriftPanel | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly s: PanelHost) {}

  private get context(): PanelContext {
    return panelContext(this.s, this.subscriptions);
  }

  /** Profiles a table or image folder: in the work tree, or as it was at a revision. */
  showProfile(rel: string, rev?: string): void {
    const project = this.s.project.require();
    const load = async () => {
      const tracked = this.isTracked(project, rel);
      return this.s.log.timed(`profile ${rel}${rev ? ` at ${rev}` : ''}`, async () => {
        if (!rev) {
          const p = await profilePath(path.join(project.root, rel), rel);
          return profileState(p, { canCompare: tracked });
        }
        const v = await datasetAt(project, rel, rev);
        // A folder version is profiled as core decides (its images, or its one table).
        const p = v.isDirectory
          ? await profileFolder(rel, v.files)
          : await profileTable({ rel, abs: v.files[0]!.abs });
        return profileState(p, { rev, commit: v.commit ?? null, canCompare: tracked });
      });
    };
    const title = `Profile: ${path.basename(rel)}${rev ? ` @ ${rev}` : ''}`;
    this.profile?.dispose();
    this.profile = openStatePanel(
      this.context,
      profilePanel,
      load,
      { openDrift: () => this.pickDrift(rel) },
      {
        title,
        onError: (e) => this.s.log.error(`profile ${rel}: ${errorMessage(e)}`),
      },
    );
  }

  /** Asks which earlier version to compare with (commits that changed the artifact), then shows the drift. */
  async pickDrift(rel: string): Promise<void> {
    const project = this.s.project.require();
    const artifact = containingArtifact(project, rel);
    if (!artifact) {
      void showWarning(
        `Cairn: ${rel} is not part of a tracked artifact, so it has no earlier versions to compare with. Track it first.`,
      );
      return;
    }
    const log = await artifactLog(project, artifact);
    if (log.length === 0) {
      void showInformation(`Cairn: no commit has ${artifact}.cairn yet; commit a version first.`);
      return;
    }
    const names = await commitNames(
      project.root,
      log.map((e) => e.commit),
    );
    let currentHash: string | undefined;
    try {
      currentHash = readArtifact(project, artifact).pointer.hash;
    } catch {
      /* no pointer file in the work tree (removed, or unreadable): no version is current */
    }
    const picked = await vscode.window.showQuickPick(
      driftPicks(log, names, currentHash).map((p) => ({
        label: safeLine(p.label),
        description: safeLine(p.description),
        detail: safeLine(p.detail),
        commit: p.commit,
      })),
      {
        title: `Compare ${rel} in the work tree with…`,
        placeHolder: 'a commit that changed the data',
      },
    );
    if (picked) this.showDrift(rel, picked.commit);
  }

  /** What changed in a dataset between a revision and the work tree (or another revision). */
  showDrift(rel: string, from: string, to?: string): void {
    const project = this.s.project.require();
    const load = () =>
      this.s.log.timed(`drift ${rel} ${from}..${to ?? 'work tree'}`, async () => {
        const report = await driftBetween(project, rel, from, to);
        const commits = [report.from.commit, report.to.commit].filter(
          (c): c is string => c !== undefined,
        );
        const names = await commitNames(project.root, commits);
        const labels = new Map(commits.map((c) => [c, versionLabel(c, names.get(c))]));
        return driftState(report, DRIFT_THRESHOLDS, labels);
      });
    this.drift?.dispose();
    this.drift = openStatePanel(
      this.context,
      driftPanel,
      load,
      {
        openProfile: (_side, version) =>
          this.showProfile(rel, version.rev === 'workspace' ? undefined : version.rev),
      },
      {
        title: `Drift: ${path.basename(rel)}`,
        onError: (e) => this.s.log.error(`drift ${rel}: ${errorMessage(e)}`),
      },
    );
  }

  private isTracked(project: Project, rel: string): boolean {
    return containingArtifact(project, rel) !== undefined;
  }

  dispose(): void {
    this.profile?.dispose();
    this.drift?.dispose();
    for (const d of this.subscriptions) d.dispose();
  }
}
