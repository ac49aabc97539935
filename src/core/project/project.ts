import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CairnError, fromSystemError } from '../errors.js';
import { isEnoent, tmpSuffix } from '../fsSafe.js';

export const CONFIG_FILE = 'cairn.yaml';
export const POINTER_SUFFIX = '.cairn';

/**
 * The artifact a pointer file belongs to (both project-relative, '/'-separated), or undefined
 * when the path is no pointer file: a name that is `.cairn` alone (Cairn's own folder, a stray
 * `notes/.cairn`) or `..cairn` names no artifact, and nothing inside `.cairn/` or `.git/` is one.
 */
export function artifactOfPointerPath(rel: string): string | undefined {
  if (!rel.endsWith(POINTER_SUFFIX)) return undefined;
  const artifact = rel.slice(0, -POINTER_SUFFIX.length);
  const parts = artifact.split('/');
  const name = parts[parts.length - 1];
  if (name === '' || name === '.' || name === '..') return undefined;
  if (parts.length > 1 && (parts[0] === '.cairn' || parts[0] === '.git')) return undefined;
  return artifact;
}

/** Where a project keeps its files. */
export interface Project {
  /** Absolute path of the directory that holds cairn.yaml. */
  readonly root: string;
  readonly configFile: string;
  /** `.cairn/` */
  readonly dataDir: string;
  readonly cacheDir: string;
  readonly stateDir: string;
  readonly runsDir: string;
  /** Markers of params files a running recorder has overridden (runs/paramsFile.ts). */
  readonly paramsLockDir: string;
  readonly tmpRoot: string;
}

/** The project paths for a root directory (which must hold cairn.yaml). */
export function projectAt(root: string): Project {
  const abs = path.resolve(root);
  const dataDir = path.join(abs, '.cairn');
  return {
    root: abs,
    configFile: path.join(abs, CONFIG_FILE),
    dataDir,
    cacheDir: path.join(dataDir, 'cache'),
    stateDir: path.join(dataDir, 'state'),
    runsDir: path.join(dataDir, 'runs'),
    paramsLockDir: path.join(dataDir, 'runs', '.params'),
    tmpRoot: path.join(dataDir, 'tmp'),
  };
}

/** Finds the project that contains `cwd` by walking up to the nearest cairn.yaml. */
export function findProject(cwd: string): Project {
  let dir = path.resolve(cwd);
  for (;;) {
    if (fs.existsSync(path.join(dir, CONFIG_FILE))) {
      const project = projectAt(dir);
      keepDataDirOutOfGit(project);
      return project;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new CairnError(
        'not-a-project',
        `No ${CONFIG_FILE} found in ${cwd} or any parent directory; run 'cairn init' at the root of your Git repository`,
      );
    }
    dir = parent;
  }
}

const DEFAULT_CONFIG = `# Cairn project. Tasks are the commands Cairn runs and records (cairn run <task>);
# in VS Code, "Cairn: Create Task from Current File" writes one for a training script.
#
# tasks:
#   train:
#     cmd: python3 train.py --lr {{lr}}   # {{name}} is replaced by the param's value
#     params:
#       defaults: {lr: 0.01}             # or: params: params.yaml (a file the script reads)
#     deps: [data, train.py]             # what the run reads: its versions are recorded
#     outs: [models/model.pkl]           # versioned as a model after each successful run
#     metrics: [stdout]                  # JSON lines and key=value pairs the program prints
#     goal: {val_acc: max}               # which way each metric improves
#
# remotes:                               # where cairn push / pull share data and runs
#   shared:
#     url: /mnt/team/cairn
tasks: {}
`;

/**
 * Creates cairn.yaml and .cairn/ in a Git repository, whichever is missing; safe to run twice.
 * `created` says whether anything was missing; `createdPaths` lists what this call made.
 */
export function initProject(root: string): {
  project: Project;
  created: boolean;
  createdPaths: string[];
} {
  const abs = path.resolve(root);
  if (!fs.existsSync(path.join(abs, '.git'))) {
    throw new CairnError(
      'not-a-git-repo',
      `${abs} is not the root of a Git repository; run 'git init' first (Cairn versions data alongside Git commits)`,
    );
  }
  const project = projectAt(abs);
  const createdPaths: string[] = [];
  try {
    if (!fs.existsSync(project.configFile)) {
      fs.writeFileSync(project.configFile, DEFAULT_CONFIG);
      createdPaths.push(CONFIG_FILE);
    }
    const dirs = [project.cacheDir, project.stateDir, project.runsDir, project.tmpRoot];
    if (dirs.some((d) => !fs.existsSync(d))) createdPaths.push('.cairn/');
    for (const d of dirs) fs.mkdirSync(d, { recursive: true });
    writeDataDirIgnore(project);
  } catch (err) {
    throw fromSystemError(err, project.dataDir, 'Could not initialize');
  }
  return { project, created: createdPaths.length > 0, createdPaths };
}

/** .cairn/ never goes into Git: the cache and runs are shared through remotes. */
function writeDataDirIgnore(project: Project): void {
  const ignore = path.join(project.dataDir, '.gitignore');
  if (fs.existsSync(ignore)) return;
  fs.mkdirSync(project.dataDir, { recursive: true });
  fs.writeFileSync(ignore, '*\n');
}

/**
 * Makes sure Git ignores .cairn/ in a project that was never initialized here: a fresh clone has
 * cairn.yaml but not .cairn/.gitignore (which ignores itself), and without it `git add -A` would
 * commit the cache. Best effort: a read-only checkout still works, unprotected.
 */
export function keepDataDirOutOfGit(project: Project): void {
  try {
    writeDataDirIgnore(project);
  } catch {
    // read-only file system: nothing is written there either
  }
}

/**
 * A private temp directory for this process under .cairn/tmp, on the same file system as the
 * cache and the workspace so that renames are atomic. Directories left by dead processes (a
 * SIGKILL) are removed here.
 */
export function processTmpDir(project: Project): string {
  try {
    fs.mkdirSync(project.tmpRoot, { recursive: true });
    for (const name of safeReaddir(project.tmpRoot)) {
      const pid = Number(name.split('.')[0]);
      if (Number.isInteger(pid) && pid !== process.pid && !isProcessAlive(pid)) {
        fs.rmSync(path.join(project.tmpRoot, name), { recursive: true, force: true });
      }
    }
    const dir = path.join(project.tmpRoot, tmpSuffix());
    fs.mkdirSync(dir);
    return dir;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EROFS' && code !== 'EACCES' && code !== 'EPERM') throw err;
    // A read-only project can still be inspected; anything that writes fails later, clearly.
    return fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-'));
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (err) {
    if (isEnoent(err)) return [];
    throw err;
  }
}

/** Whether a process with this pid runs on this machine. */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
