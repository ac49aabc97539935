// The webview test harness itself: which Chromium it drives, and the theme variables it puts on
// the page the way VS Code does.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { chromiumPath, launchChromium, openWebview } from './harness.js';

describe('webview harness', () => {
  it('drives the Chromium that CAIRN_CHROMIUM names, and Debian’s where it is unset', () => {
    assert.equal(chromiumPath({}), '/usr/bin/chromium');
    assert.equal(chromiumPath({ CAIRN_CHROMIUM: '' }), '/usr/bin/chromium');
    assert.equal(chromiumPath({ CAIRN_CHROMIUM: '/opt/chromium/chrome' }), '/opt/chromium/chrome');
    // A real launch in a child process, with the variable pointing nowhere: it must say so, and
    // not quietly run Debian's Chromium instead.
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        "require('./test/webview/harness.ts').launchChromium().then((b) => { console.log('launched'); return b.close(); });",
      ],
      { env: { ...process.env, CAIRN_CHROMIUM: '/nonexistent/chromium' }, encoding: 'utf8' },
    );
    assert.notEqual(child.status, 0, child.stdout);
    assert.doesNotMatch(child.stdout, /launched/);
    assert.match(
      child.stderr,
      /Chromium is not at \/nonexistent\/chromium: install Debian's chromium \(scripts\/setup\.sh\) or set CAIRN_CHROMIUM/,
    );
  });

  describe('themes', () => {
    let browser: Browser;
    before(async () => {
      browser = await launchChromium();
    });
    after(async () => {
      await browser.close();
    });

    it('sets each theme’s variables on the page, the contrast borders only in high contrast', async () => {
      const read = async (theme: 'light' | 'dark' | 'high-contrast'): Promise<string[]> => {
        const w = await openWebview(browser, 'profile', { theme });
        const values = await w.page.evaluate(() => {
          const style = getComputedStyle(document.documentElement);
          return [
            '--vscode-foreground',
            '--vscode-editor-background',
            '--vscode-font-size',
            '--vscode-contrastBorder',
          ].map((name) => style.getPropertyValue(name).trim());
        });
        await w.close();
        return values;
      };
      assert.deepEqual(await read('light'), ['#3b3b3b', '#ffffff', '13px', '']);
      assert.deepEqual(await read('dark'), ['#cccccc', '#1f1f1f', '13px', '']);
      assert.deepEqual(await read('high-contrast'), ['#ffffff', '#000000', '13px', '#6fc3df']);
    });
  });
});
