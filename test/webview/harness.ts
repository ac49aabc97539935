// Loads a webview bundle in Chromium (Debian's, or the one $CAIRN_CHROMIUM names) the way VS Code
// does: the page the panels build (real CSP, nonce), served from a fake webview origin, with a fake
// acquireVsCodeApi that records posted messages and keeps setState across reloads. CSP violations
// are collected.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { themeCss, themeVariables, type Theme } from './themes.js';
import { chromium, type Browser, type Page } from 'playwright-core';
import { webviewHtml } from '../../src/extension/shared/webviewHtml.js';

// npm runs the tests from the repository root.
const root = process.cwd();
export const origin = 'https://webview.test';

/** The Chromium the tests drive: $CAIRN_CHROMIUM, or Debian's package where it is unset. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const path = env.CAIRN_CHROMIUM;
  return path === undefined || path === '' ? '/usr/bin/chromium' : path;
}

export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath))
    throw new Error(
      `Chromium is not at ${executablePath}: install Debian's chromium (scripts/setup.sh) or set CAIRN_CHROMIUM to a Chromium executable.`,
    );
  return chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface WebviewPage {
  page: Page;
  /** Messages the page posted, in order. */
  posted(): Promise<{ type: string; [k: string]: unknown }[]>;
  /** CSP violations reported so far ("directive blocked-uri"). */
  violations(): Promise<string[]>;
  /** Delivers a host message to the page, as VS Code does. */
  send(message: unknown): Promise<void>;
  /**
   * Builds a message in the page from a JavaScript expression and delivers it; resolves with the
   * ms from posting to the next frame after the page handled it (its first paint).
   */
  sendBuilt(type: string, field: string, expression: string): Promise<number>;
  close(): Promise<void>;
}

const contentTypes: Record<string, string> = {
  js: 'text/javascript',
  css: 'text/css',
  ttf: 'font/ttf',
  map: 'application/json',
};

export async function openWebview(
  browser: Browser,
  bundle: 'compare' | 'lineage' | 'profile' | 'drift' | 'run',
  options: { theme?: Theme; width?: number; height?: number; savedState?: unknown } = {},
): Promise<WebviewPage> {
  const theme = options.theme ?? 'dark';
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  if (process.env.CAIRN_WEBVIEW_DEBUG !== undefined) {
    page.on('console', (m) => console.log(`[${bundle}] ${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => console.log(`[${bundle}] page error: ${e.message}`));
  }
  const nonce = 'dGVzdC1ub25jZS0xMjM0NTY3OA==';
  const html = webviewHtml({
    title: bundle,
    cspSource: origin,
    nonce,
    scriptUri: `${origin}/dist/${bundle}.js`,
    styleUri: `${origin}/dist/${bundle}.css`,
  })
    // VS Code puts the theme's variables and a theme class on the page itself.
    .replace('</head>', `<link rel="stylesheet" href="${origin}/theme/${theme}.css">\n</head>`)
    .replace('<body>', `<body class="vscode-${theme}">`);
  await page.route(`${origin}/**`, async (route) => {
    const url = new URL(route.request().url());
    let file: string | undefined;
    if (url.pathname === '/index.html') {
      await route.fulfill({ contentType: 'text/html', body: html });
      return;
    }
    if (url.pathname.startsWith('/dist/'))
      file = join(root, 'dist', 'webview', url.pathname.slice(6));
    else if (url.pathname === `/theme/${theme}.css`) {
      await route.fulfill({ contentType: 'text/css', body: themeCss(theme) });
      return;
    }
    if (file === undefined || file.includes('..')) {
      await route.fulfill({ status: 404, body: '' });
      return;
    }
    try {
      const body = readFileSync(file);
      const ext = file.slice(file.lastIndexOf('.') + 1);
      await route.fulfill({ contentType: contentTypes[ext] ?? 'application/octet-stream', body });
    } catch {
      await route.fulfill({ status: 404, body: '' });
    }
  });
  // A string, not a function: tsx would add its own helpers to a function's source.
  await page.addInitScript(`(() => {
    const posted = [];
    const violations = [];
    window.__posted = posted;
    window.__violations = violations;
    const saved = ${JSON.stringify(JSON.stringify(options.savedState ?? null))};
    if (saved !== 'null' && sessionStorage.getItem('cairn-state') === null) {
      sessionStorage.setItem('cairn-state', saved);
    }
    document.addEventListener('securitypolicyviolation', (e) => {
      violations.push(e.violatedDirective + ' ' + e.blockedURI);
    });
    window.acquireVsCodeApi = () => ({
      postMessage: (m) => posted.push(JSON.parse(JSON.stringify(m))),
      getState: () => {
        const s = sessionStorage.getItem('cairn-state');
        return s === null ? undefined : JSON.parse(s);
      },
      setState: (s) => sessionStorage.setItem('cairn-state', JSON.stringify(s)),
    });
  })();`);
  await page.goto(`${origin}/index.html`);
  await page.waitForFunction(() =>
    ((window as unknown as { __posted: { type: string }[] }).__posted ?? []).some(
      (m) => m.type === 'webview/ready',
    ),
  );
  return {
    page,
    posted: () =>
      page.evaluate(() => (window as unknown as { __posted: { type: string }[] }).__posted),
    violations: () =>
      page.evaluate(() => (window as unknown as { __violations: string[] }).__violations),
    send: (message) =>
      page.evaluate((m) => {
        window.postMessage(m, '*');
        return new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      }, message),
    sendBuilt: (type, field, expression) =>
      page.evaluate(`(() => {
        const message = { type: ${JSON.stringify(type)}, ${JSON.stringify(field)}: ${expression} };
        return new Promise((resolve) => {
          const t0 = performance.now();
          window.addEventListener('message', () => {
            requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
          }, { once: true });
          window.postMessage(message, '*');
        });
      })()`),
    close: () => context.close(),
  };
}

/** Waits until the page has painted twice (layout, canvas and uPlot done). */
export async function settled(page: Page): Promise<void> {
  await page.evaluate(
    () => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))),
  );
}

/**
 * Switches the page to another theme the way VS Code does: the variables rewritten on <html>'s
 * style and the theme class on <body> replaced.
 */
export async function switchTheme(page: Page, theme: Theme): Promise<void> {
  await page.evaluate(
    ({ vars, cls }) => {
      for (const [name, value] of vars) document.documentElement.style.setProperty(name, value);
      document.body.classList.remove('vscode-light', 'vscode-dark', 'vscode-high-contrast');
      document.body.classList.add(cls);
    },
    { vars: themeVariables(theme), cls: `vscode-${theme}` },
  );
  await settled(page);
}

/** The colour of one canvas pixel (CSS px from the canvas's top left) as #rrggbb. */
export async function canvasPixel(
  page: Page,
  selector: string,
  x: number,
  y: number,
): Promise<string> {
  return page.evaluate(
    ({ selector, x, y }) => {
      const c = document.querySelector<HTMLCanvasElement>(selector)!;
      const k = c.width / c.clientWidth;
      const [r, g, b] = c
        .getContext('2d')!
        .getImageData(Math.round(x * k), Math.round(y * k), 1, 1).data;
      return '#' + [r, g, b].map((v) => (v ?? 0).toString(16).padStart(2, '0')).join('');
    },
    { selector, x, y },
  );
}

/** A text a canvas drew: its left edge, baseline and width in CSS px of the canvas. */
export interface DrawnText {
  text: string;
  left: number;
  y: number;
  width: number;
}

/** What a canvas drew since it was last cleared: texts, and the colours it filled and stroked. */
export interface CanvasDrawing {
  texts: DrawnText[];
  fills: string[];
  strokes: string[];
  /** The canvas's width in CSS px and its box's right edge in the page. */
  width: number;
  right: number;
}

/**
 * Makes the page's canvases keep a log of what they draw (texts, fill and stroke colours), emptied
 * when a canvas is cleared whole, so a test reads what a user sees on a canvas. Call it before the
 * drawing happens (before the state is sent).
 */
export async function recordCanvases(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    const logs = new WeakMap();
    window.__canvasLog = (c) => logs.get(c) ?? { texts: [], fills: [], strokes: [] };
    const log = (ctx) => {
      let l = logs.get(ctx.canvas);
      if (l === undefined) logs.set(ctx.canvas, (l = { texts: [], fills: [], strokes: [] }));
      return l;
    };
    const P = CanvasRenderingContext2D.prototype;
    const { fillText, clearRect, fill, stroke } = P;
    P.clearRect = function (x, y, w, h) {
      if (x <= 0 && y <= 0) logs.delete(this.canvas);
      return clearRect.call(this, x, y, w, h);
    };
    P.fillText = function (text, x, y, ...rest) {
      const t = this.getTransform();
      const k = this.canvas.width / (this.canvas.clientWidth || this.canvas.width);
      const w = this.measureText(text).width;
      const a = this.textAlign;
      const x0 = a === 'right' || a === 'end' ? x - w : a === 'center' ? x - w / 2 : x;
      log(this).texts.push({
        text: String(text),
        left: (t.a * x0 + t.c * y + t.e) / k,
        y: (t.b * x0 + t.d * y + t.f) / k,
        width: (w * t.a) / k,
      });
      return fillText.call(this, text, x, y, ...rest);
    };
    P.fill = function (...args) {
      log(this).fills.push(String(this.fillStyle));
      return fill.apply(this, args);
    };
    P.stroke = function (...args) {
      log(this).strokes.push(String(this.strokeStyle));
      return stroke.apply(this, args);
    };
  })()`);
}

/** What the canvas at the selector drew (see recordCanvases). */
export async function canvasDrawing(page: Page, selector: string): Promise<CanvasDrawing> {
  return page.$eval(selector, (c) => {
    const l = (
      window as unknown as { __canvasLog: (c: Element) => Omit<CanvasDrawing, 'width' | 'right'> }
    ).__canvasLog(c);
    const box = c.getBoundingClientRect();
    return { ...l, width: box.width, right: box.right };
  });
}
