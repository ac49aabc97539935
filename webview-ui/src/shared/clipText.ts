// Labels drawn on a canvas cut to the room they have (the canvas has no text-overflow).

/** Clips a label to a width, with an ellipsis. */
export function clipText(ctx: CanvasRenderingContext2D, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (ctx.measureText(text.slice(0, mid) + '…').width <= width) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, lo) + '…';
}

/**
 * Breaks a label into at most maxLines lines of the width: at spaces, else after _ . / - (as in
 * optimizer.learning_rate); the last line is clipped with an ellipsis if the rest does not fit.
 */
export function wrapText(
  ctx: CanvasRenderingContext2D,
  text: string,
  width: number,
  maxLines: number,
): string[] {
  const fits = (s: string): boolean => ctx.measureText(s).width <= width;
  const lines: string[] = [];
  let rest = text;
  while (lines.length < maxLines - 1 && !fits(rest)) {
    // The longest head that fits and ends at a break.
    let cut = -1;
    for (let i = 1; i < rest.length; i++) {
      const breakAfter = rest[i - 1] === ' ' || /[_./-]/.test(rest[i - 1]!);
      if (breakAfter && fits(rest.slice(0, i).trimEnd())) cut = i;
    }
    if (cut < 0) break;
    lines.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  lines.push(clipText(ctx, rest, width));
  return lines;
}
