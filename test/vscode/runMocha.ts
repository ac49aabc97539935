// The extension-test entry contract (shared by code-server and @vscode/test-electron): run()
// resolves when every test passed and rejects otherwise.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

/** Runs every *.test.js in `dir` with mocha (only those matching CAIRN_TEST_GREP when it is set). */
export function runMocha(dir: string): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000, reporter: 'spec' });
  // CAIRN_TEST_GREP=<text> runs only the tests whose full title contains it (for quick local loops).
  const only = process.env.CAIRN_TEST_GREP;
  if (only) mocha.grep(only);
  for (const f of fs.readdirSync(dir).sort()) {
    if (f.endsWith('.test.js')) mocha.addFile(path.join(dir, f));
  }
  return new Promise((resolve, reject) => {
    mocha.run((failures) => {
      if (failures > 0) reject(new Error(`${failures} test(s) failed`));
      else resolve();
    });
  });
}
