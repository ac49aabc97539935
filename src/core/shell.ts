/** Quotes one word for a POSIX shell (left bare when it is plainly safe). */
export function shellQuote(s: string): string {
  return /^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
