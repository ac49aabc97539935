import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CairnError } from '../errors.js';
import { formatPointer, parsePointer, type Pointer } from './pointerFile.js';

const hash = 'a'.repeat(64);

test('a pointer survives format and parse unchanged', () => {
  const p: Pointer = {
    kind: 'model',
    type: 'file',
    hash,
    sizeBytes: 12,
    fileCount: 1,
    executable: true,
    run: 'r-2024-abc',
  };
  assert.deepEqual(parsePointer(formatPointer(p), 'm.cairn'), p);
});

const bad: [string, string, RegExp][] = [
  ['garbage line', `version: 1\nthis is not yaml at all\n`, /m\.cairn:2: expected 'key: value'/],
  [
    'bad hash',
    formatPointer({ kind: 'data', type: 'dir', hash, sizeBytes: 1, fileCount: 1 }).replace(
      hash,
      'xyz',
    ),
    /m\.cairn:\d+: hash must be 64 hex digits/,
  ],
  [
    'unknown kind',
    formatPointer({ kind: 'data', type: 'dir', hash, sizeBytes: 1, fileCount: 1 }).replace(
      'kind: data',
      'kind: video',
    ),
    /kind must be data or model/,
  ],
  [
    'missing field',
    `version: 1\nkind: data\ntype: file\nsize: 1\nfiles: 1\n`,
    /missing field 'hash'/,
  ],
  ['duplicate', `version: 1\nversion: 1\n`, /m\.cairn:2: 'version' appears twice/],
  [
    'unknown field',
    formatPointer({ kind: 'data', type: 'dir', hash, sizeBytes: 1, fileCount: 1 }) +
      'path: ../../etc\n',
    /unknown field 'path'/,
  ],
  [
    'negative size',
    formatPointer({ kind: 'data', type: 'dir', hash, sizeBytes: 1, fileCount: 1 }).replace(
      'size: 1',
      'size: -1',
    ),
    /size must be a whole number/,
  ],
  ['future version', `version: 2\n`, /unsupported version 2/],
];

for (const [name, text, re] of bad) {
  test(`a malformed pointer file (${name}) is reported with file and line`, () => {
    assert.throws(
      () => parsePointer(text, 'm.cairn'),
      (e: unknown) =>
        e instanceof CairnError &&
        e.code === 'bad-pointer' &&
        re.test(e.message) &&
        e.file === 'm.cairn',
    );
  });
}
