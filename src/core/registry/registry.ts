// The model registry, kept in Git tags the way GTO keeps it, so repositories that use GTO read
// the same: `churn@v1.3.0` (an annotated tag on the commit whose pointer names that version)
// registers a version, `churn#prod#4` assigns it a stage and `churn#prod!#5` takes the stage
// back; the number counts the name's stage tags. Cairn's tag messages also say which artifact,
// version, run, metrics and data the version has, on a `cairn-model:` line of JSON.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CairnError } from '../errors.js';
import { shortHash } from '../format.js';
import { git, gitMaybe } from '../git/git.js';
import { POINTER_SUFFIX, type Project } from '../project/project.js';
import { listRuns, readRun } from '../runs/runStore.js';
import type { ArtifactVersion } from '../runs/runRecord.js';
import { readArtifact } from '../versioning/artifacts.js';
import { pointerAt } from '../versioning/history.js';
import type { ArtifactType } from '../versioning/pointerFile.js';
import { MODEL_NAME, STAGE_NAME } from './registryNames.js';

const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)$/;
const VERSION_TAG = /^(.+)@(v\d+\.\d+\.\d+)(!?)$/;
const STAGE_TAG = /^(.+)#([a-z0-9-]+)(!?)#(\d+)$/;
const INFO_LINE = 'cairn-model: ';

/** One registered version of a model. */
export interface ModelVersion {
  readonly name: string;
  /** `v1.3.0`. */
  readonly version: string;
  /** The commit whose pointer file names this version. */
  readonly commit: string;
  /** The artifact's path, and the version's type and hash (its pointer at the commit). */
  readonly path: string;
  readonly type: ArtifactType;
  readonly hash: string;
  /** The run that produced it, its metrics' last values and its data versions, when known. */
  readonly run: string | null;
  readonly metrics: Readonly<Record<string, number>>;
  readonly data: readonly ArtifactVersion[];
  /** The stages it holds now. */
  readonly stages: readonly string[];
  readonly registeredMs: number;
}

export interface RegisteredModel {
  readonly name: string;
  /** Newest version first. */
  readonly versions: readonly ModelVersion[];
  /** Each stage and the version that holds it. */
  readonly stages: Readonly<Record<string, string>>;
}

interface Info {
  readonly path: string;
  readonly type: ArtifactType;
  readonly hash: string;
  readonly run: string | null;
  readonly metrics: Record<string, number>;
  readonly data: ArtifactVersion[];
}

interface TagRow {
  readonly tag: string;
  readonly commit: string;
  readonly createdMs: number;
  readonly message: string;
}

function semverKey(v: string): [number, number, number] {
  const m = SEMVER.exec(v)!;
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function compareVersions(a: string, b: string): number {
  const [x, y] = [semverKey(a), semverKey(b)];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

export function checkModelName(name: string): void {
  if (!MODEL_NAME.test(name))
    throw new CairnError(
      'usage',
      `'${name}' is not a model name the registry (GTO's tag format) accepts: use lowercase letters, digits, '-' and '/', starting and ending with a letter or digit (for example churn or nlp/sentiment)`,
    );
}

function checkStage(stage: string): void {
  if (!STAGE_NAME.test(stage))
    throw new CairnError(
      'usage',
      `'${stage}' is not a stage name the registry (GTO's tag format) accepts: use lowercase letters, digits and '-' (for example prod or staging)`,
    );
}

async function tagRows(project: Project): Promise<TagRow[]> {
  const out = await git(
    project.root,
    [
      'for-each-ref',
      'refs/tags',
      '--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)%00%(creatordate:unix)%00%(contents)%01',
    ],
    'reading the tags',
  );
  return out
    .split('\x01')
    .map((r) => r.replace(/^\n/, ''))
    .filter((r) => r.includes('\0'))
    .map((r) => {
      const [tag, object, peeled, date, message] = r.split('\0');
      return {
        tag: tag!,
        commit: peeled || object!,
        createdMs: Number(date) * 1000,
        message: message ?? '',
      };
    });
}

function infoOf(message: string): Info | undefined {
  const line = message.split('\n').find((l) => l.startsWith(INFO_LINE));
  if (!line) return undefined;
  try {
    const v = JSON.parse(line.slice(INFO_LINE.length)) as Partial<Info>;
    if (typeof v.path !== 'string' || typeof v.hash !== 'string') return undefined;
    return {
      path: v.path,
      type: v.type === 'dir' ? 'dir' : 'file',
      hash: v.hash,
      run: typeof v.run === 'string' ? v.run : null,
      metrics: v.metrics ?? {},
      data: Array.isArray(v.data) ? v.data : [],
    };
  } catch {
    return undefined;
  }
}

/** A version GTO registered: its path from artifacts.yaml, its version from the pointer there. */
async function infoFromGto(
  project: Project,
  name: string,
  commit: string,
): Promise<Info | undefined> {
  const text = await gitMaybe(project.root, ['show', `${commit}:artifacts.yaml`]);
  const m =
    text &&
    new RegExp(`^${name.replace(/[/-]/g, '\\$&')}:\\s*\\n\\s+path:\\s*(\\S+)`, 'm').exec(text);
  if (!m) return undefined;
  const rel = m[1]!.replace(/^["']|["']$/g, '');
  const pointer = await pointerAt(project, commit, rel + POINTER_SUFFIX).catch(() => undefined);
  if (!pointer) return undefined;
  return { path: rel, type: pointer.type, hash: pointer.hash, run: null, metrics: {}, data: [] };
}

/** Every registered model, from the repository's tags. */
export async function readRegistry(project: Project): Promise<RegisteredModel[]> {
  const rows = await tagRows(project);
  const versions = new Map<string, Map<string, ModelVersion & { stages: string[] }>>();
  const removed = new Set<string>();
  for (const row of rows) {
    const m = VERSION_TAG.exec(row.tag);
    if (!m || !MODEL_NAME.test(m[1]!)) continue;
    if (m[3]) {
      removed.add(`${m[1]}@${m[2]}`);
      continue;
    }
    const info = infoOf(row.message) ?? (await infoFromGto(project, m[1]!, row.commit));
    if (!info) continue;
    const byVersion = versions.get(m[1]!) ?? new Map<string, ModelVersion & { stages: string[] }>();
    versions.set(m[1]!, byVersion);
    byVersion.set(m[2]!, {
      name: m[1]!,
      version: m[2]!,
      commit: row.commit,
      ...info,
      stages: [],
      registeredMs: row.createdMs,
    });
  }
  for (const key of removed) {
    const [name, v] = key.split('@');
    versions.get(name!)?.delete(v!);
  }
  const models: RegisteredModel[] = [];
  for (const [name, byVersion] of versions) {
    // Stage tags in the order of their numbers: each assigns the stage, or takes it back.
    const stageTags = rows
      .map((r) => ({ r, m: STAGE_TAG.exec(r.tag) }))
      .filter((x) => x.m && x.m[1] === name)
      .sort((a, b) => Number(a.m![4]) - Number(b.m![4]));
    const holder = new Map<string, string>();
    for (const { r, m } of stageTags) {
      // The version is the one registered on the tag's commit (one per commit, as GTO has it);
      // the message names it too, as GTO and Cairn write it.
      const named = / version (v\d+\.\d+\.\d+)\b/.exec(r.message)?.[1];
      const version =
        named && byVersion.get(named)?.commit === r.commit
          ? named
          : [...byVersion.values()].find((v) => v.commit === r.commit)?.version;
      const stage = m![2]!;
      if (m![3]) {
        if (!version || holder.get(stage) === version) holder.delete(stage);
      } else if (version) holder.set(stage, version);
    }
    for (const [stage, version] of holder) byVersion.get(version)?.stages.push(stage);
    models.push({
      name,
      versions: [...byVersion.values()].sort((a, b) => compareVersions(b.version, a.version)),
      stages: Object.fromEntries([...holder].sort()),
    });
  }
  return models.sort((a, b) => (a.name < b.name ? -1 : 1));
}

function unknownModel(name: string, models: readonly RegisteredModel[]): CairnError {
  return new CairnError(
    'not-found',
    `No registered model '${name}'; ${models.length > 0 ? `the models are: ${models.map((m) => m.name).join(', ')}` : "register one with 'cairn model register <model path> --name <name>'"}`,
  );
}

/**
 * A model version by reference: `churn` (its newest version), `churn@v1.3.0` (or `@1.3.0`), or
 * `churn#prod` (the version in that stage).
 */
export async function resolveModel(project: Project, ref: string): Promise<ModelVersion> {
  return resolveIn(await readRegistry(project), ref);
}

/** resolveModel in a registry already read. */
export function resolveIn(models: readonly RegisteredModel[], ref: string): ModelVersion {
  const m = /^([^@#]+)(?:@(v?\d+\.\d+\.\d+)|#([^#]+))?$/.exec(ref);
  if (!m)
    throw new CairnError(
      'usage',
      `'${ref}' is not a model reference; write churn, churn@v1.3.0 or churn#prod`,
    );
  const model = models.find((x) => x.name === m[1]);
  if (!model) throw unknownModel(m[1]!, models);
  if (m[2]) {
    const v = `v${m[2].replace(/^v/, '')}`;
    const found = model.versions.find((x) => x.version === v);
    if (!found)
      throw new CairnError(
        'not-found',
        `${model.name} has no version ${v}; its versions are: ${model.versions.map((x) => x.version).join(', ')}`,
      );
    return found;
  }
  if (m[3]) {
    const v = model.stages[m[3]];
    if (!v)
      throw new CairnError(
        'not-found',
        `No version of ${model.name} is in stage ${m[3]}${
          Object.keys(model.stages).length
            ? ` (its stages: ${Object.entries(model.stages)
                .map(([s, x]) => `${s} = ${x}`)
                .join(', ')})`
            : ''
        }; promote one with 'cairn model promote ${model.name}@<version> --stage ${m[3]}'`,
      );
    return model.versions.find((x) => x.version === v)!;
  }
  return model.versions[0]!;
}

/** The newest completed run that produced this version of the artifact, if this clone has it. */
function producingRun(project: Project, rel: string, hash: string, hint?: string) {
  const ids = [...(hint ? [hint] : []), ...listRuns(project).map((r) => r.id)];
  for (const id of ids) {
    try {
      const r = readRun(project, id);
      if (r.status === 'completed' && r.outputs.some((o) => o.path === rel && o.hash === hash))
        return r;
    } catch {
      // a run this clone does not have
    }
  }
  return undefined;
}

async function annotatedTag(project: Project, tag: string, commit: string, message: string) {
  const file = path.join(project.tmpRoot, `tag-${process.pid}.txt`);
  fs.mkdirSync(project.tmpRoot, { recursive: true });
  fs.writeFileSync(file, message);
  try {
    await git(project.root, ['tag', '-a', '-F', file, tag, commit], `creating tag ${tag}`);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

export interface RegisterOptions {
  readonly name: string;
  /** `1.3.0` or `v1.3.0`; default the next patch version (v0.0.1 for the first). */
  readonly version?: string;
}

/**
 * Registers the version of a model artifact that HEAD's pointer file names: an annotated tag
 * `<name>@v<version>` on HEAD whose message records the producing run, its metrics and data.
 */
export async function registerModel(
  project: Project,
  artifact: string,
  options: RegisterOptions,
): Promise<ModelVersion> {
  checkModelName(options.name);
  const rel = artifact.replace(/\/+$/, '').replace(new RegExp(`${POINTER_SUFFIX}$`), '');
  const tracked = readArtifact(project, rel);
  const commit = (
    await gitMaybe(project.root, ['rev-parse', '--verify', '--quiet', 'HEAD'])
  )?.trim();
  const atHead = commit ? await pointerAt(project, commit, rel + POINTER_SUFFIX) : undefined;
  if (!commit || !atHead)
    throw new CairnError(
      'usage',
      `${rel}${POINTER_SUFFIX} is not committed; a registered version is a tag on the commit that names it: git add ${rel}${POINTER_SUFFIX} && git commit`,
      rel,
    );
  if (atHead.hash !== tracked.pointer.hash)
    throw new CairnError(
      'usage',
      `The work tree's version of ${rel} (${shortHash(tracked.pointer.hash)}) is not the one HEAD names (${shortHash(atHead.hash)}); commit ${rel}${POINTER_SUFFIX} first, or check out HEAD's version`,
      rel,
    );
  const models = await readRegistry(project);
  const existing = models.find((m) => m.name === options.name);
  let version = '';
  if (options.version !== undefined) {
    const m = SEMVER.exec(options.version.trim());
    if (!m)
      throw new CairnError(
        'usage',
        `'${options.version}' is not a version the registry accepts; write major.minor.patch, such as 1.3.0`,
      );
    version = `v${m[1]}.${m[2]}.${m[3]}`;
    const taken = existing?.versions.find((v) => v.version === version);
    if (
      taken ||
      (await gitMaybe(project.root, [
        'rev-parse',
        '--verify',
        '--quiet',
        `refs/tags/${options.name}@${version}`,
      ]))
    )
      throw new CairnError(
        'usage',
        `${options.name}@${version} exists already${taken ? ` (commit ${shortHash(taken.commit)})` : ''}; choose another version, or leave --version out for the next patch version`,
      );
  }
  const onCommit = existing?.versions.find((v) => v.commit === commit);
  if (onCommit)
    throw new CairnError(
      'usage',
      `${options.name}@${onCommit.version} is registered on this commit (${shortHash(commit)}) already; a commit holds one version of a model (as in GTO): commit a new version of ${rel} to register it`,
    );
  if (options.version === undefined) {
    const newest = existing?.versions[0]?.version;
    const [a, b, c] = newest ? semverKey(newest) : [0, 0, 0];
    version = `v${a}.${b}.${c + 1}`;
  }
  const run = producingRun(project, rel, atHead.hash, atHead.run);
  const metrics = Object.fromEntries(
    Object.entries(run?.summary ?? {}).map(([k, s]) => [k, s.last]),
  );
  const data = (run?.inputs ?? []).filter((i) => i.kind === 'data');
  const info: Info = {
    path: rel,
    type: atHead.type,
    hash: atHead.hash,
    run: run?.id ?? null,
    metrics,
    data,
  };
  const message = [
    `Registering artifact ${options.name} version ${version}`,
    '',
    `path: ${rel} (${shortHash(atHead.hash)})`,
    ...(run ? [`run: ${run.id}`] : []),
    ...(Object.keys(metrics).length
      ? [
          `metrics: ${Object.entries(metrics)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`,
        ]
      : []),
    ...data.map((d) => `data: ${d.path} (${shortHash(d.hash)})`),
    '',
    INFO_LINE + JSON.stringify(info),
    '',
  ].join('\n');
  await annotatedTag(project, `${options.name}@${version}`, commit, message);
  return {
    name: options.name,
    version,
    commit,
    ...info,
    stages: [],
    registeredMs: Date.now(),
  };
}

/** The next number of a name's stage tags. */
async function nextStageNumber(project: Project, name: string): Promise<number> {
  const rows = await tagRows(project);
  let n = 0;
  for (const r of rows) {
    const m = STAGE_TAG.exec(r.tag);
    if (m && m[1] === name) n = Math.max(n, Number(m[4]));
  }
  return n + 1;
}

/** Puts a version in a stage: the tag `<name>#<stage>#<n>` on its commit. */
export async function promoteModel(
  project: Project,
  ref: string,
  stage: string,
): Promise<ModelVersion> {
  checkStage(stage);
  if (!/@/.test(ref))
    throw new CairnError(
      'usage',
      `Name the version to promote: ${ref}@<version> (cairn model ls lists them)`,
    );
  const v = await resolveModel(project, ref);
  if (v.stages.includes(stage))
    throw new CairnError('usage', `${v.name}@${v.version} is in stage ${stage} already`);
  const n = await nextStageNumber(project, v.name);
  await annotatedTag(
    project,
    `${v.name}#${stage}#${n}`,
    v.commit,
    `Assigning stage ${stage} to artifact ${v.name} version ${v.version}\n`,
  );
  return { ...v, stages: [...v.stages, stage] };
}

/** Takes a stage back from the version that holds it: the tag `<name>#<stage>!#<n>`. */
export async function demoteModel(
  project: Project,
  ref: string,
  stage: string,
): Promise<ModelVersion> {
  checkStage(stage);
  const name = ref.split(/[@#]/)[0]!;
  const v = await resolveModel(project, /@/.test(ref) ? ref : `${name}#${stage}`);
  if (!v.stages.includes(stage))
    throw new CairnError('usage', `${v.name}@${v.version} is not in stage ${stage}`);
  const n = await nextStageNumber(project, v.name);
  await annotatedTag(
    project,
    `${v.name}#${stage}!#${n}`,
    v.commit,
    `Unassigning stage ${stage} from artifact ${v.name} version ${v.version}\n`,
  );
  return { ...v, stages: v.stages.filter((s) => s !== stage) };
}
