import * as path from 'node:path';
import { shellQuote } from '../core/shell.js';
import type { HookName } from '../core/versioning/hooks.js';
import { CairnError } from '../core/errors.js';
import { findProject, initProject } from '../core/project/project.js';
import { artifactPathFrom } from '../core/versioning/artifacts.js';
import { artifactStatus } from '../core/versioning/status.js';
import { formatBytes, shortHash } from '../core/format.js';
import { defineCommand, type Command, type CommandArgs } from './command.js';
import { endProgress, err, out, printJson, progress } from './printer.js';

const json = { json: { type: 'boolean' } } as const;

function projectPaths(args: CommandArgs): {
  project: ReturnType<typeof findProject>;
  rels: string[];
} {
  const project = findProject(args.cwd);
  return { project, rels: args.positionals.map((p) => artifactPathFrom(project, p, args.cwd)) };
}

const init = defineCommand({
  name: 'init',
  usage: 'cairn init',
  summary: 'start versioning data and models in this Git repository',
  options: {},
  run(args) {
    const { project, createdPaths } = initProject(args.cwd);
    out(
      createdPaths.length > 0
        ? `Initialized Cairn in ${project.root} (created ${createdPaths.join(', ')}). Next: cairn add <data-or-model>`
        : `Cairn is already initialized in ${project.root}`,
    );
    return Promise.resolve(0);
  },
});

const add = defineCommand({
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
    const { addArtifacts } = await import('../core/versioning/add.js');
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
          ? `${plural(r.pointer.fileCount, 'file')}, ${formatBytes(r.pointer.sizeBytes)}`
          : formatBytes(r.pointer.sizeBytes);
      out(
        `${r.changed ? 'Versioned' : 'Unchanged'} ${r.pointer.kind === 'data' ? 'dataset' : 'model'} ${r.path} (${what}) ${shortHash(r.pointer.hash)}`,
      );
    }
    const pointers = results
      .filter((r) => r.changed)
      .map((r) => path.relative(args.cwd, r.pointerFile));
    if (pointers.length > 0)
      out(`To record this version: git add ${pointers.map(shellQuote).join(' ')} && git commit`);
    return 0;
  },
});

const status = defineCommand({
  name: 'status',
  usage: 'cairn status [<path>...] [--remote [--remote-name <name>]] [--json]',
  summary:
    'ok | modified | missing | not-in-cache, per artifact; with --remote, whether it is on the remote',
  options: { ...json, remote: { type: 'boolean' }, 'remote-name': { type: 'string' } },
  async run(args) {
    if (args.values['remote'] || args.values['remote-name'])
      return (await import('./remoteCommands.js')).printRemoteStatus(
        args,
        args.values['remote-name'],
        args.values['json'] === true,
      );
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
        "'cairn add <path>' to version the changes, 'cairn checkout --force <path>' to discard them",
      );
    if (entries.some((e) => e.status === 'missing'))
      hints.push("'cairn checkout' to restore missing artifacts");
    if (entries.some((e) => e.status === 'not-in-cache'))
      hints.push("'cairn pull' to fetch versions that are not in the cache");
    for (const h of hints) out(`  (use ${h})`);
    return 0;
  },
});

const checkout = defineCommand({
  name: 'checkout',
  usage: 'cairn checkout [<path>...] [--force]',
  summary: 'restore the versions the pointer files name',
  options: { force: { type: 'boolean' }, ...json },
  async run(args) {
    const { project, rels } = projectPaths(args);
    const { checkoutArtifacts } = await import('../core/versioning/checkout.js');
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
});

const unprotectCmd = defineCommand({
  name: 'unprotect',
  usage: 'cairn unprotect <path>... [--json]',
  summary: 'replace files checked out as links to the cache with editable copies',
  options: json,
  async run(args) {
    if (args.positionals.length === 0)
      throw new CairnError(
        'usage',
        'name at least one tracked file or directory to make editable: cairn unprotect <path>...',
      );
    const { project, rels } = projectPaths(args);
    const { unprotect } = await import('../core/versioning/unprotect.js');
    const results = await unprotect(project, rels);
    if (args.values['json']) {
      printJson({ files: results });
      return 0;
    }
    const copied = results.filter((r) => r.action === 'copied');
    for (const r of copied.slice(0, 20))
      out(
        `Made ${r.path} editable (it was a ${r.was === 'hardlink' ? 'hard link' : 'symlink'} to the cache; now a copy)`,
      );
    if (copied.length > 20) out(`… and ${copied.length - 20} more files made editable`);
    const already = results.length - copied.length;
    if (already > 0)
      out(
        copied.length === 0
          ? `Nothing to do: ${already === 1 ? `${results[0]!.path} is` : `all ${already} files are`} already an editable copy`
          : `${plural(already, 'file')} ${already === 1 ? 'was' : 'were'} already editable, left as ${already === 1 ? 'it was' : 'they were'}`,
      );
    if (results.length === 0) out('Nothing to do: no files there.');
    return 0;
  },
});

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

const log = defineCommand({
  name: 'log',
  usage: 'cairn log <path> [--json]',
  summary: 'versions of an artifact across Git history',
  options: json,
  async run(args) {
    const { project, rels } = projectPaths(args);
    if (rels.length !== 1) throw new CairnError('usage', 'name one artifact: cairn log <path>');
    const { artifactLog } = await import('../core/versioning/history.js');
    const entries = await artifactLog(project, rels[0]!);
    if (args.values['json']) {
      printJson({ path: rels[0], versions: entries });
      return 0;
    }
    if (entries.length === 0)
      out(`No commit has ${rels[0]}.cairn yet; commit the pointer file to record a version.`);
    for (const e of entries) {
      const date = new Date(e.dateMs).toISOString().slice(0, 16).replace('T', ' ');
      const what = e.pointer
        ? `${shortHash(e.pointer.hash)}  ${formatBytes(e.pointer.sizeBytes)} (${signed(e.sizeDeltaBytes, formatBytes)})  ${e.pointer.fileCount} files (${signed(e.fileCountDelta, String)})${e.pointer.run ? `  run ${e.pointer.run}` : ''}`
        : 'removed';
      out(`${shortHash(e.commit)}  ${date}  ${what}  ${e.subject}`);
    }
    return 0;
  },
});

const diff = defineCommand({
  name: 'diff',
  usage: 'cairn diff [<rev-a> [<rev-b>]] [--json]',
  summary: 'artifact versions that differ between revisions (default: HEAD and the work tree)',
  options: json,
  async run(args) {
    const project = findProject(args.cwd);
    if (args.positionals.length > 2)
      throw new CairnError('usage', 'give at most two revisions: cairn diff [<rev-a> [<rev-b>]]');
    const [a, b] = args.positionals;
    const { artifactDiff } = await import('../core/versioning/history.js');
    const entries = await artifactDiff(project, a ?? 'HEAD', b);
    if (args.values['json']) {
      printJson({ from: a ?? 'HEAD', to: b ?? 'workspace', artifacts: entries });
      return 0;
    }
    if (entries.length === 0)
      out(`No artifact versions differ between ${a ?? 'HEAD'} and ${b ?? 'the work tree'}.`);
    for (const e of entries) {
      const pointerSame = e.a !== undefined && e.b !== undefined && e.a.hash === e.b.hash;
      out(
        pointerSame
          ? `${e.change.padEnd(9)} ${e.path}  ${e.a ? shortHash(e.a.hash) : '-'}, edited in the work tree`
          : `${e.change.padEnd(9)} ${e.path}  ${e.a ? shortHash(e.a.hash) : '-'} -> ${e.b ? shortHash(e.b.hash) : '-'}  size ${signed(e.sizeDeltaBytes, formatBytes)}, files ${signed(e.fileCountDelta, String)}`,
      );
      if (e.files) {
        for (const f of e.files.added) out(`    added:    ${f}`);
        for (const f of e.files.removed) out(`    removed:  ${f}`);
        for (const f of e.files.modified) out(`    modified: ${f}`);
      }
      if (e.workTree?.status === 'missing') out('    missing from the work tree');
      if (e.workTree?.status === 'modified') {
        const w = e.workTree;
        for (const f of w.added) out(`    added:    ${f} (not yet added)`);
        for (const f of w.removed) out(`    removed:  ${f} (not yet added)`);
        for (const f of w.modified) out(`    modified: ${f || e.path} (not yet added)`);
      }
    }
    if (entries.some((e) => e.workTree?.status === 'modified'))
      out("  (use 'cairn add <path>' to version the edits marked 'not yet added')");
    return 0;
  },
});

function signed(n: number, fmt: (n: number) => string): string {
  return n > 0 ? `+${fmt(n)}` : n < 0 ? `-${fmt(-n)}` : '±0';
}

const gcCmd = defineCommand({
  name: 'gc',
  usage: 'cairn gc [--dry-run] [--json]',
  summary: 'drop cache objects that no commit, tag, branch or kept run needs',
  options: { 'dry-run': { type: 'boolean' }, ...json },
  async run(args) {
    const project = findProject(args.cwd);
    const dryRun = args.values['dry-run'] === true;
    const { gc } = await import('../core/versioning/gc.js');
    const r = await gc(project, { dryRun });
    if (args.values['json']) {
      printJson(r);
      return 0;
    }
    if (dryRun)
      for (const o of r.removed) out(`would remove ${o.hash}  ${formatBytes(o.sizeBytes)}`);
    out(
      `${dryRun ? 'Would remove' : 'Removed'} ${r.removed.length} objects (${formatBytes(r.removedBytes)}); kept ${r.keptObjects}.`,
    );
    return 0;
  },
});

const fsckCmd = defineCommand({
  name: 'fsck',
  usage: 'cairn fsck [--json]',
  summary: 'verify every cache object against its hash',
  options: json,
  async run(args) {
    const project = findProject(args.cwd);
    const { fsck } = await import('../core/versioning/fsck.js');
    const r = await fsck(project, (p) =>
      progress(`Checking: ${p.doneFiles}/${p.totalFiles} objects, ${formatBytes(p.doneBytes)}`),
    );
    endProgress();
    const ok = r.corrupt.length === 0 && r.missing.length === 0;
    if (args.values['json']) {
      printJson({ ok, ...r });
      return ok ? 0 : 1;
    }
    for (const c of r.corrupt)
      out(
        `corrupt  ${c.path}${c.actual ? ` (content hashes to ${shortHash(c.actual)})` : ` (${c.error})`}`,
      );
    for (const m of r.missing) out(`missing  ${m.hash} (needed by ${m.neededBy})`);
    out(
      `Checked ${r.checkedObjects} objects (${formatBytes(r.checkedBytes)}): ${ok ? 'all good' : `${r.corrupt.length} corrupt, ${r.missing.length} missing`}.`,
    );
    if (!ok)
      out(
        "  (delete corrupt objects and run 'cairn pull', or re-add the artifact from a good copy)",
      );
    return ok ? 0 : 1;
  },
});

const hooksInstall = defineCommand({
  name: 'hooks install',
  usage: 'cairn hooks install',
  summary: 'git hooks: post-checkout, pre-commit, pre-push',
  options: {},
  async run(args) {
    const project = findProject(args.cwd);
    const { installHooks } = await import('../core/versioning/hooks.js');
    const installed = await installHooks(project, path.join(__dirname, 'cli.js'));
    for (const h of installed)
      out(
        `Installed ${h.name}${h.chained ? ` (your existing hook runs first, kept as ${path.basename(h.chained)})` : ''}`,
      );
    return 0;
  },
});

const hooksRun = defineCommand({
  name: 'hooks run',
  usage: 'cairn hooks run <hook> [<git arguments>...]',
  summary: 'what the installed git hooks call',
  options: {},
  async run(args) {
    const [name, ...rest] = args.positionals;
    const { HOOK_NAMES, runHook } = await import('../core/versioning/hooks.js');
    if (!HOOK_NAMES.includes(name as HookName))
      throw new CairnError(
        'usage',
        `unknown hook '${name ?? ''}'; one of ${HOOK_NAMES.join(', ')}`,
      );
    const r = await runHook(findProject(args.cwd), name as HookName, rest);
    for (const m of r.messages) err(m);
    return r.exitCode;
  },
});

export const versioningCommands: readonly Command[] = [
  init,
  add,
  status,
  checkout,
  unprotectCmd,
  log,
  diff,
  gcCmd,
  fsckCmd,
  hooksInstall,
  hooksRun,
];
