// A standing guard over everything Cairn parses from files a repository or a remote delivers:
// pointer files, manifests, cairn.yaml, params files, metric lines, CSV headers and paths. Random
// and hostile inputs either parse to something that round-trips, or fail with a CairnError that
// names the file; never another exception, a path outside the project, or a hang.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { CairnError } from './errors.js';
import { assertSafeRelativePath } from './fsSafe.js';
import { readConfig } from './project/config.js';
import { projectAt } from './project/project.js';
import {
  parseJsonLine,
  parseMetricLine,
  MetricStreamParser,
  type MetricRecord,
} from './runs/metricParser.js';
import { readParamsFile } from './runs/paramsFile.js';
import { readTasks } from './runs/taskConfig.js';
import { detectTableLayout } from './data/tableLayout.js';
import { openTabular } from './data/tabularReader.js';
import { escapeControlChars } from './text/controlChars.js';
import { tempDir } from './testing/tempProject.js';
import { formatPointer, parsePointer, type Pointer } from './versioning/pointerFile.js';
import { parseManifest, serializeManifest, type ManifestEntry } from './versioning/manifest.js';

const RUNS = Number(process.env.CAIRN_PROPERTY_RUNS ?? 1000);
/** No single input may take longer than this: a parser that hangs fails here. */
const PER_INPUT_MS = 2000;

/** Strings that hit the edges: control characters, separators, unicode, YAML and JSON syntax. */
const hostileChar = fc.constantFrom(
  '\0',
  '\x1b',
  '\r',
  '\n',
  '\t',
  '\u202e',
  '\x9b',
  '/',
  '\\',
  '..',
  '.',
  ':',
  ' ',
  '#',
  '"',
  "'",
  '{',
  '}',
  '[',
  ']',
  '&a',
  '*a',
  '!!',
  '-',
  ',',
  '=',
  'é',
  '💥',
  '__proto__',
  'constructor',
  '%',
);
const hostileString = fc
  .array(fc.oneof(fc.string({ maxLength: 6 }), hostileChar), { maxLength: 24 })
  .map((parts) => parts.join(''));
const text = fc.oneof(
  hostileString,
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
);

/** Runs `fn`; passes when it returns, or throws a CairnError naming `file`. */
function parsesOrNamesFile<T>(fn: () => T, file: string): T | undefined {
  const started = Date.now();
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof CairnError)) throw new Error(`not a CairnError: ${String(e)}`, { cause: e });
    assert.ok(e.message.includes(file), `the error does not name ${file}: ${e.message}`);
    return undefined;
  } finally {
    assert.ok(Date.now() - started < PER_INPUT_MS, `took ${Date.now() - started} ms`);
  }
}

const hash = fc.stringMatching(/^[0-9a-f]{64}$/);
const pointer: fc.Arbitrary<Pointer> = fc.record(
  {
    kind: fc.constantFrom('data' as const, 'model' as const),
    type: fc.constantFrom('file' as const, 'dir' as const),
    hash,
    sizeBytes: fc.nat(),
    fileCount: fc.nat(),
    executable: fc.constant(true),
    run: fc.stringMatching(/^[0-9]{8}-[0-9]{6}-[0-9a-z]{6}$/),
  },
  { requiredKeys: ['kind', 'type', 'hash', 'sizeBytes', 'fileCount'], noNullPrototype: true },
);

test('pointer files: valid ones round-trip; mutated and random ones parse or name the file', () => {
  fc.assert(
    fc.property(pointer, (p) => {
      assert.deepEqual(parsePointer(formatPointer(p), 'a.cairn'), p);
    }),
    { numRuns: RUNS },
  );
  // Valid text with one line replaced, inserted or cut by hostile text.
  const mutated = fc
    .tuple(pointer, fc.nat(), text, fc.constantFrom('replace', 'insert', 'cut'))
    .map(([p, at, junk, how]) => {
      const lines = formatPointer(p).split('\n');
      const i = at % lines.length;
      if (how === 'replace') lines[i] = junk;
      else if (how === 'insert') lines.splice(i, 0, junk);
      else lines[i] = lines[i]!.slice(0, at % (lines[i]!.length + 1));
      return lines.join('\n');
    });
  fc.assert(
    fc.property(fc.oneof(mutated, text), (t) => {
      const p = parsesOrNamesFile(() => parsePointer(t, 'data.cairn'), 'data.cairn');
      if (p) assert.deepEqual(parsePointer(formatPointer(p), 'data.cairn'), p);
    }),
    { numRuns: RUNS },
  );
});

const safeSegment = fc.stringMatching(/^[\w .é-]{1,12}$/).filter((s) => s !== '.' && s !== '..');
const entry: fc.Arbitrary<ManifestEntry> = fc.oneof(
  fc.record({
    path: fc.array(safeSegment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/')),
    hash,
    size: fc.nat(),
  }),
  fc.record({
    path: fc.array(safeSegment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/')),
    dir: fc.constant(true as const),
  }),
);

test('manifests: valid ones round-trip; hostile ones are refused without escaping the folder', () => {
  fc.assert(
    fc.property(fc.uniqueArray(entry, { selector: (e) => e.path, maxLength: 8 }), (entries) => {
      const text = serializeManifest({ entries });
      const parsed = parsesOrNamesFile(() => parseManifest(text, 'manifest'), 'manifest');
      // Entries may legitimately be refused (a file under a path that is also a file): never crash.
      if (parsed) assert.equal(serializeManifest(parsed), text);
    }),
    { numRuns: RUNS },
  );
  const hostileEntries = fc.array(
    fc.record({
      path: fc.oneof(
        text,
        fc.constantFrom('../x', '/etc/passwd', 'a/../../b', 'a//b', 'C:/x', 'a\\..\\b'),
      ),
      hash: fc.oneof(hash, text),
      size: fc.oneof(fc.integer(), fc.double(), fc.constant('1')),
      dir: fc.oneof(fc.constant(true), fc.constant(undefined), text),
    }),
    { maxLength: 5 },
  );
  fc.assert(
    fc.property(
      fc.oneof(
        text,
        hostileEntries.map((entries) => JSON.stringify({ version: 1, entries })),
      ),
      (t) => {
        const m = parsesOrNamesFile(() => parseManifest(t, 'manifest'), 'manifest');
        for (const e of m?.entries ?? []) {
          const abs = path.resolve('/project/data', e.path);
          assert.ok(
            abs.startsWith('/project/data/'),
            `entry ${JSON.stringify(e.path)} leaves the folder`,
          );
        }
      },
    ),
    { numRuns: RUNS },
  );
});

test('paths: what assertSafeRelativePath accepts stays inside the project', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        text,
        fc.array(fc.oneof(safeSegment, hostileChar), { maxLength: 5 }).map((s) => s.join('/')),
      ),
      (p) => {
        const ok = parsesOrNamesFile(() => assertSafeRelativePath(p, 'x.cairn'), 'x.cairn');
        if (ok !== undefined) {
          const abs = path.resolve('/project', ok);
          assert.ok(abs.startsWith('/project/'), `${JSON.stringify(p)} resolves to ${abs}`);
        }
      },
    ),
    { numRuns: RUNS },
  );
});

/** YAML-shaped hostile documents: keys and values from hostile strings, nested a little. */
const yamlDoc = fc
  .array(
    fc.tuple(
      fc.constantFrom(
        'tasks',
        'remotes',
        'task',
        '__proto__',
        'constructor',
        '  train',
        '    cmd',
        '    params',
        '  shared',
        '    url',
        '- ',
      ),
      fc.oneof(
        text,
        fc.constantFrom(
          '',
          '{}',
          '[]',
          '&a [1]',
          '*a',
          '!!binary x',
          '{cmd: echo}',
          '/tmp',
          's3://x',
          'ssh://h/p',
          '../x',
        ),
      ),
    ),
    { maxLength: 8 },
  )
  .map((lines) => lines.map(([k, v]) => `${k}: ${v}`).join('\n'));

test('cairn.yaml: random documents are read or refused with the file named, never a crash or hang', () => {
  const root = tempDir();
  const file = path.join(root, 'cairn.yaml');
  fc.assert(
    fc.property(fc.oneof(yamlDoc, text), (t) => {
      fs.writeFileSync(file, t);
      parsesOrNamesFile(() => {
        readConfig(projectAt(root));
        return readTasks(projectAt(root));
      }, 'cairn.yaml');
    }),
    { numRuns: RUNS },
  );
});

test('params files (YAML and JSON): read to plain values or refused naming the file', () => {
  const root = tempDir();
  const jsonish = fc.oneof(
    text,
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.constantFrom(
      '{"__proto__": {"kind": "evil"}}',
      '{"constructor": {"prototype": {"x": 1}}}',
      '['.repeat(5000),
    ),
  );
  fc.assert(
    fc.property(
      fc.constantFrom('params.yaml', 'params.json'),
      fc.oneof(yamlDoc, jsonish),
      (name, t) => {
        fs.writeFileSync(path.join(root, name), t);
        const params = parsesOrNamesFile(() => readParamsFile(projectAt(root), name), name);
        for (const [k, v] of Object.entries(params ?? {})) {
          assert.equal(typeof k, 'string');
          assert.ok(
            v === null || ['string', 'number', 'boolean'].includes(typeof v),
            `${k}: ${typeof v}`,
          );
        }
        assert.equal(
          ({} as Record<string, unknown>)['kind'],
          undefined,
          'Object.prototype was polluted',
        );
      },
    ),
    { numRuns: RUNS },
  );
});

test('metric lines: never throw; split at any point, a stream gives the same records', () => {
  const line = fc.oneof(
    text,
    fc
      .dictionary(
        fc.oneof(fc.string({ maxLength: 8 }), hostileChar),
        fc.oneof(fc.double(), fc.integer(), text),
      )
      .map((o) => JSON.stringify(o)),
    fc
      .array(fc.tuple(fc.stringMatching(/^[a-z_]{1,6}$/), fc.double()), { maxLength: 4 })
      .map((kv) => kv.map(([k, v]) => `${k}=${v}`).join(' ')),
  );
  fc.assert(
    fc.property(
      fc.array(line, { maxLength: 10 }),
      fc.array(fc.nat(), { maxLength: 6 }),
      (lines, cuts) => {
        for (const l of lines) {
          parseMetricLine(l);
          parseJsonLine(l);
        }
        const bytes = Buffer.from(lines.map((l) => l.replace(/[\r\n]/g, ' ')).join('\n') + '\n');
        const collect = (chunks: Buffer[]): MetricRecord[] => {
          const got: MetricRecord[] = [];
          const parser = new MetricStreamParser((r) => got.push(r));
          for (const c of chunks) parser.write(c);
          parser.end();
          return got;
        };
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let from = 0;
        for (const p of points) {
          chunks.push(bytes.subarray(from, p));
          from = p;
        }
        chunks.push(bytes.subarray(from));
        assert.deepEqual(collect(chunks), collect([bytes]));
      },
    ),
    { numRuns: RUNS },
  );
});

test('CSV headers: every layout keeps unique, non-empty names for every column of the rows', async () => {
  const cell = fc.oneof(
    fc.double({ noNaN: true }).map(String),
    fc.integer().map(String),
    text.map((s) => s.replace(/[\r\n",]/g, '')),
  );
  fc.assert(
    fc.property(fc.array(fc.array(cell, { maxLength: 8 }), { maxLength: 12 }), (records) => {
      const layout = detectTableLayout(records);
      assert.equal(new Set(layout.columns).size, layout.columns.length, 'duplicate column names');
      assert.ok(
        layout.columns.every((c) => c.length > 0),
        'an empty column name',
      );
      const body = records.slice(layout.skip + (layout.hasHeader ? 1 : 0));
      if (body.length > 1) {
        const counts = new Map<number, number>();
        for (const r of body) counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
        const common = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
        assert.ok(layout.columns.length >= Math.min(common, ...body.map((r) => r.length)));
      }
    }),
    { numRuns: RUNS },
  );
  // Whole files of hostile bytes through the streaming reader.
  const dir = tempDir();
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('t.csv', 't.tsv', 't.jsonl', 't.csv.gz'),
      fc.oneof(
        text,
        fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
      ),
      async (name, t) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, t, 'latin1');
        try {
          const table = await openTabular(file, name);
          for await (const batch of table.rows()) assert.ok(batch.length > 0);
          assert.equal(new Set(table.columns).size, table.columns.length, 'duplicate column names');
        } catch (e) {
          if (!(e instanceof CairnError)) throw e;
          assert.ok(e.message.includes(name), e.message);
        }
      },
    ),
    { numRuns: Math.ceil(RUNS / 3) },
  );
});

test('escapeControlChars leaves nothing a terminal acts on, and plain text as it was', () => {
  fc.assert(
    fc.property(fc.oneof(text, fc.string({ unit: 'binary', maxLength: 40 })), (t) => {
      const shown = escapeControlChars(t, { singleLine: true });
      // eslint-disable-next-line no-control-regex -- finding control characters is the point
      assert.doesNotMatch(shown, /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
      // eslint-disable-next-line no-control-regex -- finding control characters is the point
      if (!/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/.test(t)) assert.equal(shown, t);
    }),
    { numRuns: RUNS },
  );
});
