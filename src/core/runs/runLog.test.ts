import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { readLogTail } from './runLog.js';

function logFile(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-log-'));
  const file = path.join(dir, 'output.log');
  fs.writeFileSync(file, text);
  return file;
}

test('the tail shows the last lines without colours, a progress bar as it ended', () => {
  const file = logFile('loading\n\x1b[32mepoch 1 loss=0.5\x1b[0m\n 10%\r 50%\r100%\ndone\r\n');
  const { tail, hiddenLines } = readLogTail(file);
  assert.equal(tail, 'loading\nepoch 1 loss=0.5\n100%\ndone');
  assert.equal(hiddenLines, 0);
});

test('a long log shows its last lines and counts the ones before', () => {
  const lines = Array.from({ length: 50_000 }, (_, i) => `step ${i} loss=${1 / (i + 1)}`);
  const { tail, hiddenLines } = readLogTail(logFile(lines.join('\n') + '\n'), 100);
  const shown = tail.split('\n');
  assert.equal(shown.length, 100);
  assert.equal(shown[0], lines[49_900]);
  assert.equal(shown[99], lines[49_999]);
  assert.equal(hiddenLines, 49_900);
});

test('a run without output yet has an empty tail', () => {
  assert.deepEqual(readLogTail(path.join(os.tmpdir(), 'no-such-cairn-log')), {
    tail: '',
    hiddenLines: 0,
  });
});
