// The only way webview code makes elements: text goes in as textContent, never as HTML, so a run
// named `<img src=x onerror=...>` shows as those characters.

type Attrs = Record<string, string | number | boolean | undefined>;

/** Creates an element with attributes (set as attributes, never as markup) and text or children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Node | string | null | undefined)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name === 'className') el.className = String(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}

/** Drops the nulls from a list of optional children. */
export function present(...items: (Node | null | undefined)[]): Node[] {
  return items.filter((n): n is Node => n !== null && n !== undefined);
}

/** Replaces an element's children. */
export function replaceChildren(el: Element, ...children: (Node | string)[]): void {
  el.replaceChildren(...children);
}

/** Reads a theme colour (a --vscode-* variable) for canvas drawing, with a fallback. */
export function themeColor(name: string, fallback: string): string {
  const value = getComputedStyle(document.body).getPropertyValue(name).trim();
  return value === '' ? fallback : value;
}

/**
 * Calls fn after VS Code switches the colour theme: it toggles the `vscode-light`/`vscode-dark`/
 * `vscode-high-contrast` class on <body> and rewrites the variables in <html>'s style. Canvas
 * drawings read colours once per draw, so they redraw here.
 */
export function onThemeChange(fn: () => void): void {
  const throttled = frameThrottle(fn);
  const observer = new MutationObserver(throttled);
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  observer.observe(document.documentElement, {
    attributes: true,
    attributeFilter: ['class', 'style'],
  });
}

/** Runs fn at most once per animation frame. */
export function frameThrottle(fn: () => void): () => void {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      fn();
    });
  };
}

/** A colour per series index, readable on light and dark backgrounds. */
export function seriesColor(i: number): string {
  const palette = [
    '#3794ff',
    '#f14c4c',
    '#23d18b',
    '#e5a50a',
    '#b267e6',
    '#29b8db',
    '#ff8c00',
    '#d670d6',
    '#8ac926',
    '#ff6f91',
  ];
  return palette[i % palette.length]!;
}

/** Formats a number for a table cell or a readout. */
export function formatNumber(v: number | null): string {
  if (v === null) return '';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
  return String(Number(v.toPrecision(5)));
}

/** Whether keys typed at this target are text (so a one-key shortcut such as / must not fire). */
export function isTextEntry(target: EventTarget | null): boolean {
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement)
    return !['checkbox', 'radio', 'button', 'submit', 'range', 'color'].includes(target.type);
  return target instanceof HTMLElement && target.isContentEditable;
}
