// Contrast in the dark colour scheme: axe on the typical pages of the bundled
// site with `prefers-color-scheme: dark` (the light scheme is a11y.test.mjs).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BUNDLED_PAGES, SITE_DIR, assertSite, formatViolations, launchBrowser, runAxe, startServer, withPage } from './helpers.mjs';

describe('accessibility in the dark colour scheme', () => {
  let server, browser;
  before(async () => {
    assertSite(SITE_DIR, 'SITE_DIR');
    server = await startServer(SITE_DIR);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const p of BUNDLED_PAGES) {
    it(`${p.name} ${p.path}: no axe violations`, async () => {
      await withPage(browser, { viewport: { width: 1280, height: 900 }, colorScheme: 'dark' }, async (page) => {
        await page.goto(server.url + p.path, { waitUntil: 'load' });
        assert.equal(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches), true);
        const { violations } = await runAxe(page);
        if (violations.length) assert.fail(formatViolations(`dark ${p.path}`, violations));
      });
    });
  }
});
