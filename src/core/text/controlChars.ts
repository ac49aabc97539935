// Text from a repository, a remote or a run (names, params, file names, commit subjects, column
// names) may hold terminal control sequences: an ESC can recolour the terminal, move the cursor,
// rewrite what was printed or plant an OSC-8 link. Human output shows such characters as visible
// escapes instead; JSON output is safe already (JSON.stringify escapes C0, and C1 is inert there).

// C0 except tab and newline, DEL, C1, and the bidirectional overrides and isolates that reorder
// what a reader sees ("Trojan Source"). Matching control characters is the point here.
/* eslint-disable no-control-regex */
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_OR_NEWLINE = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */

function visible(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch === '\n') return '\\n';
  if (ch === '\t') return '\\t';
  if (ch === '\r') return '\\r';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
}

/**
 * Shows control characters as visible escapes (`\x1b`, `\r`, `\u202e`); tabs and newlines are kept
 * unless `singleLine`, where they are escaped too (a name in a table or a tree label).
 */
export function escapeControlChars(text: string, options: { singleLine?: boolean } = {}): string {
  return text.replace(options.singleLine ? UNSAFE_OR_NEWLINE : UNSAFE, visible);
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

/** Removes terminal escape sequences (colours, cursor moves, OSC links) from program output. */
export function stripAnsi(text: string): string {
  return text.includes('\x1b') ? text.replace(ANSI, '') : text;
}
