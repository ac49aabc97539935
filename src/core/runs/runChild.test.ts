// Which node-pty a run's terminal uses: the editor's own (CAIRN_NODE_PTY), else Cairn's.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadPty, spawnRunChild } from './runChild.js';

const bundled = path.dirname(require.resolve('node-pty/package.json'));
const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** Runs a program that says whether it has a terminal, with CAIRN_NODE_PTY set to `ptyDir`. */
async function ttyOf(ptyDir: string | undefined): Promise<string> {
  const saved = process.env['CAIRN_NODE_PTY'];
  if (ptyDir === undefined) delete process.env['CAIRN_NODE_PTY'];
  else process.env['CAIRN_NODE_PTY'] = ptyDir;
  try {
    let out = '';
    const child = await spawnRunChild({
      file: python,
      args: ['-c', 'import sys; print("tty", sys.stdout.isatty())'],
      cwd: os.tmpdir(),
      env: { PATH: process.env['PATH'] ?? '' },
      pty: { cols: 80, rows: 24 },
      onData: (b) => (out += b.toString()),
    });
    await child.exited;
    return out;
  } finally {
    if (saved === undefined) delete process.env['CAIRN_NODE_PTY'];
    else process.env['CAIRN_NODE_PTY'] = saved;
  }
}

test("a run's terminal uses the node-pty the editor names in CAIRN_NODE_PTY", async () => {
  // A real node-pty in another folder, as VS Code ships one under its app root.
  const appRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-approot-'));
  try {
    const editorPty = path.join(appRoot, 'node_modules', 'node-pty');
    fs.cpSync(bundled, editorPty, { recursive: true });
    const loaded = loadPty({ CAIRN_NODE_PTY: editorPty });
    assert.ok('pty' in loaded, JSON.stringify(loaded));
    assert.equal(loaded.from, editorPty);
    assert.match(await ttyOf(editorPty), /tty True/);
  } finally {
    fs.rmSync(appRoot, { recursive: true, force: true });
  }
});

test('a CAIRN_NODE_PTY that does not load falls back to the node-pty bundled with Cairn', async () => {
  const notPty = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-not-pty-'));
  try {
    const loaded = loadPty({ CAIRN_NODE_PTY: notPty });
    assert.ok('pty' in loaded, JSON.stringify(loaded));
    assert.equal(loaded.from, bundled);
    assert.match(await ttyOf(notPty), /tty True/);
    const none = loadPty({});
    assert.ok('pty' in none && none.from === bundled);
  } finally {
    fs.rmSync(notPty, { recursive: true, force: true });
  }
});
