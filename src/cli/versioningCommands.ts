import * as path from 'node:path';
import { CairnError } from '../core/errors.js';
import { findProject, initProject } from '../core/project/project.js';
import { addArtifacts } from '../core/versioning/add.js';
import { artifactPathFrom } from '../core/versioning/artifacts.js';
import { checkoutArtifacts } from '../core/versioning/checkout.js';
import { artifactStatus } from '../core/versioning/status.js';
import type { Command, CommandArgs } from './command.js';
import { endProgress, formatBytes, out, printJson, progress } from './printer.js';

const json = { json: { type: 'boolean' } } as const;

function projectPaths(args: CommandArgs): {
  project: ReturnType<typeof findProject>;
  rels: string[];
} {
  const project = findProject(args.cwd);
  return { project, rels: args.positionals.map((p) => artifactPathFrom(project, p, args.cwd)) };
}

const init: Command = {
  name: 'init',
  usage: 'cairn init',
  summary: 'start versioning data and models in this Git repository',
  options: {},
  run(args) {
    const { project, created } = initProject(args.cwd);
    out(
      created
        ? `Initialized Cairn in ${project.root} (cairn.yaml, .cairn/). Next: cairn add <data-or-model>`
        : `Cairn is already initialized in ${project.root}`,
    );
    return Promise.resolve(0);
  },
};

const add: Command = {
  name: 'add',
  usage: 'cairn add <path>... [--kind data|model]',
  summary: 'track or re-version datasets and models',
  options: { kind: { type: 'string' } },
  async run(args) {
    const kindArg = args.values['kind'];
    if (kindArg !== undefined && kindArg !== 'data' && kindArg !== 'model') {
      throw new CairnError('usage', `--kind must be data or model, not '${String(kindArg)}'`);
    }
    if (args.positionals.length === 0)
      throw new CairnError(
        'usage',
        'name at least one file or directory to add: cairn add <path>...',
      );
    const { project, rels } = projectPaths(args);
    const results = await addArtifacts(project, rels, {
      ...(kindArg ? { kind: kindArg } : {}),
      onProgress: (rel, p) =>
        progress(
          `Adding ${rel}: ${p.doneFiles}/${p.totalFiles} files, ${formatBytes(p.doneBytes)}/${formatBytes(p.totalBytes)}`,
        ),
    });
    endProgress();
    for (const r of results) {
      const what =
        r.pointer.type === 'dir'
          ? `${r.pointer.fileCount} files, ${formatBytes(r.pointer.sizeBytes)}`
          : formatBytes(r.pointer.sizeBytes);
      out(
        `${r.changed ? 'Versioned' : 'Unchanged'} ${r.pointer.kind} ${r.path} (${what}) ${r.pointer.hash.slice(0, 12)}`,
      );
    }
    const pointers = results
      .filter((r) => r.changed)
      .map((r) => path.relative(args.cwd, r.pointerFile));
    if (pointers.length > 0)
      out(`To record this version: git add ${pointers.map(shellQuote).join(' ')} && git commit`);
    return 0;
  },
};

const status: Command = {
  name: 'status',
  usage: 'cairn status [<path>...] [--json]',
  summary: 'ok | modified | missing | not-in-cache, per artifact',
  options: json,
  async run(args) {
    const { project, rels } = projectPaths(args);
    const entries = await artifactStatus(project, rels);
    if (args.values['json']) {
      printJson({ artifacts: entries });
      return 0;
    }
    if (entries.length === 0) {
      out("No artifacts tracked yet. Track a dataset or model with 'cairn add <path>'.");
      return 0;
    }
    for (const e of entries) {
      out(`${e.status.padEnd(12)} ${e.kind.padEnd(5)} ${e.path}`);
      if (e.changes) {
        for (const f of e.changes.added) out(`    added:    ${f}`);
        for (const f of e.changes.removed) out(`    removed:  ${f}`);
        for (const f of e.changes.modified) out(`    modified: ${f || e.path}`);
      }
    }
    const hints: string[] = [];
    if (entries.some((e) => e.status === 'modified'))
      hints.push(
        "'cairn add <path>' to version the changes, 'cairn checkout <path>' to discard them",
      );
    if (entries.some((e) => e.status === 'missing'))
      hints.push("'cairn checkout' to restore missing artifacts");
    if (entries.some((e) => e.status === 'not-in-cache'))
      hints.push("'cairn pull' to fetch versions that are not in the cache");
    for (const h of hints) out(`  (use ${h})`);
    return 0;
  },
};

const checkout: Command = {
  name: 'checkout',
  usage: 'cairn checkout [<path>...] [--force]',
  summary: 'restore the versions the pointer files name',
  options: { force: { type: 'boolean' }, ...json },
  async run(args) {
    const { project, rels } = projectPaths(args);
    const results = await checkoutArtifacts(project, rels, {
      force: args.values['force'] === true,
      onProgress: (rel, done, total) => progress(`Checking out ${rel}: ${done}/${total} files`),
    });
    endProgress();
    if (args.values['json']) {
      printJson({ artifacts: results });
      return 0;
    }
    const restored = results.filter((r) => r.action === 'restored');
    for (const r of restored)
      out(`Restored ${r.path} (${r.filesWritten} written, ${r.filesRemoved} removed)`);
    if (restored.length === 0)
      out(results.length === 0 ? 'No artifacts tracked.' : 'Everything is already checked out.');
    return 0;
  },
};

function shellQuote(s: string): string {
  return /^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export const versioningCommands: readonly Command[] = [init, add, status, checkout];
