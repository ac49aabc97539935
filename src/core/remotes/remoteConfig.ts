import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, parseDocument, type Document } from 'yaml';
import { CairnError, fromSystemError } from '../errors.js';
import { writeFileAtomic } from '../fsSafe.js';
import { localConfigFile, readConfig, type RemoteConfig } from '../project/config.js';
import type { Project } from '../project/project.js';

/*
 * `cairn remote add | rm | default` edit cairn.yaml (shared through Git) or, with `local`, the
 * untracked .cairn/local.yaml, as YAML documents: comments, key order and layout stay as written.
 * Each edit is checked by reading the configuration back before the file is replaced.
 */

export interface RemoteSettings {
  readonly user?: string;
  readonly port?: number;
  readonly endpoint?: string;
  readonly region?: string;
  readonly profile?: string;
}

function fileOf(project: Project, local: boolean): string {
  return local ? localConfigFile(project) : project.configFile;
}

function load(file: string): Document {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw fromSystemError(err, file, 'Could not read');
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0)
    throw new CairnError(
      'bad-config',
      `${file} has a YAML error (${doc.errors[0]!.message.split('\n')[0]}); fix it first`,
      file,
    );
  // An empty file has no contents: start it as an empty (block) mapping.
  if (doc.contents === null) doc.contents = doc.createNode({}) as unknown as typeof doc.contents;
  if (!isMap(doc.contents))
    throw new CairnError('bad-config', `${file} must be a mapping; fix it first`, file);
  return doc;
}

/** Writes the edited document, after checking that the configuration still reads. */
function save(project: Project, file: string, doc: Document): void {
  const before = fs.existsSync(file) ? fs.readFileSync(file) : undefined;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, doc.toString());
  try {
    readConfig(project);
  } catch (err) {
    if (before === undefined) fs.rmSync(file, { force: true });
    else writeFileAtomic(file, before);
    throw err;
  }
}

function remotesOf(doc: Document): Record<string, unknown> {
  return ((doc.toJS() as Record<string, unknown> | null)?.['remotes'] ?? {}) as Record<
    string,
    unknown
  >;
}

/** Adds a remote (refusing a name that is taken); with `isDefault`, makes it the default. */
export function addRemote(
  project: Project,
  name: string,
  url: string,
  options: RemoteSettings & { local?: boolean; isDefault?: boolean; replace?: boolean } = {},
): RemoteConfig {
  const existing = readConfig(project).remotes.find((r) => r.name === name);
  if (existing && !options.replace)
    throw new CairnError(
      'usage',
      `A remote named '${name}' exists already (${existing.url}); remove it first with 'cairn remote rm ${name}', or choose another name`,
      project.configFile,
    );
  const file = fileOf(project, options.local === true);
  const doc = load(file);
  const body: Record<string, unknown> = { url };
  for (const key of ['user', 'port', 'endpoint', 'region', 'profile'] as const) {
    if (options[key] !== undefined) body[key] = options[key];
  }
  doc.setIn(['remotes', name], doc.createNode(body));
  if (options.isDefault) markDefault(doc, name);
  save(project, file, doc);
  if (options.isDefault && !options.local) clearDefault(project, true, name);
  return readConfig(project).remotes.find((r) => r.name === name)!;
}

/** Removes a remote from the file(s) that declare it. */
export function removeRemote(project: Project, name: string): void {
  if (!readConfig(project).remotes.some((r) => r.name === name))
    throw new CairnError(
      'usage',
      `No remote named '${name}'; 'cairn remote ls' lists the remotes`,
      project.configFile,
    );
  for (const local of [true, false]) {
    const file = fileOf(project, local);
    if (!fs.existsSync(file)) continue;
    const doc = load(file);
    if (!(name in remotesOf(doc))) continue;
    doc.deleteIn(['remotes', name]);
    if (Object.keys(remotesOf(doc)).length === 0) doc.deleteIn(['remotes']);
    save(project, file, doc);
  }
}

/** Makes a remote the default, in cairn.yaml (for everyone) or only in this clone. */
export function setDefaultRemote(project: Project, name: string, local = false): void {
  if (!readConfig(project).remotes.some((r) => r.name === name))
    throw new CairnError(
      'usage',
      `No remote named '${name}'; 'cairn remote ls' lists the remotes`,
      project.configFile,
    );
  const file = fileOf(project, local);
  const doc = load(file);
  markDefault(doc, name);
  save(project, file, doc);
  if (!local) clearDefault(project, true, name);
}

/** Sets `default: true` on one remote and removes it from the others of the document. */
function markDefault(doc: Document, name: string): void {
  for (const other of Object.keys(remotesOf(doc)))
    if (other !== name && doc.hasIn(['remotes', other, 'default']))
      doc.deleteIn(['remotes', other, 'default']);
  doc.setIn(['remotes', name, 'default'], true);
}

/** Drops the local file's default when another remote becomes the shared default. */
function clearDefault(project: Project, local: boolean, keep: string): void {
  const file = fileOf(project, local);
  if (!fs.existsSync(file)) return;
  const doc = load(file);
  let changed = false;
  for (const other of Object.keys(remotesOf(doc))) {
    if (other !== keep && doc.hasIn(['remotes', other, 'default'])) {
      doc.deleteIn(['remotes', other, 'default']);
      changed = true;
    }
  }
  if (changed) save(project, file, doc);
}
