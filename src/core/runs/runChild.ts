import { spawn, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
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

function spawnPty(o: ChildOptions, size: { cols: number; rows: number }): RunChild {
  // require, not import(): the CLI runs from V8's code cache (src/cli/launcher.ts), where a
  // dynamic import has no loader to call.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pty = require('node-pty') as typeof NodePty;
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
  return Promise.resolve(options.pty ? spawnPty(options, options.pty) : spawnPipes(options));
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
