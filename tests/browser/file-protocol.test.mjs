// 4. The built site works from disk: open index.html via file://, click
//    through to a curriculum and one of its modules by the links (which end
//    in index.html), and the stylesheet applies on every page visited
//    (computed font-family of body is not the browser default).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { assertNone, assertSite, captureProblems, launchBrowser, sites } from './helpers.mjs';

// What to click on each site: the curriculum folder and a module of it.
const ROUTES = {
  bundled: { curriculum: 'kit', module: 'm3' },
  fixture: { curriculum: 'alpha', module: 'm1' },
};

/** Runs in the page: facts about styles and links. */
function inspect() {
  const rel = [...document.querySelectorAll('a[href]')]
    .map((a) => a.getAttribute('href'))
    .filter((h) => !/^(#|[a-z][a-z0-9+.-]*:|\/\/)/i.test(h)); // relative links only
  return {
    title: document.title,
    h1: document.querySelector('h1')?.textContent.trim() ?? null,
    fontFamily: getComputedStyle(document.body).fontFamily,
    // links that would open a folder listing (or nothing) from disk
    badLinks: rel.filter((h) => !/(^|\/)index\.html(#.*)?$/.test(h) && !/\.(html|csv|json|css|svg|png|jpe?g|pdf)(#.*)?$/.test(h)),
    rootAbsolute: [...document.querySelectorAll('a[href^="/"]:not([href^="//"])')].map((a) => a.getAttribute('href')),
  };
}

for (const site of sites()) {
  describe(`file://: ${site.label}`, { skip: site.skip }, () => {
    let browser, context, page, problems, defaultFont;
    const route = ROUTES[site.key];

    before(async () => {
      assertSite(site.dir, site.env);
      browser = await launchBrowser();
      context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      page = await context.newPage();
      // The browser's own default font, to tell "stylesheet applied" from "not".
      await page.setContent('<!DOCTYPE html><html><body><p>x</p></body></html>');
      defaultFont = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
      problems = captureProblems(page);
    });

    after(async () => {
      await context?.close();
      await browser?.close();
    });

    const checkPage = async (what, expectedSuffix) => {
      const url = page.url();
      assert.ok(url.startsWith('file://'), `${what}: left file:// (${url})`);
      assert.ok(url.endsWith(expectedSuffix), `${what}: at ${url}, expected …${expectedSuffix}`);
      const info = await page.evaluate(inspect);
      assert.ok(info.h1, `${what} (${url}): no h1 rendered – page did not load?`);
      assert.ok(
        !/times new roman/i.test(info.fontFamily) && info.fontFamily !== defaultFont,
        `${what} (${url}): stylesheet not applied, body font-family is ${info.fontFamily} ` +
          `(browser default ${defaultFont})`,
      );
      assertNone(info.rootAbsolute, `${what} (${url}): root-absolute links, which break from disk:`);
      assertNone(info.badLinks, `${what} (${url}): relative links not ending in index.html:`);
    };

    it('home → curriculum → module by clicking, styled throughout, no console errors', async () => {
      assert.ok(defaultFont, 'could not determine the browser default font');
      const home = pathToFileURL(join(site.dir, 'index.html')).href;
      await page.goto(home, { waitUntil: 'load' });
      await checkPage('home page', '/index.html');

      const toCurriculum = page.locator(`main a[href="${route.curriculum}/index.html"]`).first();
      assert.equal(
        await toCurriculum.count(),
        1,
        `home page: no link main a[href="${route.curriculum}/index.html"]`,
      );
      await Promise.all([page.waitForURL(`**/${route.curriculum}/index.html`), toCurriculum.click()]);
      await checkPage('curriculum page', `/${route.curriculum}/index.html`);

      const toModule = page
        .locator(`main a[href$="${route.module}/index.html"]`)
        .first();
      assert.equal(
        await toModule.count(),
        1,
        `curriculum page: no link to module ${route.module} (main a[href$="${route.module}/index.html"])`,
      );
      await Promise.all([
        page.waitForURL(`**/${route.curriculum}/${route.module}/index.html`),
        toModule.click(),
      ]);
      await checkPage('module page', `/${route.curriculum}/${route.module}/index.html`);

      assertNone(problems, 'console errors / failed loads via file://:');
    });
  });
}
