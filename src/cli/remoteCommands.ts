import { CairnError } from '../core/errors.js';
import { formatBytes } from '../core/format.js';
import { readConfig, type RemoteConfig } from '../core/project/config.js';
import { findProject, type Project } from '../core/project/project.js';
import { addRemote, removeRemote, setDefaultRemote } from '../core/remotes/remoteConfig.js';
import {
  pull,
  push,
  remoteStatus,
  selectRemote,
  type TransferProgress,
  type TransferResult,
  type TransferScope,
} from '../core/remotes/transfer.js';
import { artifactPathFrom } from '../core/versioning/artifacts.js';
import { checkoutArtifacts } from '../core/versioning/checkout.js';
import { defineCommand, type Command, type CommandArgs } from './command.js';
import { endProgress, err, out, printJson, progress } from './printer.js';

const json = { json: { type: 'boolean' } } as const;

const scopeOptions = {
  remote: { type: 'string' },
  'all-commits': { type: 'boolean' },
  'all-branches': { type: 'boolean' },
  rev: { type: 'string', multiple: true },
  ...json,
} as const;

function scopeOf(values: {
  'all-commits'?: boolean;
  'all-branches'?: boolean;
  rev?: string[];
}): TransferScope {
  return {
    ...(values['all-commits'] ? { allCommits: true } : {}),
    ...(values['all-branches'] ? { allBranches: true } : {}),
    ...(values.rev?.length ? { revs: values.rev } : {}),
  };
}

/** "Pushing: 1,204/20,001 objects, 12.0 MB/96.3 MB, 8.1 MB/s, 11 s left" on a terminal. */
function transferProgress(verb: string): (p: TransferProgress) => void {
  const start = Date.now();
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < 100 && p.doneObjects < p.totalObjects) return;
    last = now;
    const seconds = (now - start) / 1000;
    const rate = seconds > 0.5 ? p.doneBytes / seconds : 0;
    const left = rate > 0 ? (p.totalBytes - p.doneBytes) / rate : undefined;
    progress(
      `${verb}: ${p.doneObjects}/${p.totalObjects} objects, ${formatBytes(p.doneBytes)}/${formatBytes(p.totalBytes)}` +
        (rate > 0 ? `, ${formatBytes(rate)}/s` : '') +
        (left !== undefined && p.doneBytes < p.totalBytes ? `, ${Math.ceil(left)} s left` : ''),
    );
  };
}

function printTransfer(verb: string, r: TransferResult): void {
  out(
    `${verb} ${r.copiedObjects} objects (${formatBytes(r.copiedBytes)}) and ${r.copiedRuns} runs; ${r.upToDateObjects} objects were up to date (remote '${r.remote}', ${r.location})`,
  );
  if (r.missing.length > 0)
    err(
      `cairn: warning: ${r.missing.length} objects are on neither side: ${r.missing.slice(0, 5).join(', ')}${r.missing.length > 5 ? ', ...' : ''}`,
    );
}

/**
 * A push or a pull with progress on a terminal. Ctrl-C stops it between requests; what arrived
 * stays, and the next one resumes.
 */
async function transfer(
  move: typeof push,
  doing: string,
  project: Project,
  values: { remote?: string; 'all-commits'?: boolean; 'all-branches'?: boolean; rev?: string[] },
): Promise<TransferResult> {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    return await move(project, {
      ...(values.remote ? { remote: values.remote } : {}),
      ...scopeOf(values),
      onProgress: transferProgress(doing),
      signal: controller.signal,
    });
  } finally {
    process.off('SIGINT', onSigint);
    endProgress();
  }
}

const pushCmd = defineCommand({
  name: 'push',
  usage: 'cairn push [--remote <name>] [--all-commits | --all-branches] [--rev <rev>]... [--json]',
  summary:
    "send the work tree's and every kept run's data and models, and run records, to a remote",
  options: scopeOptions,
  async run(args) {
    const project = findProject(args.cwd);
    const r = await transfer(push, 'Pushing', project, args.values);
    if (args.values['json']) printJson(r);
    else printTransfer('Pushed', r);
    return r.missing.length > 0 ? 1 : 0;
  },
});

const pullCmd = defineCommand({
  name: 'pull',
  usage:
    'cairn pull [--remote <name>] [--all-commits | --all-branches] [--rev <rev>]... [--force] [--json]',
  summary: 'fetch data, models and run records from a remote, then check out',
  options: { ...scopeOptions, force: { type: 'boolean' } },
  async run(args) {
    const project = findProject(args.cwd);
    const r = await transfer(pull, 'Pulling', project, args.values);
    const results = await checkoutArtifacts(project, undefined, {
      force: args.values['force'] === true,
    });
    if (args.values['json']) {
      printJson({ ...r, checkout: results });
      return r.missing.length > 0 ? 1 : 0;
    }
    printTransfer('Pulled', r);
    for (const c of results.filter((x) => x.action === 'restored')) out(`Restored ${c.path}`);
    return r.missing.length > 0 ? 1 : 0;
  },
});

function describe(r: RemoteConfig): Record<string, unknown> {
  const { name, kind, url, isDefault } = r;
  const extra =
    r.kind === 'ssh'
      ? { host: r.host, port: r.port, user: r.user, path: r.path }
      : r.kind === 's3'
        ? {
            bucket: r.bucket,
            prefix: r.prefix,
            endpoint: r.endpoint,
            region: r.region,
            profile: r.profile,
          }
        : { path: r.path };
  return { name, kind, url, default: isDefault, ...extra };
}

const remoteAdd = defineCommand({
  name: 'remote add',
  usage:
    'cairn remote add <name> <url> [--default] [--local] [--user <u>] [--port <n>] [--endpoint <url>] [--region <r>] [--profile <p>]',
  summary: 'add a remote: a directory, ssh://[user@]host[:port]/path or s3://bucket/prefix',
  options: {
    default: { type: 'boolean' },
    local: { type: 'boolean' },
    user: { type: 'string' },
    port: { type: 'string' },
    endpoint: { type: 'string' },
    region: { type: 'string' },
    profile: { type: 'string' },
    ...json,
  },
  run(args) {
    const [name, url, ...rest] = args.positionals;
    if (!name || !url || rest.length > 0)
      throw new CairnError('usage', 'usage: cairn remote add <name> <url>');
    const project = findProject(args.cwd);
    const v = args.values;
    const port = v.port === undefined ? undefined : Number(v.port);
    if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536))
      throw new CairnError('usage', `--port ${v.port}: a port is a number from 1 to 65535`);
    const r = addRemote(project, name, url, {
      ...(v.user ? { user: v.user } : {}),
      ...(port ? { port } : {}),
      ...(v.endpoint ? { endpoint: v.endpoint } : {}),
      ...(v.region ? { region: v.region } : {}),
      ...(v.profile ? { profile: v.profile } : {}),
      ...(v.local ? { local: true } : {}),
      ...(v.default ? { isDefault: true } : {}),
    });
    if (v.json) printJson(describe(r));
    else
      out(
        `Added remote '${r.name}' (${r.url}) to ${v.local ? '.cairn/local.yaml (this clone only)' : 'cairn.yaml'}${r.isDefault ? ' as the default' : ''}`,
      );
    return Promise.resolve(0);
  },
});

const remoteLs = defineCommand({
  name: 'remote ls',
  usage: 'cairn remote ls [--json]',
  summary: 'the remotes of cairn.yaml and .cairn/local.yaml',
  options: json,
  run(args) {
    const project = findProject(args.cwd);
    const { remotes } = readConfig(project);
    let chosen: string | undefined;
    try {
      chosen = selectRemote(project).name;
    } catch {
      // several remotes and no default: push and pull ask for --remote
    }
    if (args.values.json) {
      printJson({ remotes: remotes.map((r) => ({ ...describe(r), used: r.name === chosen })) });
      return Promise.resolve(0);
    }
    if (remotes.length === 0) {
      out("No remotes yet. Add one with 'cairn remote add <name> <url>'.");
      return Promise.resolve(0);
    }
    const width = Math.max(...remotes.map((r) => r.name.length));
    for (const r of remotes)
      out(
        `${r.name === chosen ? '*' : ' '} ${r.name.padEnd(width)}  ${r.url}${r.isDefault ? '  (default)' : ''}`,
      );
    return Promise.resolve(0);
  },
});

const remoteRm = defineCommand({
  name: 'remote rm',
  usage: 'cairn remote rm <name>',
  summary: 'remove a remote from the configuration (its content stays where it is)',
  options: {},
  run(args) {
    const [name] = args.positionals;
    if (!name) throw new CairnError('usage', 'usage: cairn remote rm <name>');
    removeRemote(findProject(args.cwd), name);
    out(`Removed remote '${name}' from the configuration; nothing on it was deleted`);
    return Promise.resolve(0);
  },
});

const remoteDefault = defineCommand({
  name: 'remote default',
  usage: 'cairn remote default <name> [--local]',
  summary: 'the remote push and pull use when none is named',
  options: { local: { type: 'boolean' } },
  run(args) {
    const [name] = args.positionals;
    if (!name) throw new CairnError('usage', 'usage: cairn remote default <name> [--local]');
    setDefaultRemote(findProject(args.cwd), name, args.values.local === true);
    out(`'${name}' is now the default remote${args.values.local ? ' of this clone' : ''}`);
    return Promise.resolve(0);
  },
});

/** `cairn status --remote`: per artifact, whether its version is on the remote. */
export async function printRemoteStatus(
  args: CommandArgs,
  remote: string | undefined,
  asJson: boolean,
): Promise<number> {
  const project = findProject(args.cwd);
  const only = args.positionals.map((p) => artifactPathFrom(project, p, args.cwd));
  const r = await remoteStatus(project, { ...(remote ? { remote } : {}), only });
  if (asJson) {
    printJson(r);
    return 0;
  }
  if (r.artifacts.length === 0) {
    out("No artifacts tracked yet. Track a dataset or model with 'cairn add <path>'.");
    return 0;
  }
  for (const a of r.artifacts)
    out(
      `${(a.onRemote ? 'on remote' : 'not on remote').padEnd(14)} ${a.path}${a.onRemote ? '' : ` (${a.missingObjects} objects to push)`}`,
    );
  if (r.artifacts.some((a) => !a.onRemote))
    out(`\n'cairn push' sends them to '${r.remote}' (${r.location})`);
  return 0;
}

export const remoteCommands: readonly Command[] = [
  pushCmd,
  pullCmd,
  remoteAdd,
  remoteLs,
  remoteRm,
  remoteDefault,
];
