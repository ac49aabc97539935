// The stat numbers every no-op status and every add rests on: Node's raw binding (when it is
// used) must give what fs.statSync and fs.fstatSync give, for every kind of path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../testing/tempProject.js';
import { fstatInto, STAT_FIELDS, statFilesSync, statInto, usesRawStat } from './statFiles.js';

const viaStats = (st: fs.Stats | undefined): number[] =>
  st === undefined || !st.isFile()
    ? [-1]
    : [st.dev, st.ino, st.size, st.mtimeMs, st.ctimeMs, st.mode];
const viaInto = (out: Float64Array): number[] =>
  out[5] === -1 ? [-1] : Array.from(out.subarray(0, STAT_FIELDS));

test('statInto and fstatInto give the numbers of fs.statSync and fs.fstatSync', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'a.txt'), 'alpha');
  fs.writeFileSync(path.join(dir, 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.symlinkSync('a.txt', path.join(dir, 'link'));
  fs.symlinkSync('nowhere', path.join(dir, 'dangling'));
  const names = ['a.txt', 'run.sh', 'sub', 'link', 'dangling', 'missing'];
  const check = (): void => {
    const out = new Float64Array(STAT_FIELDS);
    for (const name of names) {
      const file = path.join(dir, name);
      statInto(file, out, 0);
      assert.deepEqual(viaInto(out), viaStats(fs.statSync(file, { throwIfNoEntry: false })), name);
    }
    const all = statFilesSync(dir, names);
    names.forEach((name, i) => {
      const st = fs.statSync(path.join(dir, name), { throwIfNoEntry: false });
      assert.deepEqual(viaInto(all.subarray(i * STAT_FIELDS)), viaStats(st), name);
    });
    const fd = fs.openSync(path.join(dir, 'run.sh'), 'r');
    try {
      fstatInto(fd, out, 0);
      assert.deepEqual(viaInto(out), viaStats(fs.fstatSync(fd)));
    } finally {
      fs.closeSync(fd);
    }
  };
  assert.ok(usesRawStat(), "Node 20's binding is there: the fast path is the one checked");
  check();
  // Fractional times, as most file systems keep them, and a changed size and ctime.
  fs.utimesSync(path.join(dir, 'a.txt'), 1_700_000_000.123456, 1_700_000_000.987654);
  fs.appendFileSync(path.join(dir, 'run.sh'), 'echo hi\n');
  check();
  // A path through a file is an error, as with fs.statSync.
  assert.throws(() => statInto(path.join(dir, 'a.txt', 'x'), new Float64Array(STAT_FIELDS), 0));
});
