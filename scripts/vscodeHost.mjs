// Runs the extension inside a real VS Code: the VS Code server from the npm package code-server
// (installed once into .vscode-test/), driven by Debian's Chromium through playwright-core.
// See CONTRIBUTING.md (Test) for why this is the one VS Code these machines can run.
//
//   node scripts/vscodeHost.mjs test [--suite trusted|untrusted|firstHour] [--vsix [<file>]]
//                                   run the mocha suites, exit with their code; with --vsix, against
//                                   the extension installed from that package (npm test does)
//   node scripts/vscodeHost.mjs install                            only install code-server
//
// Other scripts import { ensureCodeServer, prepareWorkspace, withWorkbench } from here.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CODE_SERVER_VERSION = '4.100.3';
const cacheDir = path.join(root, '.vscode-test');
const installDir = path.join(cacheDir, `code-server-${CODE_SERVER_VERSION}`);
const packageDir = path.join(installDir, 'node_modules', 'code-server');
const vscodeDir = path.join(packageDir, 'lib', 'vscode');
export const serverMain = path.join(vscodeDir, 'out', 'server-main.js');
// code-server's postinstall runs `npm install` inside lib/vscode; these are the dependencies
// there whose install scripts build native modules or place binaries. npm 11 skips install
// scripts that package.json's allowScripts does not name.
const VSCODE_NATIVE = [
  '@parcel/watcher',
  '@vscode/deviceid',
  '@vscode/ripgrep',
  '@vscode/spdlog',
  'kerberos',
  'native-watchdog',
  'node-pty',
];
// Files that only exist when the postinstall really ran and built what the server loads.
const INSTALL_MARKERS = [
  serverMain,
  path.join(vscodeDir, 'node_modules', 'node-pty', 'build', 'Release', 'pty.node'),
  path.join(vscodeDir, 'node_modules', '@vscode', 'spdlog', 'build', 'Release', 'spdlog.node'),
  path.join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg'),
  path.join(vscodeDir, 'node_modules.asar'),
];

function log(...args) {
  process.stderr.write(`[vscode-host] ${args.join(' ')}\n`);
}

function run(cmd, args, options) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...options });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status ?? r.signal}`);
  }
}

function installed() {
  return INSTALL_MARKERS.every((f) => fs.existsSync(f));
}

/** Installs code-server into .vscode-test/ unless it is already there; returns server-main.js. */
export function ensureCodeServer() {
  if (installed()) return serverMain;
  const started = Date.now();
  log(`installing code-server@${CODE_SERVER_VERSION} into ${path.relative(root, installDir)}/`);
  if (Number(process.versions.node.split('.')[0]) !== 20) {
    throw new Error(`code-server ${CODE_SERVER_VERSION} needs Node 20, not ${process.version}`);
  }
  const rg = spawnSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).stdout.trim();
  if (!rg) throw new Error('ripgrep is missing: apt-get install ripgrep (scripts/setup.sh does)');
  // @vscode/ripgrep downloads rg from GitHub, which these machines cannot reach; seeding its
  // download cache with Debian's rg makes it find the archive "already downloaded".
  const rgCache = path.join(os.tmpdir(), 'vscode-ripgrep-cache-1.15.11');
  const rgTar = path.join(rgCache, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz');
  if (!fs.existsSync(rgTar)) {
    const pack = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-pack-'));
    fs.copyFileSync(rg, path.join(pack, 'rg'));
    fs.chmodSync(path.join(pack, 'rg'), 0o755);
    fs.mkdirSync(rgCache, { recursive: true });
    run('tar', ['czf', `${rgTar}.tmp`, '-C', pack, 'rg']);
    fs.renameSync(`${rgTar}.tmp`, rgTar);
    fs.rmSync(pack, { recursive: true, force: true });
  }

  // Install into a temp folder and rename at the end: an interrupted install leaves no
  // half-built server behind that looks complete.
  const tmp = `${installDir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const env = {
    ...process.env,
    npm_config_yes: 'true',
    npm_config_unsafe_perm: 'true',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_update_notifier: 'false',
  };
  // 1. The package without its postinstall (it would run under npm 11's script policy of the
  //    outer install, which then also applies to the nested install and blocks native builds).
  run(
    'npm',
    ['install', '--prefix', tmp, `code-server@${CODE_SERVER_VERSION}`, '--ignore-scripts'],
    {
      env,
    },
  );
  // 2. Allow the nested install's native dependencies, then run code-server's postinstall as npm
  //    would (it reads the npm user agent to pick npm and check the Node version).
  const tmpPackage = path.join(tmp, 'node_modules', 'code-server');
  const vscodePkgFile = path.join(tmpPackage, 'lib', 'vscode', 'package.json');
  const vscodePkg = JSON.parse(fs.readFileSync(vscodePkgFile, 'utf8'));
  vscodePkg.allowScripts = Object.fromEntries(VSCODE_NATIVE.map((name) => [name, true]));
  fs.writeFileSync(vscodePkgFile, JSON.stringify(vscodePkg, null, 2) + '\n');
  const npmVersion = spawnSync('npm', ['-v'], { encoding: 'utf8' }).stdout.trim();
  run('sh', ['./postinstall.sh'], {
    cwd: tmpPackage,
    env: {
      ...env,
      npm_config_user_agent: `npm/${npmVersion} node/${process.version} ${process.platform} ${process.arch}`,
    },
  });
  fs.rmSync(installDir, { recursive: true, force: true });
  fs.renameSync(tmp, installDir);
  const missing = INSTALL_MARKERS.filter((f) => !fs.existsSync(f));
  if (missing.length > 0) {
    throw new Error(
      `code-server's postinstall did not build everything (missing ${missing.map((f) => path.relative(root, f)).join(', ')}); see the npm output above`,
    );
  }
  log(`installed code-server in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return serverMain;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

async function waitForServer(port, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the VS Code server exited (${child.exitCode})`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/version`);
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the VS Code server did not answer on port ${port} within ${timeoutMs} ms`);
}

/**
 * Copies a fixture project to a temp folder and makes it a Git repository with one commit
 * (fixtures cannot hold a .git). Its data/ stays out of Git, as a user's data does before Cairn
 * tracks it. Returns the folder.
 */
export function prepareWorkspace(fixture) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-ws-'));
  fs.cpSync(fixture, dir, { recursive: true });
  const git = (...args) =>
    run('git', args, { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], env: gitEnv() });
  git('init', '-q', '-b', 'main');
  // Its own identity: the machine may have no global one, and tests and screenshots commit here.
  git('config', 'user.name', 'Cairn Test');
  git('config', 'user.email', 'test@cairn.invalid');
  git('add', '-A', '--', '.', ':(exclude)data');
  git('commit', '-q', '-m', 'fixture');
  return dir;
}

function gitEnv() {
  return {
    ...process.env,
    GIT_AUTHOR_NAME: 'Cairn Test',
    GIT_AUTHOR_EMAIL: 'test@cairn.invalid',
    GIT_COMMITTER_NAME: 'Cairn Test',
    GIT_COMMITTER_EMAIL: 'test@cairn.invalid',
  };
}

/**
 * Starts the VS Code server (code-server's, installed on first use) on a loopback port, with its
 * data under `dataDir`, and waits until it answers; with `vsix`, that package is installed into
 * its fresh extensions folder first. Returns `{ port, server, serverLog, stop, installedExtension }`.
 * @param {{ dataDir: string, port?: number, trusted?: boolean, env?: Record<string, string>, settings?: Record<string, unknown>, vsix?: string }} options
 */
export async function startVsCodeServer({
  dataDir,
  port = undefined,
  trusted = true,
  env = {},
  settings = {},
  vsix = undefined,
}) {
  ensureCodeServer();
  port ??= await freePort();
  const userData = path.join(dataDir, 'user-data');
  const extensionsDir = path.join(dataDir, 'extensions');
  const installedExtension = vsix ? installVsix(vsix, dataDir, extensionsDir) : undefined;
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'workbench.startupEditor': 'none',
        'workbench.enableExperiments': false,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        ...settings,
      },
      null,
      2,
    ),
  );
  const args = [
    serverMain,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--without-connection-token',
    '--accept-server-license-terms',
    '--server-data-dir',
    path.join(dataDir, 'server-data'),
    '--user-data-dir',
    userData,
    '--extensions-dir',
    extensionsDir,
  ];
  if (trusted) args.push('--disable-workspace-trust');
  const server = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...gitEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const serverLog = [];
  const keep = (chunk) => {
    serverLog.push(chunk.toString());
    if (serverLog.length > 200) serverLog.shift();
  };
  server.stdout.on('data', keep);
  server.stderr.on('data', keep);
  const stop = async () => {
    try {
      if (server.pid !== undefined) process.kill(-server.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    await new Promise((r) => {
      if (server.exitCode !== null || server.signalCode !== null) return r(undefined);
      const t = setTimeout(() => {
        try {
          if (server.pid !== undefined) process.kill(-server.pid, 'SIGKILL');
        } catch {
          // already gone
        }
        r(undefined);
      }, 3000);
      server.once('exit', () => {
        clearTimeout(t);
        r(undefined);
      });
    });
  };
  try {
    await waitForServer(port, server, 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, server, serverLog, stop, installedExtension };
}

/**
 * Installs a .vsix into the (fresh) extensions folder of the VS Code server, as a user's
 * *Install from VSIX…* does: the server's own --install-extension, which unpacks it and checks
 * its manifest, engine and platform.
 */
export function installVsix(vsix, dataDir, extensionsDir) {
  const file = path.resolve(vsix);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run npm run package`);
  run(
    process.execPath,
    [
      serverMain,
      '--accept-server-license-terms',
      '--server-data-dir',
      path.join(dataDir, 'server-data'),
      '--user-data-dir',
      path.join(dataDir, 'user-data'),
      '--extensions-dir',
      extensionsDir,
      '--install-extension',
      file,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const installed = fs.readdirSync(extensionsDir).filter((d) => d.startsWith('cairn-ml.cairn-'));
  if (installed.length !== 1) {
    throw new Error(
      `installing ${file} left ${installed.length} Cairn extensions in ${extensionsDir}`,
    );
  }
  log(`installed ${path.basename(file)} into a fresh extensions folder (${installed[0]})`);
  return path.join(extensionsDir, /** @type {string} */ (installed[0]));
}

/**
 * The test bundles of dist/test, copied into the installed extension (the .vsix has none): VS Code
 * gives each extension its own `vscode` API object, chosen by the folder a file is in, and the
 * tests stub parts of it (message answers, quick picks) for the extension to see. Their mocha
 * comes from the source tree through a node_modules link beside them, which only the tests'
 * own requires walk through. Returns the copy of `testsPath`.
 */
function testsBesideInstalled(testsPath, installedDir) {
  const from = path.join(root, 'dist', 'test');
  const to = path.join(installedDir, 'dist', 'test');
  fs.cpSync(from, to, { recursive: true });
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(to, 'node_modules'), 'dir');
  return path.join(to, path.relative(from, testsPath));
}

/**
 * The workbench URL that opens `workspace` with the extension (and a test entry, if given).
 * `developmentPath` is the extension under development: the source tree, or, when the tests run
 * against an installed .vsix, an empty folder (VS Code reports a test run's exit code only in
 * extension development mode; the installed extension is then the one that loads).
 */
export function workbenchUrl(port, workspace, testsPath, developmentPath = root) {
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = [['extensionDevelopmentPath', remote(developmentPath)]];
  if (testsPath) payload.push(['extensionTestsPath', remote(testsPath)]);
  return (
    `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}` +
    `&payload=${encodeURIComponent(JSON.stringify(payload))}`
  );
}

/** Debian's Chromium through playwright-core, with the flags this closed network needs. */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.CAIRN_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * Starts the VS Code server and Chromium, opens the workbench on `workspace` with the extension
 * loaded (and `testsPath` as the extension test entry, if given), calls `use({ page, port,
 * exited })` and always stops the browser and the server afterwards.
 * With `vsix`, the extension is the one installed from that package, not the source tree.
 * @param {{ workspace: string, testsPath?: string, trusted?: boolean, env?: Record<string, string>, vsix?: string }} options
 * @template T
 * @param {(workbench: any) => Promise<T>} use
 * @returns {Promise<T>}
 */
export async function withWorkbench(
  { workspace, testsPath = undefined, trusted = true, env = {}, vsix = undefined },
  use,
) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-vscode-'));
  let browser;
  let stop = async () => {};
  try {
    const started = await startVsCodeServer({
      dataDir: tmp,
      trusted,
      env,
      vsix,
      settings: {
        'git.enabled': false,
        'security.workspace.trust.startupPrompt': 'never',
        'security.workspace.trust.enabled': !trusted ? true : undefined,
      },
    });
    stop = started.stop;
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let resolveExit;
    const exited = new Promise((r) => (resolveExit = r));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = Array.isArray(args) ? format(...args) : String(args);
      if (!isNoise(text)) process.stdout.write(`${text}\n`);
    });
    await page.exposeFunction('codeAutomationExit', (code) => resolveExit(code));
    let developmentPath = root;
    if (vsix) {
      developmentPath = path.join(tmp, 'no-extension-under-development');
      fs.mkdirSync(developmentPath);
    }
    if (vsix && testsPath) testsPath = testsBesideInstalled(testsPath, started.installedExtension);
    await page.goto(workbenchUrl(started.port, workspace, testsPath, developmentPath));
    return await use({ page, port: started.port, exited, serverLog: started.serverLog });
  } finally {
    await browser?.close().catch(() => {});
    await stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

// Lines the workbench logs that say nothing about the extension (the workbench's own noise).
function isNoise(text) {
  return /vsda|service ?worker|marketplace|gallery|ERR_NAME_NOT_RESOLVED|open-vsx|connection token|Creating a socket|builtin extensions cache|ChatSessionStore|workbench contribution/i.test(
    text,
  );
}

/** The suites of test/vscode: trusted (the whole surface) and untrusted (Restricted Mode). */
export const SUITES = ['trusted', 'untrusted', 'firstHour'];

/** The compiled test entry of a suite (the `run()` contract of VS Code's extension tests). */
export function suiteEntry(suite) {
  const testsPath = path.join(root, 'dist', 'test', 'vscode', `${suite}Index.js`);
  if (!fs.existsSync(testsPath)) throw new Error(`${testsPath} is missing: run npm run build`);
  return testsPath;
}

/** The fixture workspace a suite opens, prepared in a temp folder. */
export function suiteWorkspace(suite) {
  // The first hour starts in a new repository with a script and data and no Cairn yet.
  const fixture = suite === 'firstHour' ? 'newRepo' : 'mlProject';
  const workspace = prepareWorkspace(path.join(root, 'test', 'fixtures', fixture));
  if (suite === 'untrusted') {
    // Restricted Mode shows what is there: a dataset tracked (by the CLI) before the window opens.
    run(process.execPath, [path.join(root, 'dist', 'cli.js'), 'add', 'data'], {
      cwd: workspace,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return workspace;
}

/**
 * Runs a compiled mocha suite in the real host (against the extension installed from `vsix`, if
 * given); resolves to its exit code.
 * @param {{ suite: string, timeoutMs?: number, vsix?: string }} options
 */
export async function runSuite({ suite, timeoutMs = 240_000, vsix = undefined }) {
  const testsPath = suiteEntry(suite);
  const workspace = suiteWorkspace(suite);
  try {
    return await withWorkbench(
      {
        workspace,
        testsPath,
        trusted: suite !== 'untrusted',
        env: {
          CAIRN_LOG_TO_CONSOLE: '1',
          ...(vsix ? { CAIRN_TEST_VSIX: path.resolve(vsix) } : {}),
        },
        vsix,
      },
      async ({ exited, serverLog }) => {
        let timer;
        const timeout = new Promise((r) => {
          timer = setTimeout(() => r('timeout'), timeoutMs);
        });
        const code = await Promise.race([exited, timeout]);
        clearTimeout(timer);
        if (code === 'timeout') {
          log(`the ${suite} suite did not finish within ${timeoutMs / 1000} s; server log:`);
          process.stderr.write(serverLog.join(''));
          return 1;
        }
        return code;
      },
    );
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

async function main() {
  const [cmd = 'test', ...rest] = process.argv.slice(2);
  if (cmd === 'install') {
    ensureCodeServer();
    return 0;
  }
  if (cmd === 'test') {
    const i = rest.indexOf('--suite');
    const suites = i >= 0 ? [rest[i + 1] ?? 'trusted'] : SUITES;
    const v = rest.indexOf('--vsix');
    // --vsix alone: the package npm run package builds, cairn-<version>.vsix.
    const given = v >= 0 ? rest[v + 1] : undefined;
    const vsix =
      v < 0
        ? undefined
        : given && !given.startsWith('--')
          ? given
          : path.join(
              root,
              `cairn-${JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version}.vsix`,
            );
    let worst = 0;
    for (const suite of suites) {
      const started = Date.now();
      log(
        `running the ${suite} suite in code-server ${CODE_SERVER_VERSION} against ${vsix ? `the installed ${path.basename(vsix)}` : 'the source tree'}`,
      );
      const code = await runSuite({ suite, vsix });
      log(`${suite} suite: exit code ${code} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      if (code !== 0) worst = code || 1;
    }
    return worst;
  }
  throw new Error(`unknown command ${cmd}; use test or install`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      log(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
