import type * as vscode from 'vscode';
import type { Services } from '../services.js';
import { core } from '../shared/lazyCore.js';
import type { DataPanels } from './dataPanels.js';
import type { RunPanels } from './runPanels.js';

/**
 * The webview panels, created on first use from the lazily loaded bundle (extensionCore.js), so
 * that activation does not load the panels, the protocol and its mapping.
 */
export class LazyPanels implements vscode.Disposable {
  private runPanels: RunPanels | undefined;
  private dataPanels: DataPanels | undefined;

  constructor(private readonly s: Services) {}

  /** Compare and lineage. */
  get run(): RunPanels {
    return (this.runPanels ??= new (core().RunPanels)(this.s));
  }

  /** Profile and drift. */
  get data(): DataPanels {
    return (this.dataPanels ??= new (core().DataPanels)(this.s));
  }

  dispose(): void {
    this.runPanels?.dispose();
    this.dataPanels?.dispose();
  }
}
