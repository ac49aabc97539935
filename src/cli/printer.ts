// The one place where the CLI writes to the terminal.
import { CairnError } from '../core/errors.js';

export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function err(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : text + '\n');
}

/** Progress on stderr, only when it is a terminal; overwritten in place. */
export function progress(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`);
}

export function endProgress(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
}

/** One clear sentence on stderr for a failure; unexpected errors keep their stack for bug reports. */
export function printError(e: unknown): void {
  if (e instanceof CairnError) err(`cairn: ${e.message}`);
  else if (e instanceof Error) err(`cairn: unexpected error: ${e.message}\n${e.stack ?? ''}`);
  else err(`cairn: unexpected error: ${String(e)}`);
}
