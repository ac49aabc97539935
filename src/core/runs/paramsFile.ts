import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isMap, isScalar, parseDocument, type Document } from 'yaml';
import { CairnError, fromSystemError } from '../errors.js';
import { isEnoent, writeFileAtomic } from '../fsSafe.js';
import { parseYamlFile, yamlToJs } from '../project/config.js';
import type { Project } from '../project/project.js';
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

function lockDir(project: Project): string {
  return path.join(project.runsDir, '.params');
}

function markerPaths(project: Project, rel: string): { marker: string; backup: string } {
  const key = sha256(rel).slice(0, 16);
  const dir = lockDir(project);
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
    if (isEnoent(err)) return {};
    throw fromSystemError(err, rel, 'Could not read the params file');
  }
  return flatten(parseParamsText(text, rel));
}

function parseParamsText(text: string, rel: string): Record<string, unknown> {
  let value: unknown;
  if (/\.json$/i.test(rel)) {
    try {
      value = text.trim() === '' ? {} : JSON.parse(text);
    } catch (e) {
      const m = /position (\d+)/.exec((e as Error).message);
      const line = m ? text.slice(0, Number(m[1])).split('\n').length : 1;
      throw new CairnError(
        'bad-params',
        `${rel}:${line}: the params file is not valid JSON (${(e as Error).message.split('\n')[0]}); fix it there`,
        rel,
        line,
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
    throw new CairnError(
      'bad-params',
      `${rel}:1: the params file must be a mapping of name to value`,
      rel,
      1,
    );
  }
  return value as Record<string, unknown>;
}

function flatten(obj: Record<string, unknown>, prefix = '', out: Record<string, ParamValue> = {}) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'object' && v !== null && !Array.isArray(v))
      flatten(v as Record<string, unknown>, key, out);
    else if (v === null || ['string', 'number', 'boolean'].includes(typeof v))
      out[key] = v as ParamValue;
    else out[key] = JSON.stringify(v);
  }
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
  if (key in obj) {
    obj[key] = value;
    return;
  }
  const parts = key.split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    const next = cur[p];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}

/** A held override of a params file; `restore()` puts the user's bytes back. */
export interface ParamsOverride {
  restore(): void;
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
  const abs = path.join(project.root, rel);
  const { marker, backup } = markerPaths(project, rel);
  fs.mkdirSync(lockDir(project), { recursive: true });
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
      fs.writeFileSync(marker, JSON.stringify(base), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
        throw fromSystemError(err, marker, 'Could not lock');
    }
    const holder = readMarker(marker);
    if (!holder || (holder.host === os.hostname() && !isPidAlive(holder.pid))) {
      restoreFromMarker(project, marker, backup);
      continue;
    }
    if (!waited) onWait?.(holder.runId);
    waited = true;
    await new Promise((r) => setTimeout(r, 200));
  }
  try {
    let original: Buffer | undefined;
    let mode: number | undefined;
    try {
      original = fs.readFileSync(abs);
      mode = fs.statSync(abs).mode & 0o7777;
    } catch (err) {
      if (!isEnoent(err)) throw fromSystemError(err, rel, 'Could not read the params file');
    }
    const text = applyOverridesToText(original?.toString('utf8') ?? '', rel, overrides);
    if (original) writeFileAtomic(backup, original);
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
    restoreFromMarker(project, marker, backup);
    throw err;
  }
  let done = false;
  return {
    restore() {
      if (done) return;
      done = true;
      restoreFromMarker(project, marker, backup);
    },
  };
}

function readMarker(file: string): Marker | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Marker;
  } catch {
    return undefined;
  }
}

/** Restores one params file from its backup, unless the user changed it meanwhile. */
function restoreFromMarker(project: Project, marker: string, backup: string): void {
  const m = readMarker(marker);
  if (m?.writtenSha256 !== undefined) {
    const abs = path.join(project.root, m.file);
    let current: Buffer | undefined;
    try {
      current = fs.readFileSync(abs);
    } catch (err) {
      if (!isEnoent(err)) throw fromSystemError(err, m.file, 'Could not read the params file');
    }
    const ours = current !== undefined && sha256(current) === m.writtenSha256;
    if (ours) {
      if (m.existed) {
        writeFileAtomic(abs, fs.readFileSync(backup), m.mode !== undefined ? { mode: m.mode } : {});
        if (m.mode !== undefined) fs.chmodSync(abs, m.mode);
      } else fs.rmSync(abs, { force: true });
    } else if (m.existed && fs.existsSync(backup)) {
      // The user edited the file during the run: keep their edits, keep our backup too.
      const keep = path.join(project.runsDir, m.runId, 'params.before-run');
      try {
        fs.mkdirSync(path.dirname(keep), { recursive: true });
        fs.copyFileSync(backup, keep);
      } catch {
        /* the run dir may be gone; the backup below stays then */
        return;
      }
    }
  }
  fs.rmSync(backup, { force: true });
  fs.rmSync(marker, { force: true });
}

/** Restores params files left overridden by recorders that died (run on every runs command). */
export function recoverParamsFiles(project: Project): void {
  let names: string[];
  try {
    names = fs.readdirSync(lockDir(project));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const marker = path.join(lockDir(project), name);
    const m = readMarker(marker);
    if (m && m.host === os.hostname() && isPidAlive(m.pid)) continue;
    if (m && m.host !== os.hostname()) continue;
    restoreFromMarker(project, marker, marker.replace(/\.json$/, '.orig'));
  }
}
