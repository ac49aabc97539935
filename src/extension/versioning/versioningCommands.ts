import * as path from 'node:path';
import * as vscode from 'vscode';
import { initProject, type Project } from '../../core/project/project.js';
import type { AddResult } from '../../core/versioning/add.js';
import type { CheckoutResult } from '../../core/versioning/checkout.js';
import type { ArtifactKind } from '../../core/versioning/pointerFile.js';
import type { TransferResult } from '../../core/remotes/transfer.js';
import type { ArtifactNode } from './artifactTree.js';
import { ids } from '../ids.js';
import type { Container } from '../container.js';
import { formatBytes, shortHash } from '../../core/format.js';
import { CairnError, WouldOverwriteError } from '../../core/errors.js';
import { engine } from '../shared/engineLoader.js';
import { showError } from '../shared/userErrors.js';
import { allowedToRun } from '../shared/workspaceTrust.js';
import { registerCommand } from '../shared/registerCommand.js';
import { showErrorMessage, showInformation, showWarning } from '../shared/notify.js';

/** The data and model versioning commands: init, track, checkout, push, pull, gc, hooks. */
export function registerVersioningCommands(s: Container): vscode.Disposable[] {
  return [
    registerCommand(s, ids.commands.init, 'Initialize Cairn', () => initCommand(s)),
    registerCommand(
      s,
      ids.commands.track,
      'Track',
      (target?: vscode.Uri | ArtifactNode, uris?: vscode.Uri[]) =>
        trackCommand(
          s,
          target instanceof vscode.Uri || target === undefined
            ? target
            : target.type === 'artifact'
              ? vscode.Uri.file(target.info.abs)
              : undefined,
          uris,
        ),
    ),
    registerCommand(s, ids.commands.checkout, 'Checkout', (node?: ArtifactNode | vscode.Uri) =>
      checkoutCommand(s, node),
    ),
    registerCommand(
      s,
      ids.commands.unprotect,
      'Make Editable',
      (node?: ArtifactNode | vscode.Uri) => unprotectCommand(s, node),
    ),
    registerCommand(s, ids.commands.push, 'Push', async () => {
      await transfer(s, 'push');
    }),
    registerCommand(s, ids.commands.pull, 'Pull', () => pullCommand(s)),
    registerCommand(s, ids.commands.gc, 'Clean up the cache', () => gcCommand(s)),
    registerCommand(s, ids.commands.installHooks, 'Install Git hooks', () => hooksCommand(s)),
    registerCommand(s, ids.commands.refreshArtifacts, 'Refresh', async () => {
      await Promise.all([s.artifacts.refreshNow(), s.remotes.check()]);
    }),
    registerCommand(s, ids.commands.copyHash, 'Copy version', async (node?: ArtifactNode) => {
      if (node?.type === 'artifact' && node.info.ok) {
        await vscode.env.clipboard.writeText(node.info.pointer.hash);
      }
    }),
    registerCommand(s, ids.commands.showLog, 'Show log', () => s.log.output.show()),
  ];
}

async function initCommand(s: Container): Promise<Project | undefined> {
  if (!allowedToRun('initialize a project')) return undefined;
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  if (!folder) {
    void showErrorMessage('Cairn: open the folder of your Git repository first.');
    return undefined;
  }
  const root = folder.uri.fsPath;
  const result = await s.log.timed(`init ${root}`, async () => {
    try {
      return initProject(root);
    } catch (err) {
      if (!(err instanceof CairnError && err.code === 'not-a-git-repo')) throw err;
      const gitInit = 'Initialize Git Repository';
      const choice = await showWarning(err.message, gitInit);
      if (choice !== gitInit) return undefined;
      await engine().versioning.git(root, ['init', '-q'], 'initializing a Git repository');
      return initProject(root);
    }
  });
  if (!result) return undefined;
  s.project.reset();
  await s.artifacts.refreshNow();
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(result.project.configFile));
  await vscode.window.showTextDocument(doc, { preview: false });
  void showInformation(
    result.created
      ? 'Cairn is set up: cairn.yaml describes your tasks and remotes. Next, track a dataset.'
      : 'Cairn was already set up in this folder.',
  );
  return result.project;
}

async function trackCommand(
  s: Container,
  uri: vscode.Uri | undefined,
  uris: vscode.Uri[] | undefined,
): Promise<void> {
  if (!allowedToRun('track data')) return;
  const project = s.project.require();
  // From the Explorer, the second argument is the whole selection (from a tree: its nodes).
  const selected = (uris ?? []).filter((u): u is vscode.Uri => u instanceof vscode.Uri);
  let targets = selected.length > 0 ? selected : uri instanceof vscode.Uri ? [uri] : [];
  let kind: ArtifactKind | undefined;
  if (targets.length === 0) {
    targets =
      (await vscode.window.showOpenDialog({
        canSelectFiles: true,
        canSelectFolders: true,
        canSelectMany: true,
        defaultUri: vscode.Uri.file(project.root),
        openLabel: 'Track with Cairn',
        title: 'Track datasets or models',
      })) ?? [];
    if (targets.length === 0) return;
    const pick = await vscode.window.showQuickPick(
      [
        {
          label: 'By name',
          description: 'models/, .pt, .pkl, .onnx… are models; the rest data',
          artifactKind: undefined,
        },
        { label: 'Dataset', artifactKind: 'data' as const },
        { label: 'Model', artifactKind: 'model' as const },
      ],
      { title: 'Track as' },
    );
    if (!pick) return;
    kind = pick.artifactKind;
  }
  const rels = targets.map((t) =>
    engine().versioning.artifactPathFrom(project, t.fsPath, project.root),
  );
  const results = await trackPaths(s, project, rels, kind);
  const changed = results.filter((r) => r.changed);
  if (changed.length === 0) {
    void showInformation(
      `Cairn: ${rels.join(', ')} ${rels.length === 1 ? 'is' : 'are'} unchanged since the version already tracked.`,
    );
    return;
  }
  // A new version is not on the remote yet: the Artifacts view says so.
  void s.remotes.check();
  const pointers = changed.map((r) => path.relative(project.root, r.pointerFile));
  const stage = 'Stage Pointer Files';
  // Not awaited: the command is done; the message stays until the user acts on it.
  void vscode.window
    .showInformationMessage(
      `Cairn: versioned ${changed.map((r) => `${r.path} (${shortHash(r.pointer.hash)})`).join(', ')}. Commit ${pointers.join(', ')} to record ${changed.length === 1 ? 'this version' : 'these versions'}.`,
      stage,
    )
    .then(async (choice) => {
      if (choice !== stage) return;
      try {
        await engine().versioning.git(
          project.root,
          ['add', '--', ...pointers],
          'staging pointer files',
        );
      } catch (err) {
        await showError(s.log, 'Staging pointer files', err);
      }
    });
}

/** Tracks the given artifact paths with progress (a new version of each changed one). */
async function trackPaths(
  s: Container,
  project: Project,
  rels: readonly string[],
  kind?: ArtifactKind,
): Promise<AddResult[]> {
  const { addArtifacts } = engine().versioning;
  try {
    return await withProgress(`Tracking ${rels.join(', ')}`, (report) =>
      s.log.timed(
        `add ${rels.join(' ')}`,
        () =>
          addArtifacts(project, [...rels], {
            ...(kind ? { kind } : {}),
            onProgress: (rel, p) =>
              report(
                `${rel}: ${p.doneFiles}/${p.totalFiles} files, ${formatBytes(p.doneBytes)}/${formatBytes(p.totalBytes)}`,
                p.totalFiles > 0 ? p.doneFiles / p.totalFiles : undefined,
              ),
          }),
        (r) =>
          r
            .map((x) => `${x.path} ${shortHash(x.pointer.hash)}${x.changed ? '' : ' unchanged'}`)
            .join(', '),
      ),
    );
  } finally {
    s.artifacts.refresh(rels, 0);
  }
}

function checkoutTargets(
  node: ArtifactNode | vscode.Uri | undefined,
  project: Project,
): string[] | undefined {
  if (node instanceof vscode.Uri) {
    return [engine().versioning.artifactPathFrom(project, node.fsPath, project.root)];
  }
  if (node?.type === 'artifact') return [node.info.path];
  if (node?.type === 'group') return node.items.map((i) => i.path);
  return undefined;
}

async function checkoutCommand(s: Container, node?: ArtifactNode | vscode.Uri): Promise<void> {
  const project = s.project.require();
  await checkoutWithProgress(s, checkoutTargets(node, project), 'checkout');
}

/**
 * Replaces the files of an artifact that checkout linked to the cache (cairn.yaml
 * `cache: { type: hardlink | symlink }`) with editable copies, and says what it did.
 */
async function unprotectCommand(s: Container, node?: ArtifactNode | vscode.Uri): Promise<void> {
  if (!allowedToRun('make data editable')) return;
  const project = s.project.require();
  // From the Command Palette: the file in the active editor.
  const active = vscode.window.activeTextEditor?.document.uri;
  const rels = checkoutTargets(node ?? (active?.scheme === 'file' ? active : undefined), project);
  if (!rels || rels.length === 0) {
    void showInformation(
      'Cairn: choose a dataset or model in the Artifacts view (or open one of its files) to make it editable.',
    );
    return;
  }
  try {
    const results = await s.log.timed(
      `unprotect ${rels.join(' ')}`,
      () => engine().versioning.unprotect(project, rels),
      (r) => `${r.filter((x) => x.action === 'copied').length} made editable`,
    );
    const copied = results.filter((r) => r.action === 'copied');
    const where = rels.length === 1 ? rels[0]! : `${rels.length} artifacts`;
    void showInformation(
      copied.length === 0
        ? `Cairn: ${where} is already editable (its files are copies, not links to the cache).`
        : `Cairn: made ${copied.length === 1 ? copied[0]!.path : `${copied.length} files of ${where}`} editable: ${copied.length === 1 ? 'it is' : 'they are'} now copies instead of links to the cache. Track the artifact again after editing.`,
    );
  } finally {
    s.artifacts.refresh(rels, 0);
  }
}

/**
 * Checks out the versions the pointer files name (all, or those given). When that would
 * overwrite modified data that is not in the cache, it asks before discarding anything.
 */
export async function checkoutWithProgress(
  s: Container,
  only: string[] | undefined,
  reason: string,
): Promise<CheckoutResult[]> {
  if (!allowedToRun('check out data')) return [];
  const project = s.project.require();
  const rels = only ?? (await s.artifacts.all()).filter((a) => a.ok).map((a) => a.path);
  if (rels.length === 0) {
    void showInformation('Cairn: nothing is tracked yet.');
    return [];
  }
  const { checkoutArtifacts } = engine().versioning;
  const run = (force: boolean): Promise<CheckoutResult[]> =>
    withProgress(
      `Checking out ${rels.length === 1 ? rels[0] : `${rels.length} artifacts`}`,
      (report) =>
        s.log.timed(
          `checkout ${rels.join(' ')}${force ? ' --force' : ''} (${reason})`,
          () =>
            checkoutArtifacts(project, rels, {
              force,
              onProgress: (rel, done, total) =>
                report(`${rel}: ${done}/${total} files`, total > 0 ? done / total : undefined),
            }),
          (r) => `${r.filter((x) => x.action === 'restored').length} restored`,
        ),
    );
  let results: CheckoutResult[];
  try {
    results = await run(false);
  } catch (err) {
    if (!(err instanceof WouldOverwriteError)) throw err;
    const choice = await askBeforeOverwriting(err);
    if (choice === 'track') {
      const tracked = await trackPaths(s, project, err.artifacts);
      const changed = tracked.filter((r) => r.changed);
      if (changed.length > 0) {
        void showInformation(
          `Cairn: tracked your changes as ${changed.map((r) => `${r.path} (${shortHash(r.pointer.hash)})`).join(', ')}. Commit ${changed.map((r) => path.relative(project.root, r.pointerFile)).join(', ')} to keep ${changed.length === 1 ? 'this version' : 'these versions'}.`,
        );
      }
      results = await run(false);
    } else if (choice === 'discard') {
      results = await run(true);
    } else {
      return [];
    }
  } finally {
    s.artifacts.refresh(rels, 0);
  }
  const restored = results.filter((r) => r.action === 'restored').map((r) => r.path);
  void vscode.window.setStatusBarMessage(
    restored.length > 0
      ? `Cairn: checked out ${restored.join(', ')}`
      : 'Cairn: everything already matches',
    5000,
  );
  return results;
}

/**
 * The modal question before a checkout discards modified data: track the changes first (nothing
 * is lost), discard them, or cancel (Escape and closing the dialog cancel too).
 */
async function askBeforeOverwriting(
  err: WouldOverwriteError,
): Promise<'track' | 'discard' | undefined> {
  const track: vscode.MessageItem = { title: 'Track the Changes' };
  const discard: vscode.MessageItem = { title: 'Discard Changes' };
  const cancel: vscode.MessageItem = { title: 'Cancel', isCloseAffordance: true };
  const files =
    err.files.slice(0, 5).join(', ') +
    (err.files.length > 5 ? ` and ${err.files.length - 5} more` : '');
  const choice = await showWarning(
    `Checking out would discard changes to ${files}, which are not in the cache.`,
    {
      modal: true,
      detail: `Track the Changes records them as a new version of ${err.artifacts.join(', ')} first, so nothing is lost. Discarded changes cannot be recovered.`,
    },
    track,
    discard,
    cancel,
  );
  return choice === track ? 'track' : choice === discard ? 'discard' : undefined;
}

// What a push and a pull say about themselves; the rest of the two commands is the same.
const transferWords = {
  push: { doing: 'Pushing', done: 'Pushed', where: 'to' },
  pull: { doing: 'Pulling', done: 'Pulled', where: 'from' },
} as const;

/**
 * Pushes or pulls data, models and run records, with a choice of remote when there are several and
 * a progress notification that can be cancelled; false when it did not run to its end.
 */
async function transfer(s: Container, direction: 'push' | 'pull'): Promise<boolean> {
  if (!allowedToRun(`${direction} data`)) return false;
  const project = s.project.require();
  const remote = await pickRemote(project, direction);
  if (remote === null) return false;
  const move = engine().versioning[direction];
  const words = transferWords[direction];
  let r: TransferResult;
  try {
    r = await withProgress(
      `${words.doing} data and runs${remote ? ` ${words.where} ${remote}` : ''}`,
      (report, signal) =>
        s.log.timed(
          direction,
          () =>
            move(project, {
              ...(remote ? { remote } : {}),
              signal,
              onProgress: (p) =>
                report(
                  `${p.doneObjects}/${p.totalObjects} objects, ${formatBytes(p.doneBytes)} of ${formatBytes(p.totalBytes)}`,
                  fraction(p),
                ),
            }),
          describeTransfer,
        ),
      { cancellable: true },
    );
  } catch (err) {
    if (err instanceof CairnError && err.code === 'remote' && err.message === 'cancelled') {
      void showInformation(
        `Cairn: ${direction} cancelled. What arrived is kept; the next ${direction} goes on from there.`,
      );
      return false;
    }
    throw err;
  } finally {
    void s.remotes.check();
  }
  reportTransfer(words.done, words.where, r);
  return true;
}

/**
 * The remote to use: undefined for the only or the default one, a name picked from several, or
 * null when the pick was dismissed.
 */
async function pickRemote(
  project: Project,
  direction: 'push' | 'pull',
): Promise<string | undefined | null> {
  const { remotes } = engine().versioning.readConfig(project);
  if (remotes.length <= 1) return undefined;
  const sorted = [...remotes].sort((a, b) => Number(b.isDefault) - Number(a.isDefault));
  const picked = await vscode.window.showQuickPick(
    sorted.map((r) => ({
      label: r.name,
      description: r.isDefault ? 'default' : '',
      detail: r.url,
      name: r.name,
    })),
    {
      title: `Cairn: ${direction === 'push' ? 'Push to' : 'Pull from'} which remote?`,
      placeHolder: 'Remotes of cairn.yaml',
    },
  );
  return picked ? picked.name : null;
}

async function pullCommand(s: Container): Promise<void> {
  if (await transfer(s, 'pull')) await checkoutWithProgress(s, undefined, 'after pull');
}

function fraction(p: { doneObjects: number; totalObjects: number }): number | undefined {
  return p.totalObjects > 0 ? p.doneObjects / p.totalObjects : undefined;
}

function describeTransfer(r: TransferResult): string {
  return `${r.copiedObjects} objects (${formatBytes(r.copiedBytes)}), ${r.upToDateObjects} up to date, ${r.copiedRuns} runs, ${r.missing.length} missing`;
}

function reportTransfer(verb: string, prep: string, r: TransferResult): void {
  const text = `Cairn: ${verb.toLowerCase()} ${r.copiedObjects} objects (${formatBytes(r.copiedBytes)}) and ${r.copiedRuns} runs ${prep} ${r.remote}; ${r.upToDateObjects} were up to date.`;
  if (r.missing.length > 0) {
    void showWarning(
      `${text} ${r.missing.length} objects are missing on the ${verb === 'Pushed' ? 'local' : 'remote'} side: ${r.missing.slice(0, 3).join(', ')}${r.missing.length > 3 ? '…' : ''}`,
    );
  } else {
    void showInformation(text);
  }
}

async function gcCommand(s: Container): Promise<void> {
  if (!allowedToRun('clean up the cache')) return;
  const project = s.project.require();
  const { gc } = engine().versioning;
  const plan = await withProgress('Finding unused cache objects', () =>
    s.log.timed(
      'gc --dry-run',
      () => gc(project, { dryRun: true }),
      (r) => `${r.removed.length} unused`,
    ),
  );
  if (plan.removed.length === 0) {
    void showInformation(
      `Cairn: nothing to clean up; all ${plan.keptObjects} cache objects are still needed.`,
    );
    return;
  }
  const listed = plan.removed
    .slice(0, 12)
    .map((o) => `${shortHash(o.hash)}  ${formatBytes(o.sizeBytes)}`)
    .join('\n');
  const more = plan.removed.length > 12 ? `\n… and ${plan.removed.length - 12} more` : '';
  const remove = `Remove ${plan.removed.length} Objects`;
  const choice = await showWarning(
    `Remove ${plan.removed.length} cache objects (${formatBytes(plan.removedBytes)}) that no commit, branch, tag or pointer file in the work tree needs?`,
    {
      modal: true,
      detail: `${listed}${more}\n\n${plan.keptObjects} objects stay. Versions that exist only on a remote can be pulled again.`,
    },
    remove,
  );
  if (choice !== remove) return;
  const done = await withProgress('Cleaning up the cache', () =>
    s.log.timed(
      'gc',
      () => gc(project),
      (r) => `${r.removed.length} removed, ${formatBytes(r.removedBytes)}`,
    ),
  );
  s.artifacts.refresh();
  void showInformation(
    `Cairn: removed ${done.removed.length} objects (${formatBytes(done.removedBytes)}); kept ${done.keptObjects}.`,
  );
}

async function hooksCommand(s: Container): Promise<void> {
  if (!allowedToRun('install Git hooks')) return;
  const project = s.project.require();
  const { installHooks } = engine().versioning;
  const cli = vscode.Uri.joinPath(s.extensionUri, 'dist', 'cli.js').fsPath;
  const installed = await s.log.timed(
    'hooks install',
    () => installHooks(project, cli),
    (r) => r.map((h) => h.name).join(', '),
  );
  const chained = installed.filter((h) => h.chained).map((h) => h.name);
  void showInformation(
    `Cairn: installed the ${installed.map((h) => h.name).join(', ')} hooks${chained.length ? ` (your existing ${chained.join(', ')} hooks still run first)` : ''}. Branch switches now check out data, commits warn about unversioned changes, and pushes push data.`,
  );
}

/** A notification with progress; `report(message, fraction)` sets the text and the bar. */
export function withProgress<T>(
  title: string,
  work: (report: (message: string, fraction?: number) => void, signal: AbortSignal) => Promise<T>,
  options: { cancellable?: boolean } = {},
): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Cairn: ${title}`,
        cancellable: options.cancellable === true,
      },
      async (progress, token) => {
        let last = 0;
        let lastReport = 0;
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return work((message, fraction) => {
          const now = Date.now();
          // Progress callbacks come per file; the notification needs a few updates a second.
          if (now - lastReport < 100 && fraction !== 1) return;
          lastReport = now;
          const pct = fraction === undefined ? undefined : Math.round(fraction * 100);
          const increment = pct === undefined ? undefined : Math.max(0, pct - last);
          if (pct !== undefined) last = pct;
          progress.report({ message, ...(increment !== undefined ? { increment } : {}) });
        }, controller.signal);
      },
    ),
  );
}
