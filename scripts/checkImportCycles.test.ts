// The import-cycle check of `npm run lint`, run as the real script on real folders of TypeScript.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, tempDir } from '../src/core/testing/tempProject.js';

const SCRIPT = path.join(REPO_ROOT, 'scripts', 'checkImportCycles.mjs');

/** Writes the files (path -> text) into a new folder and runs the check on it. */
function check(files: Record<string, string>): { code: number | null; output: string } {
  const root = tempDir('cairn-cycles-');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  const r = spawnSync(process.execPath, [SCRIPT, root], { cwd: root, encoding: 'utf8' });
  fs.rmSync(root, { recursive: true, force: true });
  return { code: r.status, output: r.stdout + r.stderr };
}

test('two files importing each other are reported, with or without .js in the import', () => {
  const r = check({
    'a.ts': "import { b } from './b';\nexport const a = () => b;\n",
    'b.ts': "import type { A } from './a.js';\nexport const b = 1;\nexport type B = A;\n",
  });
  assert.equal(r.code, 1, r.output);
  assert.match(r.output, /import cycle between 2 files: (a\.ts, b\.ts|b\.ts, a\.ts)/);
});

test('a cycle through a folder index, `export * as` and a dynamic import is reported', () => {
  const r = check({
    'main.ts': "export * as lib from './lib';\n",
    'lib/index.ts': "export const load = () => import('../main.js');\n",
  });
  assert.equal(r.code, 1, r.output);
  assert.match(r.output, /import cycle between 2 files: .*main\.ts/);
  assert.match(r.output, /lib[/\\]index\.ts/);
});

test('imports one way, and imports only in comments, are no cycle', () => {
  const r = check({
    'a.ts': "import { b } from './b.js';\nexport const a = b;\n",
    'b.ts': "// import { a } from './a.js';\n/* import './a'; */\nexport const b = 1;\n",
  });
  assert.equal(r.code, 0, r.output);
  assert.match(r.output, /no import cycle among 2 files \(1 imports\)/);
});

test('an import that names no file is reported with its line, not dropped', () => {
  const r = check({ 'a.ts': "export const a = 1;\nimport { gone } from './gone.js';\n" });
  assert.equal(r.code, 1, r.output);
  assert.match(r.output, /a\.ts:2: import '\.\/gone\.js' names no source file/);
});
