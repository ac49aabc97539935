import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

/**
 * The node-pty that VS Code ships for its own terminals, built for the runtime that runs this
 * extension host (and so the bundled CLI): under its app root, unpacked (code-server, VS Code
 * server) or in node_modules.asar (desktop VS Code, whose Electron reads inside the archive). The
 * CLI prefers it to the node-pty bundled with Cairn (src/core/runs/runChild.ts: loadPty).
 */
export function editorNodePty(appRoot: string = vscode.env.appRoot): string | undefined {
  if (!appRoot) return undefined;
  return ['node_modules', 'node_modules.asar']
    .map((dir) => path.join(appRoot, dir, 'node-pty'))
    .find((dir) => {
      try {
        return fs.existsSync(path.join(dir, 'package.json'));
      } catch {
        return false;
      }
    });
}

/**
 * The environment the bundled CLI runs with: VS Code's runtime as Node, and its node-pty. The
 * SLURM settings the editor sees (SLURM_CONF and the like) go along, so that `--on` reaches the
 * cluster the Runs view asks about.
 */
function cliEnv(): Record<string, string> {
  const pty = editorNodePty();
  const slurm = Object.entries(process.env).filter(
    (e): e is [string, string] => e[0].startsWith('SLURM_') && e[1] !== undefined,
  );
  return {
    ELECTRON_RUN_AS_NODE: '1',
    ...(pty ? { CAIRN_NODE_PTY: pty } : {}),
    ...Object.fromEntries(slurm),
  };
}

/**
 * How to start the bundled CLI: the Node that runs this extension host (in desktop VS Code that
 * is Electron, which ELECTRON_RUN_AS_NODE turns into plain Node) with dist/cli.js, so that no
 * Node needs to be installed beside VS Code.
 */
export function cliLauncher(extensionUri: vscode.Uri): {
  node: string;
  cli: string;
  env: Record<string, string>;
} {
  return {
    node: process.execPath,
    cli: vscode.Uri.joinPath(extensionUri, 'dist', 'cli.js').fsPath,
    env: cliEnv(),
  };
}

/** The folder with the `cairn` launcher scripts (made by scripts/build.mjs). */
export function cliBinDir(extensionUri: vscode.Uri): string {
  return path.join(vscode.Uri.joinPath(extensionUri, 'dist', 'bin').fsPath);
}

/**
 * Puts the bundled `cairn` on the PATH of integrated terminals (an environment variable
 * collection; VS Code applies it to terminals opened from now on and offers to relaunch the
 * others). No file is read or written here.
 */
export function exposeCliInTerminals(context: vscode.ExtensionContext): void {
  const env = context.environmentVariableCollection;
  env.description = 'Puts the `cairn` command line on the PATH';
  env.prepend('PATH', cliBinDir(context.extensionUri) + path.delimiter);
  env.replace('CAIRN_NODE', process.execPath);
  const pty = editorNodePty();
  if (pty) env.replace('CAIRN_NODE_PTY', pty);
}
