// The Get Started walkthrough's steps complete themselves on context keys (package.json's
// completionEvents): Initialize on cairn.projectOpen, Track on cairn.hasArtifacts, Create Task on
// cairn.hasTasks, Run on cairn.hasRuns. The models set those keys as they learn them; this sets
// them once after activation for a repository where the steps are already done, and keeps
// cairn.hasTasks current when cairn.yaml changes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { POINTER_SUFFIX } from '../../core/project/project.js';
import type { Container } from '../container.js';
import { ids } from '../ids.js';
import { errorMessage } from '../shared/operationLog.js';

const EXCLUDE_GLOB = '{**/.cairn/**,**/.git/**,**/node_modules/**}';

/** Checks what is already done, right after activation (not during it: it reads files). */
export function register(c: Container): void {
  // The run model fires when runs change and when cairn.yaml changes (its tasks are re-read).
  c.own(
    c.runs.onDidChange(() => {
      if (c.project.current) c.runs.taskList();
    }),
  );
  const timer = setTimeout(() => {
    void alreadyDone(c).catch((err: unknown) =>
      c.log.warn(`walkthrough progress: ${errorMessage(err)}`),
    );
  }, 0);
  c.own({ dispose: () => clearTimeout(timer) });
}

async function alreadyDone(c: Container): Promise<void> {
  const project = c.project.current; // sets cairn.projectOpen
  if (!project) return;
  // Until the artifact model has looked (it is authoritative), one pointer file is enough.
  if (c.contexts.get(ids.contexts.hasArtifacts) === undefined) {
    const found = await vscode.workspace.findFiles(
      new vscode.RelativePattern(vscode.Uri.file(project.root), `**/*${POINTER_SUFFIX}`),
      EXCLUDE_GLOB,
      1,
    );
    if (c.contexts.get(ids.contexts.hasArtifacts) === undefined)
      c.contexts.set(ids.contexts.hasArtifacts, found.length > 0);
  }
  c.runs.taskList(); // sets cairn.hasTasks
  if (c.contexts.get(ids.contexts.hasRuns) === undefined) {
    let size = 0;
    try {
      size = fs.statSync(path.join(project.runsDir, 'index.jsonl')).size;
    } catch {
      /* no run yet */
    }
    if (c.contexts.get(ids.contexts.hasRuns) === undefined)
      c.contexts.set(ids.contexts.hasRuns, size > 0);
  }
}
