import * as fs from 'node:fs';
import * as path from 'node:path';
import { CairnError, fromSystemError } from '../errors.js';
import { writeFileAtomic } from '../fsSafe.js';
import { POINTER_SUFFIX } from '../project/project.js';
import { isHash, type Hash } from './cache.js';

export type ArtifactKind = 'data' | 'model';
export type ArtifactType = 'file' | 'dir';

/** The content of `<path>.cairn`: which version of the artifact this commit has. */
export interface Pointer {
  readonly kind: ArtifactKind;
  readonly type: ArtifactType;
  /** sha256 of the file, or of the directory's manifest. */
  readonly hash: Hash;
  readonly sizeBytes: number;
  /** Files in a directory (1 for a file). */
  readonly fileCount: number;
  /** For a single file: whether it is executable. */
  readonly executable?: boolean;
  /** The run that produced this version, when a run did. */
  readonly run?: string;
}

const HEADER =
  '# Cairn pointer file: the version of the artifact beside it. Commit this file;\n' +
  "# the content lives in .cairn/cache ('cairn checkout' restores it, 'cairn push' shares it).\n";

/** The pointer file path for an artifact path. */
export function pointerPathFor(artifactAbs: string): string {
  return artifactAbs + POINTER_SUFFIX;
}

/** Serializes a pointer in a stable, diff-friendly form. */
export function formatPointer(p: Pointer): string {
  const lines = [
    HEADER.trimEnd(),
    'version: 1',
    `kind: ${p.kind}`,
    `type: ${p.type}`,
    `hash: ${p.hash}`,
    `size: ${p.sizeBytes}`,
    `files: ${p.fileCount}`,
  ];
  if (p.executable) lines.push('executable: true');
  if (p.run !== undefined) lines.push(`run: ${p.run}`);
  return lines.join('\n') + '\n';
}

export function writePointer(file: string, p: Pointer, tmpDir?: string): void {
  writeFileAtomic(file, formatPointer(p), tmpDir ? { tmpDir } : {});
}

/**
 * Parses pointer text strictly: every line `key: value` (or a comment), known keys only, each
 * value checked. Errors name the file and the line.
 */
export function parsePointer(text: string, file: string): Pointer {
  const fields = new Map<string, { value: string; line: number }>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const m = /^([a-z]+):\s*(.*?)\s*$/.exec(trimmed);
    if (!m)
      fail(file, line, `expected 'key: value', found ${JSON.stringify(trimmed.slice(0, 60))}`);
    const [, key, value] = m as unknown as [string, string, string];
    if (fields.has(key)) fail(file, line, `'${key}' appears twice`);
    fields.set(key, { value, line });
  });
  const known = new Set(['version', 'kind', 'type', 'hash', 'size', 'files', 'executable', 'run']);
  for (const [key, { line }] of fields) {
    if (!known.has(key)) fail(file, line, `unknown field '${key}'`);
  }
  const get = (key: string): { value: string; line: number } => {
    const f = fields.get(key);
    if (!f) fail(file, lines.length, `missing field '${key}'`);
    return f;
  };
  const version = get('version');
  if (version.value !== '1')
    fail(file, version.line, `unsupported version ${version.value}; upgrade Cairn`);
  const kind = get('kind');
  if (kind.value !== 'data' && kind.value !== 'model')
    fail(file, kind.line, `kind must be data or model, not '${kind.value}'`);
  const type = get('type');
  if (type.value !== 'file' && type.value !== 'dir')
    fail(file, type.line, `type must be file or dir, not '${type.value}'`);
  const hash = get('hash');
  if (!isHash(hash.value))
    fail(
      file,
      hash.line,
      `hash must be 64 hex digits (sha256), not '${String(hash.value).slice(0, 70)}'`,
    );
  const size = get('size');
  const files = get('files');
  const count = (f: { value: string; line: number }, name: string): number => {
    if (!/^\d+$/.test(f.value))
      fail(file, f.line, `${name} must be a whole number, not '${f.value}'`);
    return Number(f.value);
  };
  const exec = fields.get('executable');
  if (exec && exec.value !== 'true' && exec.value !== 'false')
    fail(file, exec.line, `executable must be true or false`);
  const run = fields.get('run');
  if (run && !/^[A-Za-z0-9._-]+$/.test(run.value)) fail(file, run.line, `run must be a run id`);
  return {
    kind: kind.value,
    type: type.value,
    hash: hash.value,
    sizeBytes: count(size, 'size'),
    fileCount: count(files, 'files'),
    ...(exec?.value === 'true' ? { executable: true } : {}),
    ...(run ? { run: run.value } : {}),
  };
}

function fail(file: string, line: number, what: string): never {
  throw new CairnError(
    'bad-pointer',
    `${file}:${line}: ${what}; restore the file with 'git checkout -- ${path.basename(file)}' or re-add the artifact with 'cairn add'`,
    file,
    line,
  );
}

/** Reads and parses a pointer file. */
export function readPointer(file: string): Pointer {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw fromSystemError(err, file, 'Could not read pointer file');
  }
  return parsePointer(text, file);
}
