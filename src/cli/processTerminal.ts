import type { TerminalAttachment } from '../core/runs/terminalAttachment.js';

/**
 * This process's terminal for a run's program, when stdout is one: its size and resizes, and
 * when stdin is a terminal too, its keystrokes in raw mode (so Ctrl-C reaches the program as
 * its own SIGINT). Undefined when stdout is not a terminal (piped, redirected, CI).
 */
export function processTerminal(): TerminalAttachment | undefined {
  if (process.stdout.isTTY !== true) return undefined;
  return {
    size: () => ({ cols: process.stdout.columns || 80, rows: process.stdout.rows || 24 }),
    attach({ input, resize }) {
      const onResize = () => resize(process.stdout.columns, process.stdout.rows);
      process.stdout.on('resize', onResize);
      const raw = process.stdin.isTTY === true;
      if (raw) {
        process.stdin.setRawMode(true);
        process.stdin.on('data', input);
        process.stdin.resume();
      }
      return () => {
        process.stdout.off('resize', onResize);
        if (raw) {
          process.stdin.off('data', input);
          process.stdin.setRawMode(false);
          process.stdin.pause();
        }
      };
    },
  };
}
