import * as vscode from 'vscode';
import type { Container } from '../container.js';
import { ids } from '../ids.js';
import { registerCommand } from '../shared/registerCommand.js';
import { engine } from '../shared/engineLoader.js';
import type { ArtifactNode } from '../versioning/artifactTree.js';
import type { RunNode } from '../runs/runTree.js';
import type { ModelVersion } from '../../core/registry/registry.js';
import { MODEL_NAME, STAGE_NAME } from '../../core/registry/registryNames.js';
import type { RegistryModel } from './registryModel.js';
import type { RegistryNode } from './registryTree.js';

function projectOf(c: Container) {
  const p = c.project.current;
  if (!p) throw new Error('Open a folder with cairn.yaml first (or run Cairn: Initialize)');
  return p;
}

/** The model artifact to register: the one clicked, the model a run made, or one picked. */
async function modelArtifact(
  c: Container,
  arg?: ArtifactNode | RunNode,
): Promise<string | undefined> {
  if (arg?.type === 'artifact') return arg.info.path;
  // Read from the pointer files now: a run may have written one a moment ago.
  const models = (await engine().versioning.listArtifacts(projectOf(c))).filter(
    (a) => a.pointer.kind === 'model',
  );
  if (arg?.type === 'run') {
    const made = models.filter((a) => a.pointer.run === arg.run.id);
    if (made.length === 0)
      throw new Error(
        `The work tree has no model that run ${arg.run.id} made; check out the commit of its model first`,
      );
    if (made.length === 1) return made[0]!.path;
    return (
      (await vscode.window.showQuickPick(
        made.map((a) => a.path),
        { title: 'Register which model?' },
      )) ?? undefined
    );
  }
  if (models.length === 0)
    throw new Error("No model is tracked; a run's outputs, or 'Cairn: Track', version one");
  const pick = await vscode.window.showQuickPick(
    models.map((a) => ({
      label: a.path,
      description: a.pointer.run ? `made by run ${a.pointer.run}` : '',
    })),
    { title: 'Register which model?' },
  );
  return pick?.label;
}

async function register(c: Container, registry: RegistryModel, arg?: ArtifactNode | RunNode) {
  const project = projectOf(c);
  const artifact = await modelArtifact(c, arg);
  if (!artifact) return;
  const names = (await registry.current()).models.map((m) => m.name);
  const suggested = artifact
    .split('/')
    .pop()!
    .replace(/\.[^.]*$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const name = await vscode.window.showInputBox({
    title: `Register ${artifact}`,
    prompt: names.length ? `A model name (registered: ${names.join(', ')})` : 'A model name',
    value: names[0] ?? suggested,
    validateInput: (v) =>
      MODEL_NAME.test(v)
        ? undefined
        : "Lowercase letters, digits, '-' and '/', starting and ending with a letter or digit",
  });
  if (!name) return;
  const version = await vscode.window.showInputBox({
    title: `Register ${artifact} as ${name}`,
    prompt: 'Version (major.minor.patch); leave empty for the next patch version',
    validateInput: (v) =>
      v === '' || /^v?\d+\.\d+\.\d+$/.test(v)
        ? undefined
        : 'Write major.minor.patch, such as 1.3.0',
  });
  if (version === undefined) return;
  const v = await engine().registry.registerModel(project, artifact, {
    name,
    ...(version ? { version } : {}),
  });
  registry.refresh();
  c.log.info(`registered ${v.name}@${v.version} (${v.path})`);
  void vscode.window.showInformationMessage(
    `Registered ${v.name}@${v.version}. Share it with git push --tags and Cairn: Push.`,
  );
}

/** The version a command acts on: the one clicked, or one picked from every registered version. */
async function pickVersion(
  registry: RegistryModel,
  node?: RegistryNode,
): Promise<ModelVersion | undefined> {
  if (node?.type === 'version') return node.version;
  const models = (await registry.current()).models.filter(
    (m) => !node || m.name === node.model.name,
  );
  const versions = models.flatMap((m) => m.versions);
  if (versions.length === 0)
    throw new Error('No model is registered yet; register one with Cairn: Register Model');
  const pick = await vscode.window.showQuickPick(
    versions.map((v) => ({
      label: `${v.name}@${v.version}`,
      description: v.stages.join(', '),
      detail: Object.entries(v.metrics)
        .map(([k, x]) => `${k}=${x}`)
        .join(' '),
      v,
    })),
    { title: 'Which version?' },
  );
  return pick?.v;
}

async function promote(c: Container, registry: RegistryModel, node?: RegistryNode) {
  const project = projectOf(c);
  const v = await pickVersion(registry, node);
  if (!v) return;
  const known = new Set([
    'prod',
    'staging',
    ...(await registry.current()).models.flatMap((m) => Object.keys(m.stages)),
  ]);
  const items = [...known].filter((s) => !v.stages.includes(s)).map((label) => ({ label }));
  const other = { label: '$(add) Another stage…' };
  const pick = await vscode.window.showQuickPick([...items, other], {
    title: `Promote ${v.name}@${v.version} to`,
  });
  if (!pick) return;
  const stage =
    pick === other
      ? await vscode.window.showInputBox({
          title: `Promote ${v.name}@${v.version} to`,
          prompt: 'Stage name',
          validateInput: (s) =>
            STAGE_NAME.test(s) ? undefined : "Lowercase letters, digits and '-'",
        })
      : pick.label;
  if (!stage) return;
  await engine().registry.promoteModel(project, `${v.name}@${v.version}`, stage);
  registry.refresh();
  void vscode.window.showInformationMessage(`${v.name}@${v.version} is in stage ${stage}.`);
}

async function demote(c: Container, registry: RegistryModel, node?: RegistryNode) {
  const project = projectOf(c);
  const v = await pickVersion(registry, node);
  if (!v) return;
  if (v.stages.length === 0) throw new Error(`${v.name}@${v.version} is in no stage`);
  const stage =
    v.stages.length === 1
      ? v.stages[0]
      : await vscode.window.showQuickPick(v.stages, {
          title: `Take which stage from ${v.name}@${v.version}?`,
        });
  if (!stage) return;
  await engine().registry.demoteModel(project, `${v.name}@${v.version}`, stage);
  registry.refresh();
  void vscode.window.showInformationMessage(
    `${v.name}@${v.version} is no longer in stage ${stage}.`,
  );
}

export function registerRegistryCommands(
  c: Container,
  registry: RegistryModel,
): vscode.Disposable[] {
  return [
    registerCommand(
      c,
      ids.commands.registerModel,
      'Register model',
      (arg?: ArtifactNode | RunNode) => register(c, registry, arg),
    ),
    registerCommand(c, ids.commands.promoteModel, 'Promote model', (node?: RegistryNode) =>
      promote(c, registry, node),
    ),
    registerCommand(c, ids.commands.demoteModel, 'Demote model', (node?: RegistryNode) =>
      demote(c, registry, node),
    ),
    registerCommand(c, ids.commands.refreshModels, 'Refresh models', () => registry.refresh()),
  ];
}
