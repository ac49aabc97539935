// cairn maturity on a real repository: it moves up a level when the commands it suggests are run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { makeTrainingRepo } from '../core/testing/executorProject.js';
import { cairn, CLI, tempDir } from '../core/testing/tempProject.js';

interface MaturityJson {
  level: number;
  criteria: { id: string; level: number; met: boolean; evidence: string; command?: string }[];
}

function assess(dir: string): MaturityJson {
  const r = cairn(dir, 'maturity', '--json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as MaturityJson;
}

/** A folder with `cairn` as this build's CLI, for commands run as a user pastes them. */
function cairnBin(): string {
  const bin = tempDir('cairn-bin-');
  const script = `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`;
  fs.writeFileSync(path.join(bin, 'cairn'), script, { mode: 0o755 });
  return bin;
}

/** Runs a suggested command as a user would paste it into a shell. */
function follow(dir: string, bin: string, command: string): void {
  const r = spawnSync('bash', ['-c', command], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env['PATH'] ?? ''}` },
  });
  assert.equal(r.status, 0, `${command}:\n${r.stdout}\n${r.stderr}`);
}

describe('cairn maturity', () => {
  test('level 0 → 1 → 2 by running the commands it suggests', () => {
    const dir = makeTrainingRepo();
    const bin = cairnBin();
    let m = assess(dir);
    assert.equal(m.level, 0);
    const byId = (x: MaturityJson, id: string) => x.criteria.find((c) => c.id === id)!;
    assert.equal(byId(m, 'data-versioned').met, true);
    assert.equal(byId(m, 'params-in-files').met, true);
    assert.equal(byId(m, 'models-linked').command, 'cairn run train');
    // The remote's url is the user's to give; everything else is run as suggested.
    assert.match(byId(m, 'remote-pushed').command!, /^cairn remote add shared <url/);
    assert.equal(cairn(dir, 'remote', 'add', 'shared', tempDir('cairn-remote-')).code, 0);
    for (let i = 0; i < 5 && m.level === 0; i++) {
      const next = m.criteria.find((c) => c.level === 1 && !c.met)!;
      follow(dir, bin, next.command!);
      m = assess(dir);
    }
    assert.equal(m.level, 1, JSON.stringify(m.criteria.filter((c) => !c.met)));
    assert.match(byId(m, 'reproducible').evidence, /reproduced run \S+ with the same metrics/);
    for (let i = 0; i < 4 && m.level === 1; i++) {
      const next = m.criteria.find((c) => c.level === 2 && !c.met)!;
      follow(dir, bin, next.command!);
      m = assess(dir);
    }
    assert.equal(m.level, 2, JSON.stringify(m.criteria.filter((c) => !c.met)));
    assert.match(
      byId(m, 'drift-scheduled').evidence,
      /\.github\/workflows\/cairn\.yml runs cairn check on a schedule/,
    );
    const text = cairn(dir, 'maturity').stdout;
    assert.match(
      text,
      /^MLOps maturity: level 2: CI that tests, reports and retrains on every change \(8 of 8 criteria met\)/,
    );
  });
});
