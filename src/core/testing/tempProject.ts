// Test support: real temporary Git repositories and the real built CLI. Used by *.test.ts only.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initProject, type Project } from '../project/project.js';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

const madeDirs: string[] = [];

/**
 * A new temporary folder, removed when the test process exits (a test file's process: node:test
 * runs each in its own), unless CAIRN_KEEP_TEST_DIRS is set to look at them afterwards.
 */
export function tempDir(prefix = 'cairn-test-'): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  if (madeDirs.length === 0 && !process.env['CAIRN_KEEP_TEST_DIRS']) {
    process.once('exit', () => {
      for (const d of madeDirs) {
        try {
          fs.rmSync(d, { recursive: true, force: true });
        } catch {
          // a read-only leftover (a cache object's folder): the machine's tmp cleaner takes it
        }
      }
    });
  }
  madeDirs.push(dir);
  return dir;
}

/** Runs git in a directory with a fixed identity; throws with git's stderr on failure. */
export function gitSync(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 't@example.com',
      LANG: 'C',
    },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** A new Git repository with Cairn initialized. */
export function tempProject(): Project {
  const root = tempDir();
  gitSync(root, 'init', '-q', '-b', 'main');
  // A repository-local identity: the machine may have no global one.
  gitSync(root, 'config', 'user.name', 'Test');
  gitSync(root, 'config', 'user.email', 't@example.com');
  return initProject(root).project;
}

/** Writes files (path → content; a trailing '/' makes an empty directory). */
export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    if (rel.endsWith('/')) {
      fs.mkdirSync(abs, { recursive: true });
      continue;
    }
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
  }
}

/** Every file under a directory as rel path → content (and '/'-suffixed empty dirs). */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string): void => {
    const entries = fs.readdirSync(d, { withFileTypes: true });
    if (entries.length === 0 && rel !== '') out[rel + '/'] = '';
    for (const e of entries) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else out[r] = fs.readFileSync(path.join(d, e.name), 'latin1');
    }
  };
  walk(dir, '');
  return out;
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built `cairn` CLI (dist/cli.js; `npm run build` makes it). */
export function cairn(cwd: string, ...args: string[]): CliResult {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first`);
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the built CLI without waiting, so that several can run at once. */
export function cairnAsync(cwd: string, ...args: string[]): Promise<CliResult> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first`);
  const child = spawn(process.execPath, [CLI, ...args], { cwd });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
