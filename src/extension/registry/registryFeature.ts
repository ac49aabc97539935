import * as vscode from 'vscode';
import type { Container } from '../container.js';
import { ids } from '../ids.js';
import { registerCommand } from '../shared/registerCommand.js';
import { showMaturity } from './maturityPage.js';
import { registerRegistryCommands } from './registryCommands.js';
import { RegistryModel } from './registryModel.js';
import { RegistryTree } from './registryTree.js';

/** What the registry feature shows, for the host tests (through activate()'s API). */
export interface RegistrySurfaces {
  readonly registry: RegistryModel;
  readonly registryTree: RegistryTree;
}

/**
 * The model registry (the Models view, Register / Promote / Demote, the stale-prod warning) and
 * the MLOps maturity page.
 */
export function register(c: Container): RegistrySurfaces {
  const registry = c.own(new RegistryModel(c.project, c.log));
  const registryTree = c.own(new RegistryTree(registry));
  c.own(vscode.window.createTreeView(ids.views.models, { treeDataProvider: registryTree }));
  for (const d of registerRegistryCommands(c, registry)) c.own(d);
  c.own(
    registerCommand(c, ids.commands.showMaturity, 'Assess MLOps maturity', () =>
      showMaturity(c, c.documents),
    ),
  );
  return { registry, registryTree };
}
