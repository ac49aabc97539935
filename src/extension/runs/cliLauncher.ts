import * as path from 'node:path';
import * as vscode from 'vscode';

/**
 * How to start the bundled CLI: the Node that runs this extension host (in desktop VS Code that
 * is Electron, which ELECTRON_RUN_AS_NODE turns into plain Node) with dist/cli.js.
 */
export function cliLauncher(extensionUri: vscode.Uri): {
  node: string;
  cli: string;
  env: Record<string, string>;
} {
  return {
    node: process.execPath,
    cli: vscode.Uri.joinPath(extensionUri, 'dist', 'cli.js').fsPath,
    env: { ELECTRON_RUN_AS_NODE: '1' },
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
}
