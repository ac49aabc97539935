import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { CairnError, fromSystemError } from '../errors.js';
import type { Project } from './project.js';

/** A remote: where the cache and run records are shared. */
export type RemoteConfig = DirRemoteConfig | SshRemoteConfig | S3RemoteConfig;

interface RemoteConfigBase {
  readonly name: string;
  /** The url as written in cairn.yaml (a directory as an absolute path). */
  readonly url: string;
  /** Marked `default: true`: the remote push and pull use when none is named. */
  readonly isDefault: boolean;
}

/** A directory: local disk, NFS or a mounted share. */
export interface DirRemoteConfig extends RemoteConfigBase {
  readonly kind: 'dir';
  readonly path: string;
}

/** `ssh://[user@]host[:port]/path`: SFTP over SSH, with the agent's and ~/.ssh's keys. */
export interface SshRemoteConfig extends RemoteConfigBase {
  readonly kind: 'ssh';
  readonly host: string;
  readonly port?: number;
  readonly user?: string;
  /** The folder on the host ('/srv/cairn'; relative paths are from the login folder). */
  readonly path: string;
}

/** `s3://bucket/prefix`, on AWS or any S3-compatible store at `endpoint`. */
export interface S3RemoteConfig extends RemoteConfigBase {
  readonly kind: 's3';
  readonly bucket: string;
  /** The key prefix, without leading or trailing '/' ('' for the bucket's root). */
  readonly prefix: string;
  readonly endpoint?: string;
  readonly region?: string;
  /** A profile of ~/.aws/credentials and ~/.aws/config. */
  readonly profile?: string;
}

/** The keys a remote's mapping may have, by kind. */
const REMOTE_KEYS: Record<RemoteConfig['kind'], readonly string[]> = {
  dir: ['url', 'default'],
  ssh: ['url', 'default', 'user', 'port'],
  s3: ['url', 'default', 'endpoint', 'region', 'profile'],
};

/**
 * The untracked, personal configuration beside the cache (`.cairn/local.yaml`): remotes, or keys
 * of cairn.yaml's remotes (a user name, a profile, which remote is the default), that apply to this
 * clone only.
 */
export function localConfigFile(project: Project): string {
  return path.join(project.dataDir, 'local.yaml');
}

/**
 * How checkout puts a loose cache object into the work tree (cairn.yaml `cache: { type: … }`):
 * a copy, a copy-on-write clone, a hard link or a symbolic link to the cache object.
 */
export type LinkType = 'copy' | 'reflink' | 'hardlink' | 'symlink';
export const LINK_TYPES: readonly LinkType[] = ['copy', 'reflink', 'hardlink', 'symlink'];

/** cairn.yaml as parsed; `tasks` is validated by the runs layer. */
export interface ProjectConfig {
  readonly remotes: readonly RemoteConfig[];
  /** The link types to try, in order, for each file checkout writes (default: copy). */
  readonly linkTypes: readonly LinkType[];
  readonly raw: Record<string, unknown>;
  /** The parsed document and its line counter, for line numbers in later validation. */
  readonly doc: Document;
  readonly lines: LineCounter;
  readonly file: string;
  /** The line of every mapping key, by its path: one walk, so looking many up stays linear. */
  readonly keyLines: KeyLines;
}

/** Lines of mapping keys by key path (`['tasks', 'train']` is where `train:` is written). */
export class KeyLines {
  private readonly lines = new Map<string, number>();
  set(keyPath: readonly (string | number)[], line: number): void {
    this.lines.set(JSON.stringify(keyPath), line);
  }
  get(keyPath: readonly (string | number)[]): number | undefined {
    return this.lines.get(JSON.stringify(keyPath));
  }
}

/** The top-level keys cairn.yaml may have. */
export const CONFIG_KEYS = ['remotes', 'tasks', 'executors', 'cache'] as const;

/** cairn.yaml is a few kilobytes; past this it is not a configuration file. */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
/** Deeper nesting than any configuration needs, and shallow enough for the parser's stack. */
const MAX_DEPTH = 64;
/** How many aliases may be expanded (a "billion laughs" document expands millions). */
const MAX_ALIASES = 1000;

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

function configError(file: string, line: number, what: string): CairnError {
  return new CairnError('bad-config', `${file}:${line}: ${what}`, file, line);
}

/** The line where flow collections (`[`, `{`) first nest deeper than MAX_DEPTH, if they do. */
function tooDeepFlowLine(text: string): number | undefined {
  let depth = 0;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 35 && (i === 0 || text.charCodeAt(i - 1) <= 32)) {
      // A comment: skip to the end of the line.
      const nl = text.indexOf('\n', i);
      if (nl < 0) break;
      i = nl - 1;
    } else if (c === 91 || c === 123) {
      if (++depth > MAX_DEPTH) return line;
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
  }
  return undefined;
}

/**
 * Walks every node once (without recursion): rejects nesting past MAX_DEPTH and repeated keys,
 * and records the line of each mapping key. The YAML library's own unique-key check compares
 * every key with every other (40,000 keys took 14 s); a Set per mapping is linear.
 */
function indexKeys(doc: Document, lines: LineCounter, file: string): KeyLines {
  const keyLines = new KeyLines();
  const lineAt = (offset: number | undefined): number =>
    offset === undefined ? 1 : lines.linePos(offset).line;
  const stack: { node: unknown; keyPath: (string | number)[] }[] = [
    { node: doc.contents, keyPath: [] },
  ];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { node, keyPath } = item;
    if (keyPath.length > MAX_DEPTH) {
      const offset = (node as { range?: [number, number, number] }).range?.[0];
      throw configError(
        file,
        lineAt(offset),
        `nested more than ${MAX_DEPTH} levels deep; a configuration needs far fewer`,
      );
    }
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key: unknown = isScalar(pair.key) ? pair.key.value : pair.key;
        const line = lineAt(isScalar(pair.key) ? pair.key.range?.[0] : undefined);
        if (seen.has(key))
          throw configError(
            file,
            line,
            `the key ${JSON.stringify(key)} is repeated in this mapping; keep one`,
          );
        seen.add(key);
        if (typeof key === 'string' || typeof key === 'number') {
          keyLines.set([...keyPath, key], line);
          stack.push({ node: pair.value, keyPath: [...keyPath, key] });
        }
      }
    } else if (isSeq(node)) {
      node.items.forEach((child, i) => stack.push({ node: child, keyPath: [...keyPath, i] }));
    }
  }
  return keyLines;
}

/** Parses YAML text, reporting syntax errors, repeated keys and resource bombs with file and line. */
export function parseYamlFile(
  text: string,
  file: string,
): { doc: Document; lines: LineCounter; keyLines: KeyLines } {
  if (text.length > MAX_CONFIG_BYTES) {
    throw new CairnError(
      'bad-config',
      `${file} is ${Math.round(text.length / 1e6)} MB, too large for a configuration file (at most ${MAX_CONFIG_BYTES / (1024 * 1024)} MiB); keep data out of it`,
      file,
    );
  }
  const deep = tooDeepFlowLine(text);
  if (deep !== undefined)
    throw configError(
      file,
      deep,
      `brackets nested more than ${MAX_DEPTH} levels deep; a configuration needs far fewer`,
    );
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const first = doc.errors[0];
  if (first) {
    const line = lines.linePos(first.pos[0]).line;
    throw configError(file, line, `${first.message.split('\n')[0]}; fix the YAML syntax there`);
  }
  return { doc, lines, keyLines: indexKeys(doc, lines, file) };
}

/** The document as plain values, with alias expansion bounded ("billion laughs"). */
export function yamlToJs(doc: Document, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    if (!(e instanceof ReferenceError || e instanceof RangeError)) throw e;
    const why = e.message.split('\n')[0]!;
    throw new CairnError(
      'bad-config',
      /excessive alias/i.test(why)
        ? `${file}: its YAML aliases expand to too much (${why}); write the values out or use fewer aliases`
        : `${file}: ${why}; fix the YAML there`,
      file,
    );
  }
}

function closest(word: string, known: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    const d = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let prev = d[0]!;
      d[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const cur = d[j]!;
        d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = cur;
      }
    }
    return d[b.length]!;
  };
  return known.find((k) => distance(word.toLowerCase(), k) <= 2);
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
  const { doc, lines, keyLines } = parseYamlFile(text, file);
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
  const raw = (yamlToJs(doc, file) ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if ((CONFIG_KEYS as readonly string[]).includes(key)) continue;
    const line = keyLines.get([key]) ?? 1;
    const guess = closest(key, CONFIG_KEYS);
    throw new CairnError(
      'bad-config',
      `${rel}:${line}: unknown key '${key}'${guess ? ` (did you mean '${guess}'?)` : ''}; cairn.yaml knows ${CONFIG_KEYS.map(
        (k) => `${k}:`,
      )
        .join(', ')
        .replace(/, ([^,]*)$/, ' and $1')}`,
      file,
      line,
    );
  }
  const shared: RemoteSource = {
    rel,
    file,
    lineAt: (keyPath) => lineOf(doc, lines, keyPath),
    remotes: [],
  };
  shared.remotes = parseRemotes(raw['remotes'], shared);
  const merged = mergeRemotes(project, shared, readLocalRemotes(project));
  const linkTypes = parseLinkTypes(raw['cache'], rel, file, (keyPath) =>
    lineOf(doc, lines, keyPath),
  );
  return { remotes: merged, linkTypes, raw, doc, lines, file, keyLines };
}

/**
 * `cache: { type: reflink,copy }` (or a list `[reflink, copy]`): the link types checkout tries in
 * order, like DVC's cache.type. Missing means copy.
 */
function parseLinkTypes(
  value: unknown,
  rel: string,
  file: string,
  lineAt: (keyPath: readonly string[]) => number | undefined,
): LinkType[] {
  if (value === undefined || value === null) return ['copy'];
  const fail = (keyPath: readonly string[], what: string): CairnError => {
    const line = lineAt(keyPath) ?? lineAt(['cache']) ?? 1;
    return new CairnError('bad-config', `${rel}:${line}: ${what}`, file, line);
  };
  if (typeof value !== 'object' || Array.isArray(value))
    throw fail(['cache'], 'cache must be a mapping such as cache: { type: copy }');
  for (const key of Object.keys(value)) {
    if (key !== 'type')
      throw fail(
        ['cache', key],
        `unknown key 'cache.${key}'; cache: knows type: (${LINK_TYPES.join(', ')})`,
      );
  }
  const type = (value as { type?: unknown }).type;
  if (type === undefined || type === null) return ['copy'];
  const names: unknown[] =
    typeof type === 'string'
      ? type.split(',').map((t) => t.trim())
      : Array.isArray(type)
        ? type
        : [type];
  if (names.length === 0)
    throw fail(['cache', 'type'], `cache.type is empty; use one of ${LINK_TYPES.join(', ')}`);
  const types: LinkType[] = [];
  for (const name of names) {
    if (typeof name !== 'string' || !(LINK_TYPES as readonly string[]).includes(name)) {
      const guess = typeof name === 'string' ? closest(name, LINK_TYPES) : undefined;
      throw fail(
        ['cache', 'type'],
        `cache.type has '${String(name)}'${guess ? ` (did you mean '${guess}'?)` : ''}; use one of ${LINK_TYPES.join(', ')}, or several in the order to try, such as reflink,copy`,
      );
    }
    if (types.includes(name as LinkType))
      throw fail(['cache', 'type'], `cache.type names '${name}' twice; name each type once`);
    types.push(name as LinkType);
  }
  return types;
}

type RawRemote = Record<string, unknown> & { readonly name: string };

/** A file that declares remotes: cairn.yaml or the local configuration. */
interface RemoteSource {
  readonly rel: string;
  readonly file: string;
  readonly lineAt: (keyPath: readonly string[]) => number | undefined;
  remotes: RawRemote[];
}

function remoteError(src: RemoteSource, keyPath: readonly string[], what: string): CairnError {
  const { lineAt } = src;
  const line = lineAt(keyPath) ?? lineAt(keyPath.slice(0, 2)) ?? lineAt(['remotes']) ?? 1;
  return new CairnError('bad-config', `${src.rel}:${line}: ${what}`, src.file, line);
}

/** `remotes:` as written: name → mapping. */
function parseRemotes(value: unknown, src: RemoteSource): RawRemote[] {
  if (value === undefined || value === null) return [];
  const fail = (keyPath: readonly string[], what: string): CairnError =>
    remoteError(src, keyPath, what);
  if (typeof value !== 'object' || Array.isArray(value))
    throw fail(['remotes'], 'remotes must be a mapping of name to { url: ... }');
  const out: RawRemote[] = [];
  for (const [name, body] of Object.entries(value as Record<string, unknown>)) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name))
      throw fail(
        ['remotes', name],
        `remote name '${name}' may hold only letters, digits, '.', '_' and '-'`,
      );
    if (body !== null && (typeof body !== 'object' || Array.isArray(body)))
      throw fail(['remotes', name], `remote '${name}' must be a mapping such as { url: ... }`);
    out.push({ ...(body as Record<string, unknown> | null), name });
  }
  return out;
}

/** .cairn/local.yaml's remotes, or none when the file is absent. */
function readLocalRemotes(project: Project): RemoteSource {
  const file = localConfigFile(project);
  const rel = path.relative(project.root, file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { rel, file, lineAt: () => undefined, remotes: [] };
    throw fromSystemError(err, file, 'Could not read');
  }
  const { doc, lines, keyLines } = parseYamlFile(text, file);
  const raw = (yamlToJs(doc, file) ?? {}) as Record<string, unknown>;
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new CairnError(
      'bad-config',
      `${rel}:1: the file must be a mapping with remotes:`,
      file,
      1,
    );
  for (const key of Object.keys(raw)) {
    if (key !== 'remotes') {
      const line = keyLines.get([key]) ?? 1;
      throw new CairnError(
        'bad-config',
        `${rel}:${line}: unknown key '${key}'; the local configuration holds only remotes:`,
        file,
        line,
      );
    }
  }
  const src: RemoteSource = {
    rel,
    file,
    lineAt: (keyPath) => lineOf(doc, lines, keyPath),
    remotes: [],
  };
  src.remotes = parseRemotes(raw['remotes'], src);
  return src;
}

/** cairn.yaml's remotes with the local file's keys over them, each resolved to its kind. */
function mergeRemotes(project: Project, shared: RemoteSource, local: RemoteSource): RemoteConfig[] {
  const byName = new Map<string, { raw: Record<string, unknown>; src: RemoteSource }>();
  for (const r of shared.remotes) byName.set(r.name, { raw: { ...r }, src: shared });
  for (const r of local.remotes) {
    const prev = byName.get(r.name);
    if (prev) Object.assign(prev.raw, r);
    else byName.set(r.name, { raw: { ...r }, src: local });
  }
  // A default chosen in the local file overrides cairn.yaml's.
  const localDefault = local.remotes.find((r) => r['default'] === true)?.name;
  const out: RemoteConfig[] = [];
  for (const [name, { raw, src }] of byName) {
    if (localDefault !== undefined && name !== localDefault && raw['default'] === true)
      raw['default'] = false;
    out.push(resolveRemote(project, name, raw, src));
  }
  const defaults = out.filter((r) => r.isDefault);
  if (defaults.length > 1) {
    throw remoteError(
      shared,
      ['remotes', defaults[1]!.name, 'default'],
      `remotes ${defaults.map((r) => `'${r.name}'`).join(' and ')} are both marked default: true; keep one (cairn remote default <name>)`,
    );
  }
  return out;
}

function resolveRemote(
  project: Project,
  name: string,
  raw: Record<string, unknown>,
  src: RemoteSource,
): RemoteConfig {
  let key = 'url';
  const fail = (what: string): CairnError =>
    remoteError(src, ['remotes', name, key], `remote '${name}' ${what}`);
  const url = raw['url'];
  if (typeof url !== 'string' || url.trim() === '')
    throw fail('needs a url: (a directory, ssh://[user@]host[:port]/path or s3://bucket/prefix)');
  const isDefault = raw['default'] === true;
  if (raw['default'] !== undefined && typeof raw['default'] !== 'boolean') {
    key = 'default';
    throw fail(
      `has default: ${JSON.stringify(raw['default'])}; write default: true or leave it out`,
    );
  }
  const str = (k: string): string | undefined => {
    const v = raw[k];
    if (v === undefined || v === null) return undefined;
    key = k;
    if (typeof v !== 'string' || v === '') throw fail(`has ${k}: that is not a text value`);
    key = 'url';
    return v;
  };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  const kind = scheme === 'ssh' ? 'ssh' : scheme === 's3' ? 's3' : 'dir';
  if (scheme !== undefined && !['ssh', 's3', 'file'].includes(scheme))
    throw fail(
      `uses ${scheme}://, which Cairn does not know; use a directory, ssh://[user@]host[:port]/path or s3://bucket/prefix`,
    );
  for (const k of Object.keys(raw)) {
    if (k === 'name' || REMOTE_KEYS[kind].includes(k)) continue;
    key = k;
    throw fail(
      `has the key '${k}', which ${kind === 'dir' ? 'a directory' : kind === 'ssh' ? 'an ssh://' : 'an s3://'} remote does not take (it takes ${REMOTE_KEYS[kind].join(', ')})`,
    );
  }
  const base = { name, isDefault };
  if (kind === 'ssh') {
    const m = /^ssh:\/\/(?:([^@/]+)@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?(\/.*)?$/i.exec(url);
    if (!m || !m[4] || m[4] === '/')
      throw fail(
        `has url ${url}, which is not ssh://[user@]host[:port]/path (the path of a folder on the host)`,
      );
    const portRaw = raw['port'] ?? (m[3] === undefined ? undefined : Number(m[3]));
    if (raw['port'] !== undefined) key = 'port';
    if (
      portRaw !== undefined &&
      (typeof portRaw !== 'number' || !Number.isInteger(portRaw) || portRaw < 1 || portRaw > 65535)
    )
      throw fail(`has port ${JSON.stringify(portRaw)}; a port is a number from 1 to 65535`);
    const user = str('user') ?? (m[1] === undefined ? undefined : decodeURIComponent(m[1]));
    // ssh://host/~/data is the folder data in the login folder, as with scp.
    const remotePath = m[4].startsWith('/~/') ? m[4].slice(3) : m[4];
    return {
      ...base,
      kind,
      url,
      host: m[2]!.replace(/^\[|\]$/g, ''),
      path: remotePath.replace(/\/+$/, '') || '/',
      ...(portRaw === undefined ? {} : { port: portRaw }),
      ...(user === undefined ? {} : { user }),
    };
  }
  if (kind === 's3') {
    const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
    if (!m)
      throw fail(
        `has url ${url}, which is not s3://bucket/prefix (a bucket name is 3 to 63 lower-case letters, digits, '.' and '-')`,
      );
    const endpoint = str('endpoint');
    if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint))
      throw fail(`has endpoint ${endpoint}; write it as http(s)://host[:port]`);
    const region = str('region');
    const profile = str('profile');
    return {
      ...base,
      kind,
      url,
      bucket: m[1]!,
      prefix: (m[2] ?? '').replace(/^\/+|\/+$/g, ''),
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(region === undefined ? {} : { region }),
      ...(profile === undefined ? {} : { profile }),
    };
  }
  const dir = path.resolve(
    project.root,
    url.startsWith('file://') ? url.slice('file://'.length) : url,
  );
  return { ...base, kind: 'dir', url: dir, path: dir };
}
