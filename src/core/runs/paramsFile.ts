import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isMap, isScalar, parseDocument, type Document } from 'yaml';
import { CairnError, fromSystemError } from '../errors.js';
import {
  assertNoSymlinkEscape,
  assertSafeRelativePath,
  createExclusive,
  isEnoent,
  writeFileAtomic,
} from '../fsSafe.js';
import { parseYamlFile, yamlToJs } from '../project/config.js';
import type { Project } from '../project/project.js';
import { findJsonProblem } from './jsonSyntax.js';
import { assertParamKey, isForbiddenKey } from './paramKeys.js';
import { isRunId } from './runId.js';
import type { ParamValue } from './taskConfig.js';

/*
 * Overrides reach the program through its params file, for the run's duration only. Before the
 * file is touched, a marker (which is also the lock: one overriding run per params file) and a
 * byte-exact backup go to .cairn/runs/.params/. The file is restored when the run ends; if the
 * recorder died (SIGKILL), the next cairn command restores it. If the user edited the file while
 * the run held it, their edits are kept and the backup is left in the run directory.
 */

interface Marker {
  readonly file: string;
  readonly runId: string;
  readonly pid: number;
  readonly host: string;
  readonly existed: boolean;
  readonly mode?: number;
  /** sha256 of what the run wrote; absent until just before the write. */
  readonly writtenSha256?: string;
}

function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function markerPaths(project: Project, rel: string): { marker: string; backup: string } {
  const key = sha256(rel).slice(0, 16);
  const dir = project.paramsLockDir;
  return { marker: path.join(dir, `${key}.json`), backup: path.join(dir, `${key}.orig`) };
}

/** Whether a process on this host is alive. */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads a params file (YAML or JSON) into flat `a.b` keys; errors name the file and line. */
export function readParamsFile(project: Project, rel: string): Record<string, ParamValue> {
  const abs = path.join(project.root, rel);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (err) {
    if (isEnoent(err)) return Object.create(null) as Record<string, ParamValue>;
    throw fromSystemError(err, rel, 'Could not read the params file');
  }
  return flattenParams(parseParamsText(text, rel), rel);
}

// Deeper params are a mistake or an attack; the limit keeps every walk over them shallow.
const MAX_DEPTH = 32;

function badParams(rel: string, line: number, what: string): CairnError {
  return new CairnError('bad-params', `${rel}:${line}: ${what}`, rel, line);
}

function parseParamsText(text: string, rel: string): Record<string, unknown> {
  let value: unknown;
  if (/\.json$/i.test(rel)) {
    if (text.trim() === '') return {};
    const problem = findJsonProblem(text, MAX_DEPTH);
    if (problem?.kind === 'too-deep')
      throw badParams(
        rel,
        problem.line,
        `the params are nested more than ${MAX_DEPTH} levels deep; flatten them`,
      );
    try {
      value = JSON.parse(text);
    } catch (e) {
      const line = problem?.line ?? 1;
      throw badParams(
        rel,
        line,
        `the params file is not valid JSON (${(e as Error).message.split('\n')[0]}); fix it there`,
      );
    }
  } else {
    let doc: Document;
    try {
      doc = parseYamlFile(text, rel).doc;
    } catch (e) {
      const ce = e as CairnError;
      throw new CairnError('bad-params', ce.message, rel, ce.line);
    }
    try {
      value = yamlToJs(doc, rel) ?? {};
    } catch (e) {
      const ce = e as CairnError;
      throw new CairnError('bad-params', ce.message, rel, ce.line);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badParams(rel, 1, 'the params file must be a mapping of name to value');
  }
  return value as Record<string, unknown>;
}

/** Flat `a.b` keys of nested params, in an object without a prototype. */
function flattenParams(obj: Record<string, unknown>, rel: string): Record<string, ParamValue> {
  const out = Object.create(null) as Record<string, ParamValue>;
  const walk = (o: Record<string, unknown>, prefix: string, depth: number) => {
    if (depth > MAX_DEPTH)
      throw badParams(
        rel,
        1,
        `the params are nested more than ${MAX_DEPTH} levels deep; flatten them`,
      );
    for (const [k, v] of Object.entries(o)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (isForbiddenKey(k))
        throw badParams(
          rel,
          1,
          `'${key}' cannot be a parameter name (__proto__, constructor and prototype are reserved); rename it`,
        );
      if (typeof v === 'object' && v !== null && !Array.isArray(v))
        walk(v as Record<string, unknown>, key, depth + 1);
      else if (v === null || ['string', 'number', 'boolean'].includes(typeof v))
        out[key] = v as ParamValue;
      else out[key] = JSON.stringify(v);
    }
  };
  walk(obj, '', 0);
  return out;
}

/** The params file text with overrides applied (YAML keeps its comments and layout). */
export function applyOverridesToText(
  text: string,
  rel: string,
  overrides: Record<string, ParamValue>,
): string {
  if (/\.json$/i.test(rel)) {
    const obj = text.trim() === '' ? {} : parseParamsText(text, rel);
    for (const [key, value] of Object.entries(overrides)) setPath(obj, key, value);
    return JSON.stringify(obj, null, 2) + '\n';
  }
  parseParamsText(text, rel); // reports errors with lines
  const doc = parseDocument(text);
  if (doc.contents === null) doc.contents = doc.createNode({}) as unknown as typeof doc.contents;
  for (const [key, value] of Object.entries(overrides)) {
    assertParamKey(key, 'a parameter override');
    const parts = key.split('.');
    // A dotted key that exists literally at the top level wins over nesting.
    if (isMap(doc.contents) && doc.contents.has(key)) doc.set(key, value);
    else {
      const parent = parts.length > 1 ? doc.getIn(parts.slice(0, -1), true) : doc.contents;
      if (parts.length > 1 && parent !== undefined && !isMap(parent) && !isScalar(parent)) {
        doc.set(key, value);
      } else doc.setIn(parts, value);
    }
  }
  return doc.toString();
}

function setPath(obj: Record<string, unknown>, key: string, value: ParamValue): void {
  assertParamKey(key, 'a parameter override');
  if (Object.hasOwn(obj, key)) {
    obj[key] = value;
    return;
  }
  const parts = key.split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    const next = Object.hasOwn(cur, p) ? cur[p] : undefined;
    if (typeof next !== 'object' || next === null || Array.isArray(next)) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}

/** A held override of a params file; `restore()` puts the user's bytes back. */
export interface ParamsOverride {
  restore(): void;
}

/** A params file locked for one run: read under the lock, overridden at most once. */
export interface ParamsFileLock extends ParamsOverride {
  /** The file's params (flat keys) as read after the lock was taken. */
  readonly params: Record<string, ParamValue>;
  /** Writes the overrides into the file, after a backup, until restore(). */
  override(overrides: Record<string, ParamValue>): void;
}

/**
 * Takes a params file's lock for one run (waiting, calling onWait once, while another live run
 * holds it) and reads the file under it, so that what the run records is what its program reads.
 */
export async function lockParamsFile(
  project: Project,
  rel: string,
  runId: string,
  onWait?: (holder: string) => void,
): Promise<ParamsFileLock> {
  assertSafeRelativePath(rel, "the task's params");
  const abs = path.join(project.root, rel);
  const { marker, backup } = markerPaths(project, rel);
  fs.mkdirSync(project.paramsLockDir, { recursive: true });
  let waited = false;
  for (;;) {
    try {
      const base: Marker = {
        file: rel,
        runId,
        pid: process.pid,
        host: os.hostname(),
        existed: false,
      };
      if (createExclusive(marker, JSON.stringify(base))) break;
    } catch (err) {
      throw fromSystemError(err, marker, 'Could not lock');
    }
    const holder = readMarker(project, marker);
    if (!holder || (holder.host === os.hostname() && !isPidAlive(holder.pid))) {
      restoreFromMarker(project, marker, backup);
      continue;
    }
    if (!waited) onWait?.(holder.runId);
    waited = true;
    await new Promise((r) => setTimeout(r, 200));
  }
  let original: Buffer | undefined;
  let mode: number | undefined;
  let params: Record<string, ParamValue>;
  try {
    assertNoSymlinkEscape(project.root, abs, rel);
    try {
      original = fs.readFileSync(abs);
      mode = fs.statSync(abs).mode & 0o7777;
    } catch (err) {
      if (!isEnoent(err)) throw fromSystemError(err, rel, 'Could not read the params file');
    }
    params = original
      ? flattenParams(parseParamsText(original.toString('utf8'), rel), rel)
      : (Object.create(null) as Record<string, ParamValue>);
  } catch (err) {
    restoreFromMarker(project, marker, backup);
    throw err;
  }
  let done = false;
  let overridden = false;
  return {
    params,
    override(overrides) {
      if (done || overridden) throw new Error('a params file lock overrides once, while held');
      overridden = true;
      try {
        const text = applyOverridesToText(original?.toString('utf8') ?? '', rel, overrides);
        if (original) saveBackup(abs, backup, original, mode);
        const m: Marker = {
          file: rel,
          runId,
          pid: process.pid,
          host: os.hostname(),
          existed: original !== undefined,
          ...(mode !== undefined ? { mode } : {}),
          writtenSha256: sha256(text),
        };
        writeFileAtomic(marker, JSON.stringify(m));
        writeFileAtomic(abs, text, mode !== undefined ? { mode } : {});
        if (mode !== undefined) fs.chmodSync(abs, mode);
      } catch (err) {
        done = true;
        restoreFromMarker(project, marker, backup);
        throw err;
      }
    },
    restore() {
      if (done) return;
      done = true;
      restoreFromMarker(project, marker, backup);
    },
  };
}

/**
 * Writes overrides into the params file for one run, after taking the file's lock and a backup.
 * Waits (calling onWait once) while another live run holds the same file.
 */
export async function overrideParamsFile(
  project: Project,
  rel: string,
  overrides: Record<string, ParamValue>,
  runId: string,
  onWait?: (holder: string) => void,
): Promise<ParamsOverride> {
  const lock = await lockParamsFile(project, rel, runId, onWait);
  lock.override(overrides);
  return lock;
}

/**
 * The backup is a second name for the user's file (a hard link) where the file system allows:
 * it costs no space, and restoring is a rename, which works on a full disk too.
 */
function saveBackup(abs: string, backup: string, original: Buffer, mode?: number): void {
  fs.rmSync(backup, { force: true });
  try {
    fs.linkSync(abs, backup);
    if (sha256(fs.readFileSync(backup)) === sha256(original)) return;
    fs.rmSync(backup, { force: true }); // changed between our read and the link
  } catch {
    /* no hard links here (another device, a file system without them): copy */
  }
  writeFileAtomic(backup, original, mode !== undefined ? { mode } : {});
}

/** Why a parsed marker is not one Cairn wrote for this lock file, or undefined when it is. */
function markerProblem(project: Project, markerFile: string, m: unknown): string | undefined {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return 'it is not a JSON object';
  const r = m as Record<string, unknown>;
  if (typeof r['file'] !== 'string') return "'file' is not a path";
  try {
    assertSafeRelativePath(r['file'], markerFile);
  } catch {
    return `'file' ${JSON.stringify(r['file'])} is not a path inside the project`;
  }
  if (markerPaths(project, r['file']).marker !== markerFile)
    return `'file' ${JSON.stringify(r['file'])} is not the file this lock is for`;
  if (!isRunId(r['runId'])) return `'runId' ${JSON.stringify(r['runId'])} is not a run id`;
  if (!Number.isSafeInteger(r['pid']) || (r['pid'] as number) <= 0)
    return "'pid' is not a process id";
  if (typeof r['host'] !== 'string') return "'host' is not a host name";
  if (typeof r['existed'] !== 'boolean') return "'existed' is not true or false";
  const mode = r['mode'];
  if (
    mode !== undefined &&
    (!Number.isInteger(mode) || (mode as number) < 0 || (mode as number) > 0o7777)
  )
    return "'mode' is not a file mode";
  const sha = r['writtenSha256'];
  if (sha !== undefined && (typeof sha !== 'string' || !/^[0-9a-f]{64}$/.test(sha)))
    return "'writtenSha256' is not a sha256";
  return undefined;
}

/**
 * Reads a lock marker. A marker cut short by a crash reads as undefined (a stale lock); one that
 * parses but is not what Cairn writes (Git or a remote can deliver anything under .cairn/) is
 * refused, since acting on it would write or delete where it says.
 */
function readMarker(project: Project, file: string): Marker | undefined {
  let m: unknown;
  try {
    m = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const problem = markerProblem(project, file, m);
  if (problem) {
    const rel = path.relative(project.root, file);
    throw new CairnError(
      'bad-config',
      `${rel}: not a params-file lock Cairn wrote (${problem}); delete ${rel} and any ${path.basename(file, '.json')}.orig beside it`,
      rel,
    );
  }
  return m as Marker;
}

/** Restores one params file from its backup, unless the user changed it meanwhile. */
function restoreFromMarker(project: Project, marker: string, backup: string): void {
  const m = readMarker(project, marker);
  if (m?.writtenSha256 !== undefined) {
    const abs = path.join(project.root, m.file);
    assertNoSymlinkEscape(project.root, abs, path.relative(project.root, marker));
    let current: Buffer | undefined;
    try {
      current = fs.readFileSync(abs);
    } catch (err) {
      if (!isEnoent(err)) throw fromSystemError(err, m.file, 'Could not read the params file');
    }
    const ours = current !== undefined && sha256(current) === m.writtenSha256;
    try {
      if (ours) {
        if (m.existed) {
          // A rename needs no free space: the params file comes back on a full disk too.
          fs.renameSync(backup, abs);
          if (m.mode !== undefined) fs.chmodSync(abs, m.mode);
        } else fs.rmSync(abs, { force: true });
      } else if (m.existed && fs.existsSync(backup)) {
        // The user edited the file during the run: keep their edits, keep our backup too.
        const keep = path.join(project.runsDir, m.runId, 'params.before-run');
        try {
          fs.mkdirSync(path.dirname(keep), { recursive: true });
          fs.renameSync(backup, keep);
        } catch {
          /* the run dir may be gone; the backup below stays then */
          return;
        }
      }
    } catch (err) {
      throw fromSystemError(err, m.file, 'Could not restore the params file');
    }
  }
  fs.rmSync(backup, { force: true });
  fs.rmSync(marker, { force: true });
}

/** Restores params files left overridden by recorders that died (run on every runs command). */
export function recoverParamsFiles(project: Project): void {
  let names: string[];
  try {
    names = fs.readdirSync(project.paramsLockDir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const marker = path.join(project.paramsLockDir, name);
    const m = readMarker(project, marker);
    if (m && m.host === os.hostname() && isPidAlive(m.pid)) continue;
    if (m && m.host !== os.hostname()) continue;
    restoreFromMarker(project, marker, marker.replace(/\.json$/, '.orig'));
  }
}
