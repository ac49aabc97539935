// `cairn maturity`: the repository scored against the MLOps levels (0: manual work; 1: versioned
// data and automated, reproducible training that a team shares; 2: CI that tests, reports and
// retrains on every change). Each criterion has its evidence and the exact command that meets it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readConfig } from '../project/config.js';
import type { Project } from '../project/project.js';
import { readRegistry } from '../registry/registry.js';
import { remoteStatus } from '../remotes/transfer.js';
import type { RunRecord } from '../runs/runRecord.js';
import { listRuns, readRun } from '../runs/runStore.js';
import { readTasks } from '../runs/taskConfig.js';
import { listArtifacts } from '../versioning/artifacts.js';

export interface Criterion {
  readonly id: string;
  /** The level it belongs to (1 or 2). */
  readonly level: 1 | 2;
  readonly title: string;
  readonly met: boolean;
  /** What was found, as a sentence. */
  readonly evidence: string;
  /** The command that meets it (shell; `<…>` where only the user can say). Absent when met. */
  readonly command?: string;
}

export interface Maturity {
  /** The highest level whose criteria (and those below) are all met. */
  readonly level: 0 | 1 | 2;
  readonly met: number;
  readonly total: number;
  readonly criteria: readonly Criterion[];
}

function readOrUndefined(project: Project, id: string): RunRecord | undefined {
  try {
    return readRun(project, id);
  } catch {
    return undefined;
  }
}

/** CI workflows in the repository: GitHub Actions and GitLab CI files that run Cairn. */
function ciFiles(project: Project): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  const dir = path.join(project.root, '.github', 'workflows');
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir).filter((n) => /\.ya?ml$/.test(n));
  } catch {
    // no GitHub workflows
  }
  for (const n of names)
    out.push({ file: `.github/workflows/${n}`, text: fs.readFileSync(path.join(dir, n), 'utf8') });
  const gl = path.join(project.root, '.gitlab-ci.yml');
  if (fs.existsSync(gl)) out.push({ file: '.gitlab-ci.yml', text: fs.readFileSync(gl, 'utf8') });
  return out.filter((f) => /\bcairn\b/.test(f.text));
}

export async function assessMaturity(project: Project): Promise<Maturity> {
  const artifacts = await listArtifacts(project);
  const data = artifacts.filter((a) => a.pointer.kind === 'data');
  const models = artifacts.filter((a) => a.pointer.kind === 'model');
  const tasks = readTasks(project);
  const runs = listRuns(project);
  const config = readConfig(project);
  const criteria: Criterion[] = [];
  const trainTask = tasks.find((t) => t.outs.length > 0) ?? tasks[0];

  criteria.push(
    data.length > 0
      ? {
          id: 'data-versioned',
          level: 1,
          title: 'Data is versioned',
          met: true,
          evidence: `${data.length} dataset(s) tracked: ${data
            .slice(0, 3)
            .map((a) => a.path)
            .join(', ')}${data.length > 3 ? ', ...' : ''}`,
        }
      : {
          id: 'data-versioned',
          level: 1,
          title: 'Data is versioned',
          met: false,
          evidence: 'No dataset is tracked',
          command: 'cairn add <your data folder>',
        },
  );

  const unlinked = models.filter((m) => {
    const r = m.pointer.run ? readOrUndefined(project, m.pointer.run) : undefined;
    return !r || r.inputs.filter((i) => i.kind === 'data').length === 0;
  });
  criteria.push({
    id: 'models-linked',
    level: 1,
    title: 'Every model is linked to the run and data that made it',
    met: models.length > 0 && unlinked.length === 0,
    evidence:
      models.length === 0
        ? 'No model is versioned yet'
        : unlinked.length === 0
          ? `${models.length} model(s), each made by a recorded run that read tracked data`
          : `${unlinked.map((m) => m.path).join(', ')} ${unlinked.length === 1 ? 'has' : 'have'} no recorded run that read tracked data`,
    ...(models.length > 0 && unlinked.length === 0
      ? {}
      : {
          command: trainTask
            ? `cairn run ${trainTask.name}`
            : 'add a task under tasks: in cairn.yaml with deps: and outs:, then cairn run <task>',
        }),
  });

  const reproduction = runs.find((r) => {
    if (!r.reproduces || r.status !== 'completed') return false;
    const [a, b] = [readOrUndefined(project, r.reproduces), readOrUndefined(project, r.id)];
    if (!a || !b) return false;
    return Object.entries(a.summary).every(([k, s]) => {
      const v = b.summary[k]?.last;
      return v !== undefined && Math.abs(v - s.last) <= 1e-9 * Math.max(1, Math.abs(s.last));
    });
  });
  const toReproduce = runs.find((r) => r.status === 'completed' && !r.reproduces);
  criteria.push({
    id: 'reproducible',
    level: 1,
    title: 'Runs are reproducible (a reproduce verified)',
    met: reproduction !== undefined,
    evidence: reproduction
      ? `run ${reproduction.id} reproduced run ${reproduction.reproduces} with the same metrics`
      : 'No run has been reproduced with the same metrics yet',
    ...(reproduction
      ? {}
      : {
          command: toReproduce
            ? `cairn reproduce ${toReproduce.id}`
            : trainTask
              ? `cairn run ${trainTask.name}`
              : 'cairn run <task>',
        }),
  });

  // A params file, or params declared in cairn.yaml: either way not constants in the code.
  const inCode = tasks.filter((t) => !t.paramsFile && Object.keys(t.paramDefaults).length === 0);
  criteria.push({
    id: 'params-in-files',
    level: 1,
    title: 'Params are in files, not code',
    met: tasks.length > 0 && inCode.length === 0,
    evidence:
      tasks.length === 0
        ? 'cairn.yaml declares no tasks'
        : inCode.length === 0
          ? `every task takes its params from a file (${[...new Set(tasks.map((t) => t.paramsFile ?? 'cairn.yaml'))].join(', ')})`
          : `${inCode.map((t) => t.name).join(', ')} take${inCode.length === 1 ? 's' : ''} no params from a file (are they constants in the code?)`,
    ...(tasks.length > 0 && inCode.length === 0
      ? {}
      : {
          command: `put the params in params.yaml and add 'params: params.yaml' to ${inCode[0]?.name ?? 'the task'} in cairn.yaml`,
        }),
  });

  let remoteEvidence = 'No remote is configured';
  let remoteMet = false;
  let remoteCommand: string =
    'cairn remote add shared <url: a folder, ssh://host/path or s3://bucket/prefix> && cairn push';
  if (config.remotes.length > 0) {
    try {
      const st = await remoteStatus(project);
      const missing = st.artifacts.filter((a) => !a.onRemote);
      remoteMet = missing.length === 0;
      remoteEvidence = remoteMet
        ? `remote ${st.remote} has every version the work tree names`
        : `remote ${st.remote} lacks ${missing.map((a) => a.path).join(', ')}`;
      remoteCommand = 'cairn push';
    } catch (err) {
      remoteEvidence = `the remote could not be read: ${(err as Error).message}`;
      remoteCommand = 'cairn push';
    }
  }
  criteria.push({
    id: 'remote-pushed',
    level: 1,
    title: 'A remote is configured and pushed',
    met: remoteMet,
    evidence: remoteEvidence,
    ...(remoteMet ? {} : { command: remoteCommand }),
  });

  const ci = ciFiles(project);
  criteria.push({
    id: 'ci-workflow',
    level: 2,
    title: 'A CI workflow runs Cairn',
    met: ci.length > 0,
    evidence: ci.length
      ? `${ci.map((f) => f.file).join(', ')} run${ci.length === 1 ? 's' : ''} cairn`
      : 'No CI workflow runs cairn',
    ...(ci.length ? {} : { command: 'cairn ci init --github' }),
  });

  const registry = await readRegistry(project);
  const staged = registry.filter((m) => Object.keys(m.stages).length > 0);
  const model = models[0];
  criteria.push({
    id: 'registry-stages',
    level: 2,
    title: 'The model registry is used, with stages',
    met: staged.length > 0,
    evidence: staged.length
      ? staged
          .map(
            (m) =>
              `${m.name}: ${Object.entries(m.stages)
                .map(([s, v]) => `${s} = ${v}`)
                .join(', ')}`,
          )
          .join('; ')
      : registry.length
        ? `${registry.map((m) => m.name).join(', ')} registered, in no stage`
        : 'No model is registered',
    ...(staged.length
      ? {}
      : {
          command: registry.length
            ? `cairn model promote ${registry[0]!.name}@${registry[0]!.versions[0]!.version} --stage prod`
            : model
              ? `git add ${model.path}.cairn && git commit -m 'model' && cairn model register ${model.path} --name model && cairn model promote model@v0.0.1 --stage prod`
              : `cairn run ${trainTask?.name ?? '<task>'}, then cairn model register <model path> --name <name>`,
        }),
  });

  const scheduled = ci.filter((f) => /\bcairn check\b/.test(f.text) && /\bschedule\b/.test(f.text));
  criteria.push({
    id: 'drift-scheduled',
    level: 2,
    title: 'Drift checks are scheduled',
    met: scheduled.length > 0,
    evidence: scheduled.length
      ? `${scheduled.map((f) => f.file).join(', ')} run${scheduled.length === 1 ? 's' : ''} cairn check on a schedule`
      : 'No scheduled CI job runs cairn check',
    ...(scheduled.length
      ? {}
      : {
          command: ci.length
            ? 'cairn ci init --github --print (merge its retraining-check job into your workflow)'
            : 'cairn ci init --github',
        }),
  });

  const all = (level: 1 | 2) => criteria.filter((c) => c.level <= level).every((c) => c.met);
  return {
    level: all(2) ? 2 : all(1) ? 1 : 0,
    met: criteria.filter((c) => c.met).length,
    total: criteria.length,
    criteria,
  };
}

export const LEVEL_NAMES = [
  'level 0: manual work',
  'level 1: versioned data, reproducible training a team shares',
  'level 2: CI that tests, reports and retrains on every change',
] as const;

/** The maturity as a Markdown page (the extension's): each level's criteria, evidence, commands. */
export function maturityMarkdown(m: Maturity): string {
  const lines = [
    `# MLOps maturity: ${LEVEL_NAMES[m.level]}`,
    '',
    `${m.met} of ${m.total} criteria met.`,
    '',
  ];
  for (const level of [1, 2] as const) {
    lines.push(`## For ${LEVEL_NAMES[level]}`, '');
    for (const c of m.criteria.filter((x) => x.level === level)) {
      lines.push(`- ${c.met ? '✓' : '✗'} **${c.title}** — ${c.evidence}`);
      if (c.command) lines.push(`  - to meet it: \`${c.command}\``);
    }
    lines.push('');
  }
  return lines.join('\n');
}
