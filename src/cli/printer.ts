// The one place where the CLI writes to the terminal. Human output passes through
// escapeControlChars here, so no command can print a control sequence that came from a run, a
// file name or a commit; only the printer's own progress line moves the cursor.
import { CairnError } from '../core/errors.js';
import { escapeControlChars } from '../core/text/controlChars.js';

function line(text: string): string {
  const safe = escapeControlChars(text);
  return safe.endsWith('\n') ? safe : safe + '\n';
}

export function out(text: string): void {
  process.stdout.write(line(text));
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function err(text: string): void {
  process.stderr.write(line(text));
}

/** Progress on stderr, only when it is a terminal; overwritten in place. */
export function progress(text: string): void {
  if (process.stderr.isTTY)
    process.stderr.write(`\r\x1b[K${escapeControlChars(text, { singleLine: true })}`);
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
