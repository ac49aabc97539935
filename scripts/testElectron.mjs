// Runs the same host suites (test/vscode) in desktop VS Code through @vscode/test-electron, for
// machines that can download VS Code (a laptop, a hosted CI). These machines cannot: they use
// scripts/vscodeHost.mjs (code-server + Chromium) instead.
//
//   node scripts/testElectron.mjs [--suite trusted|untrusted] [--version 1.100.3|stable]
import { runTests } from '@vscode/test-electron';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SUITES, root, suiteEntry, suiteWorkspace } from './vscodeHost.mjs';

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const suites = option('--suite') ? [option('--suite')] : SUITES;
// The oldest VS Code the manifest accepts (engines.vscode), unless told otherwise.
const version = option('--version') ?? '1.100.3';

let worst = 0;
for (const suite of suites) {
  const workspace = suiteWorkspace(suite);
  const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-electron-'));
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(userData, 'User', 'settings.json'),
    JSON.stringify({
      'security.workspace.trust.enabled': suite === 'untrusted',
      'security.workspace.trust.startupPrompt': 'never',
      'git.enabled': false,
      'extensions.autoUpdate': false,
      'extensions.autoCheckUpdates': false,
    }),
  );
  try {
    const launchArgs = [workspace, '--disable-extensions', `--user-data-dir=${userData}`];
    if (suite !== 'untrusted') launchArgs.push('--disable-workspace-trust');
    await runTests({
      version,
      extensionDevelopmentPath: root,
      extensionTestsPath: suiteEntry(suite),
      launchArgs,
      extensionTestsEnv: { CAIRN_LOG_TO_CONSOLE: '1' },
    });
    console.log(`[electron] ${suite} suite passed`);
  } catch (err) {
    console.error(
      `[electron] ${suite} suite failed: ${err instanceof Error ? err.message : String(err)}`,
    );
    worst = 1;
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
    fs.rmSync(userData, { recursive: true, force: true });
  }
}
process.exit(worst);
