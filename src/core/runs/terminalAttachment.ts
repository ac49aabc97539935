/**
 * The terminal a run's program is attached to, supplied by the caller (the CLI attaches its own
 * terminal in raw mode): its size, and the keystrokes and size changes to pass on. Core never
 * touches process.stdin or a terminal's modes itself.
 */
export interface TerminalAttachment {
  /** The terminal's size now, for the program's pseudo-terminal. */
  size(): { readonly cols: number; readonly rows: number };
  /** Starts passing keystrokes and size changes on; returns the function that stops it. */
  attach(handlers: {
    readonly input: (data: Buffer) => void;
    readonly resize: (cols: number, rows: number) => void;
  }): () => void;
}
