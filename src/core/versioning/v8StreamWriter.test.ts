import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { tempProject } from '../testing/tempProject.js';
import { sha256 } from './cache.js';
import { readQuickIndex } from './quickIndex.js';
import {
  KEY_FIELDS,
  loadState,
  quickIndexFile,
  readStatKey,
  saveState,
  saveStateColumns,
  stateFile,
  statKeyAt,
} from './stateCache.js';
import { V8StreamWriter } from './v8StreamWriter.js';

/** What V8StreamWriter makes of an object of strings (nested once) and numbers. */
function streamed(obj: Record<string, unknown>): Buffer {
  const pieces: Buffer[] = [];
  const w = new V8StreamWriter((b) => pieces.push(Buffer.from(b)));
  const write = (o: Record<string, unknown>): void => {
    w.beginObject();
    const entries = Object.entries(o);
    for (const [k, v] of entries) {
      w.string(k);
      if (typeof v === 'string') w.string(v);
      else if (typeof v === 'number') w.double(v);
      else write(v as Record<string, unknown>);
    }
    w.endObject(entries.length);
  };
  write(obj);
  w.end();
  return Buffer.concat(pieces);
}

test('the streamed V8 format is the bytes v8.serialize writes for plain names', () => {
  const obj = { artifact: 'data', files: { 'a/b.csv': '1:2:3:4.5:6.25:ff' }, savedAtMs: 1.5e12 };
  assert.deepEqual(streamed(obj), v8.serialize(obj));
});

test('the streamed V8 format reads back: non-Latin-1 names, number-like keys, long strings, many entries', () => {
  const files: Record<string, string> = {
    '': 'root',
    '7': 'a key V8 keeps as a number',
    'é.csv': 'Latin-1',
    'данные/файл.csv': 'two-byte',
    '数据/🙂.png': 'astral',
    'long.bin': 'x'.repeat(3 << 20),
    'long-ü.bin': 'ā'.repeat(600_000),
  };
  // Enough entries to cross the writer's buffer several times, two-byte ones at odd offsets.
  for (let i = 0; i < 60_000; i++) files[`d${i % 97}/f${i}${i % 3 === 0 ? 'ж' : ''}.txt`] = `${i}`;
  const obj = { artifact: 'data', version: 'ab'.repeat(32), files, dirs: {}, savedAtMs: 123.5 };
  assert.deepEqual(v8.deserialize(streamed(obj)), obj);
});

test('a state saved from columns loads as the same state, with the same quick index', () => {
  const project = tempProject();
  const tmpDir = path.join(project.root, '.cairn', 'tmp-test');
  fs.mkdirSync(tmpDir, { recursive: true });
  const rels = ['a.csv', 'sub/ü.csv', '12', 'sub/deeper/数据.bin'];
  const keys = [
    '1:100:3:1700000000000.25:1700000000000.5',
    '1:101:0:1.5:2',
    '2:7:9:3:4',
    '1:9:8:7:6',
  ];
  const stats = new Float64Array(rels.length * KEY_FIELDS);
  keys.forEach((k, i) => readStatKey(k, stats, i * KEY_FIELDS));
  keys.forEach((k, i) => assert.equal(statKeyAt(stats, i * KEY_FIELDS), k));
  const hashes = Buffer.concat(rels.map((r) => Buffer.from(sha256(r), 'hex')));
  const dirs = { '': '1:2', sub: '3:4', 'sub/deeper': '5:6' };
  const version = sha256('v');
  saveStateColumns(project.stateDir, 'data', { version, rels, stats, hashes, dirs }, tmpDir);
  const fromColumns = loadState(project.stateDir, 'data');
  const qiColumns = readQuickIndex(quickIndexFile(project.stateDir, 'data'));
  const files = Object.fromEntries(rels.map((r, i) => [r, `${keys[i]}:${sha256(r)}`]));
  assert.deepEqual(
    { ...fromColumns, savedAtMs: 0 },
    { artifact: 'data', version, files, dirs, savedAtMs: 0 },
  );

  fs.rmSync(stateFile(project.stateDir, 'data'));
  saveState(project.stateDir, 'data', { version, files, dirs }, tmpDir);
  const qiRecord = readQuickIndex(quickIndexFile(project.stateDir, 'data'));
  assert.ok(qiColumns && qiRecord);
  // The quick index lists files in the state's key order, where V8 puts '12' first.
  const byPath = (q: NonNullable<typeof qiColumns>): Record<string, number[]> =>
    Object.fromEntries(
      q.files.map((f, i) => [f, [...q.numbers.subarray(i * KEY_FIELDS, (i + 1) * KEY_FIELDS)]]),
    );
  assert.deepEqual(byPath(qiColumns), byPath(qiRecord));
  assert.deepEqual(qiColumns.dirs, qiRecord.dirs);
  assert.equal(qiColumns.version, version);
  assert.deepEqual(
    qiColumns.numbers.subarray(rels.length * KEY_FIELDS),
    qiRecord.numbers.subarray(rels.length * KEY_FIELDS),
  );
});
