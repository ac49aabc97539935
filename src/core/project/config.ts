import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, LineCounter, parseDocument, type Document } from 'yaml';
import { CairnError, fromSystemError } from '../errors.js';
import type { Project } from './project.js';

/** A remote: where the cache and run records are shared. */
export interface RemoteConfig {
  readonly name: string;
  /** An absolute directory path (local disk, NFS or a mounted share). */
  readonly url: string;
}

/** cairn.yaml as parsed; `tasks` is validated by the runs layer. */
export interface ProjectConfig {
  readonly remotes: readonly RemoteConfig[];
  readonly raw: Record<string, unknown>;
  /** The parsed document and its line counter, for line numbers in later validation. */
  readonly doc: Document;
  readonly lines: LineCounter;
  readonly file: string;
}

/** The 1-based line of the node at `keyPath` in a parsed YAML document, if it has one. */
export function lineOf(
  doc: Document,
  lines: LineCounter,
  keyPath: readonly (string | number)[],
): number | undefined {
  const node = doc.getIn(keyPath, true) as { range?: [number, number, number] } | undefined;
  const offset = node?.range?.[0];
  return offset === undefined ? undefined : lines.linePos(offset).line;
}

/** Parses YAML text, reporting syntax errors with file and line. */
export function parseYamlFile(text: string, file: string): { doc: Document; lines: LineCounter } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const line = lines.linePos(first.pos[0]).line;
    throw new CairnError(
      'bad-config',
      `${file}:${line}: ${first.message.split('\n')[0]}; fix the YAML syntax there`,
      file,
      line,
    );
  }
  return { doc, lines };
}

/** Reads and validates cairn.yaml. */
export function readConfig(project: Project): ProjectConfig {
  const file = project.configFile;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw fromSystemError(err, file, 'Could not read');
  }
  const { doc, lines } = parseYamlFile(text, file);
  const rel = path.basename(file);
  const contents = doc.contents;
  if (contents !== null && !isMap(contents)) {
    throw new CairnError(
      'bad-config',
      `${rel}:1: the file must be a mapping (keys such as tasks: and remotes:)`,
      file,
      1,
    );
  }
  const raw = (doc.toJS() ?? {}) as Record<string, unknown>;
  const remotes: RemoteConfig[] = [];
  const remotesRaw = raw['remotes'];
  if (remotesRaw !== undefined && remotesRaw !== null) {
    if (typeof remotesRaw !== 'object' || Array.isArray(remotesRaw)) {
      const line = lineOf(doc, lines, ['remotes']);
      throw new CairnError(
        'bad-config',
        `${rel}:${line ?? 1}: remotes must be a mapping of name to { url: ... }`,
        file,
        line,
      );
    }
    for (const [name, value] of Object.entries(remotesRaw as Record<string, unknown>)) {
      const line =
        lineOf(doc, lines, ['remotes', name, 'url']) ?? lineOf(doc, lines, ['remotes', name]);
      const url = (value as { url?: unknown } | null)?.url;
      if (typeof url !== 'string' || url.length === 0) {
        throw new CairnError(
          'bad-config',
          `${rel}:${line ?? 1}: remote '${name}' needs a url: (a directory path)`,
          file,
          line,
        );
      }
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith('file://')) {
        throw new CairnError(
          'bad-config',
          `${rel}:${line ?? 1}: remote '${name}' uses ${url.split(':')[0]}://, which this version does not support yet; use a directory path (local disk, NFS or a mounted share)`,
          file,
          line,
        );
      }
      const dir = url.startsWith('file://') ? url.slice('file://'.length) : url;
      remotes.push({ name, url: path.resolve(project.root, dir) });
    }
  }
  return { remotes, raw, doc, lines, file };
}
