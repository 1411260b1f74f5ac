// 5. Headings on every HTML page of both sites: exactly one h1, and no
//    skipped levels going down (h2 followed by h4 is wrong; h4 followed by
//    h2 is fine). Checked on the live DOM, so script-inserted headings count.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allPages, assertNone, assertSite, launchBrowser, sites, startServer } from './helpers.mjs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

function headings() {
  return [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) => {
    let path = h.localName;
    if (h.id) path += '#' + h.id;
    const anc = h.closest('[id]');
    return {
      level: Number(h.localName[1]),
      text: (h.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 70),
      where: (anc && anc !== h ? `#${anc.id} ` : '') + path,
    };
  });
}

function headingProblems(hs) {
  const problems = [];
  const h1s = hs.filter((h) => h.level === 1);
  if (h1s.length !== 1) {
    problems.push(`${h1s.length} h1 elements (expected exactly 1)${h1s.length ? ': ' + h1s.map((h) => JSON.stringify(h.text)).join(', ') : ''}`);
  }
  for (let i = 1; i < hs.length; i++) {
    const prev = hs[i - 1];
    const cur = hs[i];
    if (cur.level > prev.level + 1) {
      problems.push(
        `skipped level: h${prev.level} ${JSON.stringify(prev.text)} → h${cur.level} ${JSON.stringify(cur.text)} (${cur.where})`,
      );
    }
  }
  return problems;
}

for (const site of sites()) {
  // The page list is read from the built folder at load time.
  const pages = site.dir && existsSync(join(site.dir, 'index.html'))
    ? allPages(site.dir)
    : site.pages.map((p) => p.path);

  describe(`headings: ${site.label} (${pages.length} pages)`, { skip: site.skip }, () => {
    let server, browser, context, page;

    // One page, navigated from URL to URL (no interaction, so reusing it is safe).
    before(async () => {
      assertSite(site.dir, site.env);
      server = await startServer(site.dir);
      browser = await launchBrowser();
      context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      page = await context.newPage();
    });

    after(async () => {
      await context?.close();
      await browser?.close();
      await server?.close();
    });

    for (const path of pages) {
      it(`${path}: one h1, no skipped levels`, async () => {
        const res = await page.goto(server.url + path, { waitUntil: 'load' });
        assert.equal(res?.status(), 200, `${path}: HTTP ${res?.status()}`);
        const hs = await page.evaluate(headings);
        assertNone(
          headingProblems(hs),
          `${site.label} ${path} (outline: ${hs.map((h) => 'h' + h.level).join(' ') || 'no headings'}):`,
        );
      });
    }
  });
}
