import * as fs from 'node:fs';
import * as path from 'node:path';
import { CairnError } from '../errors.js';
import { git } from '../git/git.js';
import { readConfig } from '../project/config.js';
import type { Project } from '../project/project.js';
import { checkoutArtifacts } from './checkout.js';
import { push } from '../remotes/transfer.js';
import { artifactStatus } from './status.js';

export const HOOK_NAMES = ['post-checkout', 'pre-commit', 'pre-push'] as const;
export type HookName = (typeof HOOK_NAMES)[number];

const MARKER = '# cairn-hook: installed by `cairn hooks install`';

export interface HookInstall {
  readonly name: HookName;
  readonly file: string;
  /** An existing hook that was kept and is now run first (renamed to `<name>.pre-cairn`). */
  readonly chained?: string;
}

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The hook script: runs a hook that was there before (kept as `<name>.pre-cairn`, with the same
 * arguments and standard input), then `cairn hooks run <name>` through the CLI that installed it,
 * or `cairn` on the PATH when that one has moved.
 */
export function hookScript(name: HookName, nodePath: string, cliPath: string): string {
  return `#!/bin/sh
${MARKER}
hook_dir=$(dirname "$0")
if [ -x "$hook_dir/${name}.pre-cairn" ]; then
  "$hook_dir/${name}.pre-cairn" "$@" || exit $?
fi
if [ -f ${quote(cliPath)} ]; then
  ELECTRON_RUN_AS_NODE=1 exec ${quote(nodePath)} ${quote(cliPath)} hooks run ${name} "$@" </dev/null
elif command -v cairn >/dev/null 2>&1; then
  exec cairn hooks run ${name} "$@" </dev/null
else
  echo "cairn ${name} hook: the cairn command was not found; reinstall the hooks with 'cairn hooks install'" >&2
  exit 0
fi
`;
}

/** Installs the post-checkout, pre-commit and pre-push hooks, keeping hooks that exist. */
export async function installHooks(
  project: Project,
  cliPath: string,
  nodePath = process.execPath,
): Promise<HookInstall[]> {
  const rel = (
    await git(project.root, ['rev-parse', '--git-path', 'hooks'], 'finding the hooks directory')
  ).trim();
  const dir = path.resolve(project.root, rel);
  fs.mkdirSync(dir, { recursive: true });
  const out: HookInstall[] = [];
  for (const name of HOOK_NAMES) {
    const file = path.join(dir, name);
    let chained: string | undefined;
    const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    if (existing !== undefined && !existing.includes(MARKER)) {
      chained = path.join(dir, `${name}.pre-cairn`);
      if (fs.existsSync(chained)) {
        throw new CairnError(
          'usage',
          `Both ${file} and ${chained} exist and neither is Cairn's; merge them into ${chained} and run 'cairn hooks install' again`,
          file,
        );
      }
      fs.renameSync(file, chained);
      fs.chmodSync(chained, fs.statSync(chained).mode | 0o111);
    }
    const tmp = `${file}.cairn-tmp`;
    fs.writeFileSync(tmp, hookScript(name, nodePath, cliPath), { mode: 0o755 });
    fs.renameSync(tmp, file);
    out.push({ name, file, ...(chained ? { chained } : {}) });
  }
  return out;
}

/** What a hook did: lines for the user (stderr) and the hook's exit code. */
export interface HookOutcome {
  readonly exitCode: number;
  readonly messages: string[];
}

/**
 * The work of each hook. post-checkout puts the new commit's versions in place after a branch
 * switch (never overwriting unsaved data); pre-commit warns about artifacts changed but not
 * re-added; pre-push pushes the data when a remote is configured, and stops the push if that fails.
 */
export async function runHook(
  project: Project,
  name: HookName,
  args: readonly string[],
): Promise<HookOutcome> {
  switch (name) {
    case 'post-checkout': {
      const [prev, next, branchFlag] = args;
      if (branchFlag !== '1' || prev === next) return { exitCode: 0, messages: [] };
      try {
        const results = await checkoutArtifacts(project);
        const restored = results.filter((r) => r.action === 'restored').map((r) => r.path);
        return {
          exitCode: 0,
          messages: restored.length ? [`cairn: checked out ${restored.join(', ')}`] : [],
        };
      } catch (err) {
        return {
          exitCode: 0,
          messages: [`cairn: data not checked out: ${(err as Error).message}`],
        };
      }
    }
    case 'pre-commit': {
      const modified = (await artifactStatus(project))
        .filter((e) => e.status === 'modified')
        .map((e) => e.path);
      return {
        exitCode: 0,
        messages: modified.length
          ? [
              `cairn: warning: ${modified.join(', ')} changed but ${modified.length === 1 ? 'was' : 'were'} not re-added; run 'cairn add ${modified.join(' ')}' to commit the new version`,
            ]
          : [],
      };
    }
    case 'pre-push': {
      if (readConfig(project).remotes.length === 0) return { exitCode: 0, messages: [] };
      try {
        const r = await push(project);
        return {
          exitCode: 0,
          messages: r.copiedObjects
            ? [`cairn: pushed ${r.copiedObjects} objects to ${r.remote}`]
            : [],
        };
      } catch (err) {
        return {
          exitCode: 1,
          messages: [
            `cairn: push of data failed, so the git push was stopped: ${(err as Error).message}`,
          ],
        };
      }
    }
  }
}
