// Search and copy-link work, over HTTP and from disk (file://).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SITE_DIR, assertNone, assertSite, captureProblems, launchBrowser, startServer, withPage } from './helpers.mjs';

describe('search and copy-link (bundled site)', () => {
  let browser, server;
  before(async () => {
    assertSite(SITE_DIR, 'SITE_DIR');
    browser = await launchBrowser();
    server = await startServer(SITE_DIR);
  });
  after(async () => {
    await server?.close();
    await browser?.close();
  });

  for (const [label, base] of [['http', () => server.url + '/suche/'], ['file://', () => pathToFileURL(join(SITE_DIR, 'suche', 'index.html')).href]]) {
    it(`search finds compounds by prefix and links to anchors (${label})`, async () => {
      await withPage(browser, {}, async (page) => {
        const problems = captureProblems(page);
        await page.goto(base());
        await page.waitForFunction(() => window.CURRICULA_SEARCH && window.curriculaSearch);
        // Keyboard only: focus the field by its label, type, press Enter.
        await page.getByLabel('Suchbegriff').fill('Netzwerk');
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => document.querySelectorAll('#search-results li').length > 0);
        // The typing timer must not rebuild the list after Enter showed it:
        // a click landing during the rebuild would be lost.
        await page.evaluate(() => { document.querySelector('#search-results a').dataset.kept = '1'; });
        await page.waitForTimeout(400);
        assert.ok(await page.evaluate(() => !!document.querySelector('#search-results a[data-kept]')), 'results are not rebuilt after Enter');
        const result = await page.evaluate(() => ({
          status: document.getElementById('search-status').textContent,
          groups: [...document.querySelectorAll('#search-results h2')].map((h) => h.textContent),
          hrefs: [...document.querySelectorAll('#search-results a')].map((a) => a.getAttribute('href')),
          texts: [...document.querySelectorAll('#search-results a')].map((a) => a.textContent),
        }));
        assert.match(result.status, /\d+ Treffer/);
        assert.ok(result.groups.some((g) => g.startsWith('KiT')) && result.groups.some((g) => g.startsWith('ErwU')), result.groups.join(', '));
        assert.ok(result.texts.some((t) => /Netzwerkarbeit/.test(t)), 'finds Netzwerkarbeit');
        assert.ok(result.hrefs.some((h) => /index\.html#[a-z]/.test(h)), 'links to exact anchors');
        // A result link leads to a page that has the anchor.
        const target = result.hrefs.find((h) => h.includes('#wissen-') || h.includes('#fertigkeiten-'));
        // Wait for the target URL itself: a bare waitForLoadState can resolve
        // on the search page before the navigation has even started.
        const expected = new URL(target, page.url()).href;
        await Promise.all([
          page.waitForURL((url) => url.href === expected, { waitUntil: 'load' }),
          page.click(`#search-results a[href="${target}"]`),
        ]);
        const id = decodeURIComponent(new URL(page.url()).hash.slice(1));
        assert.ok(await page.evaluate((i) => !!document.getElementById(i), id), `anchor ${id} exists`);
        assertNone(problems, 'problems');
      });
    });
  }

  it('copy-link copies the item URL and citation', async () => {
    await withPage(browser, { permissions: ['clipboard-read', 'clipboard-write'] }, async (page) => {
      const problems = captureProblems(page);
      await page.goto(server.url + '/kit/m3/');
      const button = page.locator('#wissen-reha-teilhabeplanung button.copy');
      await button.focus();
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.querySelector('#wissen-reha-teilhabeplanung button.copy').textContent === 'Link kopiert');
      const text = await page.evaluate(() => navigator.clipboard.readText());
      assert.match(text, /KiT, 1\. Auflage, März 2021, Modul 3, Wissen, Nr\. 3/);
      assert.match(text, /\/kit\/m3\/#wissen-reha-teilhabeplanung$/);
      assertNone(problems, 'problems');
    });
  });
});
