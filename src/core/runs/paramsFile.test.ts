// Params files that are broken or hostile: one clear error naming the file and line.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { CairnError } from '../errors.js';
import { tempProject } from '../testing/tempProject.js';
import { overrideParamsFile, readParamsFile } from './paramsFile.js';

function rejects(fn: () => unknown, re: RegExp, line?: number): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CairnError, `expected a CairnError, got ${String(e)}`);
    assert.equal(e.code, 'bad-params', e.message);
    assert.match(e.message, re);
    if (line !== undefined) assert.equal(e.line, line);
    return;
  }
  assert.fail('expected an error');
}

test('a YAML alias bomb is refused with the file named', async () => {
  const project = tempProject();
  const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    const cur = String.fromCharCode(97 + i);
    lines.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  const text = lines.join('\n') + '\n';
  fs.writeFileSync(path.join(project.root, 'params.yaml'), text);
  rejects(() => readParamsFile(project, 'params.yaml'), /^params\.yaml: .*aliases/);
  await assert.rejects(overrideParamsFile(project, 'params.yaml', { a: 1 }, 'r1'), CairnError);
  assert.equal(fs.readFileSync(path.join(project.root, 'params.yaml'), 'utf8'), text);
  assert.deepEqual(fs.readdirSync(path.join(project.runsDir, '.params')), []);
});

test('deeply nested JSON params are refused at their line, whatever the depth', () => {
  const project = tempProject();
  for (const depth of [40, 100_000]) {
    const text = '{"lr": 0.1,\n "deep": ' + '['.repeat(depth) + ']'.repeat(depth) + '}\n';
    fs.writeFileSync(path.join(project.root, 'params.json'), text);
    rejects(
      () => readParamsFile(project, 'params.json'),
      /^params\.json:2: the params are nested more than 32 levels deep/,
      2,
    );
  }
  const yamlDeep =
    'a:\n' +
    Array.from({ length: 40 }, (_, i) => ' '.repeat(2 * (i + 1)) + `k${i}:`).join('\n') +
    ' 1\n';
  fs.writeFileSync(path.join(project.root, 'params.yaml'), yamlDeep);
  rejects(() => readParamsFile(project, 'params.yaml'), /^params\.yaml:1: the params are nested/);
});

test('a JSON syntax error is reported at its line', () => {
  const project = tempProject();
  fs.writeFileSync(path.join(project.root, 'params.json'), '{\n  "lr": ,\n  "epochs": 3\n}\n');
  rejects(
    () => readParamsFile(project, 'params.json'),
    /^params\.json:2: the params file is not valid JSON/,
    2,
  );
  fs.writeFileSync(path.join(project.root, 'params.json'), '{"lr": 1,\n"b": 2,\n\n"c" 3}\n');
  rejects(() => readParamsFile(project, 'params.json'), /^params\.json:4: /, 4);
  fs.writeFileSync(path.join(project.root, 'params.json'), '{"lr": 1}\n\n{}\n');
  rejects(() => readParamsFile(project, 'params.json'), /^params\.json:3: /, 3);
});

test('__proto__, constructor and prototype are refused as param names in a params file', () => {
  const project = tempProject();
  fs.writeFileSync(
    path.join(project.root, 'params.json'),
    '{"model": {"__proto__": {"kind": "evil"}}}\n',
  );
  rejects(
    () => readParamsFile(project, 'params.json'),
    /'model\.__proto__' cannot be a parameter name/,
  );
  assert.equal(({} as Record<string, unknown>)['kind'], undefined);
});
