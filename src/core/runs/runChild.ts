import { spawn, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as NodePty from 'node-pty';

/** How a run's program ended. */
export interface ChildExit {
  readonly exitCode: number | null;
  readonly signal: string | null;
}

/** A run's program, in a pseudo-terminal or with pipes, behind one small interface. */
export interface RunChild {
  readonly pid: number;
  write(data: Buffer): void;
  resize(cols: number, rows: number): void;
  /** Stops reading its output (it blocks once the pipe or terminal buffer is full). */
  pause(): void;
  resume(): void;
  /** Signals the program's process group (its children too). */
  signal(sig: NodeJS.Signals): void;
  readonly exited: Promise<ChildExit>;
}

export interface ChildOptions {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Record<string, string>;
  /** A pseudo-terminal of this size; pipes when absent. */
  readonly pty?: { readonly cols: number; readonly rows: number };
  /** Each chunk of output, with the stream it came from (always 'out' in a terminal). */
  readonly onData: (chunk: Buffer, stream: 'out' | 'err') => void;
}

function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  }
}

/** Where node-pty came from: the one the editor ships (CAIRN_NODE_PTY) or Cairn's own. */
export interface LoadedPty {
  readonly pty: typeof NodePty;
  /** The folder of the module that loaded. */
  readonly from: string;
}

/**
 * node-pty is native: it must match the runtime it loads in. The extension passes the editor's
 * own node-pty (VS Code ships one for its terminals, built for its runtime) in CAIRN_NODE_PTY;
 * the one bundled with Cairn (or installed with the npm package) is the fallback. Returns the
 * error of each attempt when none loads.
 */
export function loadPty(env: NodeJS.ProcessEnv = process.env): LoadedPty | { errors: string[] } {
  const candidates = [env['CAIRN_NODE_PTY'], 'node-pty'].filter(
    (c): c is string => c !== undefined && c !== '',
  );
  const errors: string[] = [];
  for (const c of candidates) {
    try {
      // require, not import(): the CLI runs from V8's code cache (src/cli/launcher.ts), where a
      // dynamic import has no loader to call.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const pty = require(c) as typeof NodePty;
      if (typeof pty.spawn !== 'function') throw new Error('it has no spawn()');
      return {
        pty,
        from: c === 'node-pty' ? path.dirname(require.resolve('node-pty/package.json')) : c,
      };
    } catch (e) {
      errors.push(`${c}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  }
  return { errors };
}

function spawnPty(
  pty: typeof NodePty,
  o: ChildOptions,
  size: { cols: number; rows: number },
): RunChild {
  const p = pty.spawn(o.file, [...o.args], {
    name: o.env['TERM'] ?? 'xterm-256color',
    cols: size.cols,
    rows: size.rows,
    cwd: o.cwd,
    env: o.env,
    encoding: null,
  });
  p.onData((d: string | Buffer) => o.onData(typeof d === 'string' ? Buffer.from(d) : d, 'out'));
  const exited = new Promise<ChildExit>((resolve) => {
    p.onExit(({ exitCode, signal }) => {
      const sig = signal ? (os.constants.signals as Record<string, number>) : undefined;
      const name = sig ? (Object.entries(sig).find(([, n]) => n === signal)?.[0] ?? null) : null;
      // Output can arrive after the exit event; give the reader a moment to drain.
      setTimeout(() => resolve({ exitCode: name ? null : exitCode, signal: name }), 50);
    });
  });
  return {
    pid: p.pid,
    write: (d) => p.write(d.toString('utf8')),
    resize: (c, r) => p.resize(c, r),
    pause: () => p.pause(),
    resume: () => p.resume(),
    // The program leads its own session, so its pid is its process group.
    signal: (sig) => signalGroup(p.pid, sig),
    exited,
  };
}

function spawnPipes(o: ChildOptions): RunChild {
  const child: ChildProcess = spawn(o.file, [...o.args], {
    cwd: o.cwd,
    env: o.env,
    stdio: ['inherit', 'pipe', 'pipe'],
    // Its own process group, so that stop() reaches its children too.
    detached: true,
  });
  child.stdout?.on('data', (b: Buffer) => o.onData(b, 'out'));
  child.stderr?.on('data', (b: Buffer) => o.onData(b, 'err'));
  const exited = new Promise<ChildExit>((resolve) => {
    child.on('error', (e) => {
      o.onData(Buffer.from(`cairn: could not start ${o.file}: ${e.message}\n`), 'err');
      resolve({ exitCode: 127, signal: null });
    });
    child.on('close', (code, signal) => resolve({ exitCode: code, signal }));
  });
  return {
    pid: child.pid ?? -1,
    write: () => undefined,
    resize: () => undefined,
    pause: () => {
      child.stdout?.pause();
      child.stderr?.pause();
    },
    resume: () => {
      child.stdout?.resume();
      child.stderr?.resume();
    },
    signal: (sig) => {
      if (child.pid !== undefined) signalGroup(child.pid, sig);
    },
    exited,
  };
}

/** Starts a run's program in its own process group (a pseudo-terminal when `pty` is given). */
export function spawnRunChild(options: ChildOptions): Promise<RunChild> {
  if (!options.pty) return Promise.resolve(spawnPipes(options));
  const loaded = loadPty();
  if ('errors' in loaded) {
    // Without node-pty the program still runs, with pipes: it sees no terminal, so progress bars
    // print line by line. Say why, once, in its output.
    options.onData(
      Buffer.from(
        `cairn: no pseudo-terminal, the program runs with pipes: node-pty could not be loaded (${loaded.errors.join('; ')}). ` +
          'If Cairn was installed with npm, install it again with npm install -g --allow-scripts=node-pty so that node-pty is built.\n',
      ),
      'err',
    );
    return Promise.resolve(spawnPipes(options));
  }
  return Promise.resolve(spawnPty(loaded.pty, options, options.pty));
}

// Reads one line from the recorder; EOF without "done" means the recorder died: end the group.
const WATCHDOG = `read -r line
[ "$line" = done ] && exit 0
kill -s TERM -- "-$1" 2>/dev/null
sleep 3
kill -s KILL -- "-$1" 2>/dev/null
exit 0`;

/** Ends the watch: the program finished, the recorder stays in charge. */
export interface Watchdog {
  release(): void;
}

/**
 * Ends the program's process group when this process dies, however it dies (SIGKILL too): Linux
 * has no parent-death signal for Node's children, so a small shell holds a pipe from us and sees
 * it close. It runs in a process group of its own, so the kill of ours does not reach it.
 */
export function watchProcessGroup(pgid: number): Watchdog {
  if (pgid <= 0) return { release: () => undefined };
  let dog: ChildProcess;
  try {
    dog = spawn('/bin/sh', ['-c', WATCHDOG, 'cairn-watchdog', String(pgid)], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
  } catch {
    return { release: () => undefined };
  }
  dog.on('error', () => undefined);
  dog.stdin?.on('error', () => undefined);
  dog.unref();
  return {
    release() {
      dog.stdin?.end('done\n');
    },
  };
}
