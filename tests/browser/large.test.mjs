// 8. A large site (the benchmark's synthetic corpus beyond the header's limit
//    of curricula, LARGE_SITE_DIR): its site-wide A–Z lists are split into a
//    page per initial letter. The overview keeps the letters' old anchors and
//    links to every letter's page; each letter page is accessible, marks its
//    own letter, lists one section, and the letters' counts add up to the
//    overview's. Each curriculum's methods matrix has a page of its own, linked
//    from the methods page under the anchor the matrix had there.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  assertNone,
  captureProblems,
  formatViolations,
  launchBrowser,
  runAxe,
  startServer,
  withPage,
} from './helpers.mjs';

const LARGE = process.env.LARGE_SITE_DIR;
const VIEWPORT = { viewport: { width: 1280, height: 900 } };

/** Runs in the page: what the tests read of an A–Z page. */
function facts() {
  const count = (re) => Number((document.querySelector('main p')?.textContent.match(re) || [])[1]);
  const letters = [...document.querySelectorAll('nav.az a')].map((a) => ({
    letter: a.textContent.trim(),
    href: a.href,
    current: a.getAttribute('aria-current'),
    id: a.parentElement.id || null,
  }));
  const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) => Number(h.tagName[1]));
  return {
    h1: document.querySelector('h1')?.textContent.trim(),
    matrices: [...document.querySelectorAll('ul.matrix-pages a')].map((a) => ({
      label: a.textContent.trim(),
      href: a.href,
      id: a.parentElement.id,
    })),
    rows: document.querySelectorAll('table.matrix-check tbody tr').length,
    caption: document.querySelector('table.matrix-check caption')?.textContent.trim(),
    occurrences: count(/(\d+) Vorkommen/),
    sections: [...document.querySelectorAll('main section h2')].map((h) => [h.id, h.textContent.trim()]),
    entries: document.querySelectorAll('dl.index dt').length,
    letters,
    skipped: headings.some((level, i) => i > 0 && level > headings[i - 1] + 1),
  };
}

describe('large site: A–Z lists split by letter', { skip: !LARGE && 'LARGE_SITE_DIR is not set' }, () => {
  let server, browser;

  before(async () => {
    assert.ok(existsSync(join(LARGE, 'index.html')), `no site in ${LARGE}`);
    server = await startServer(LARGE);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Loads `url`, returns its facts, problems and (with `axe`) axe's result. */
  const visit = (url, axe = true) =>
    withPage(browser, VIEWPORT, async (page) => {
      const problems = captureProblems(page);
      const res = await page.goto(url, { waitUntil: 'load' });
      const seen = await page.evaluate(facts);
      return { status: res?.status(), facts: seen, axe: axe ? await runAxe(page) : null, problems };
    });

  const checkPage = (label, seen) => {
    assert.equal(seen.status, 200, `${label}: HTTP ${seen.status}`);
    assertNone(seen.problems, `${label}: console errors / failed loads:`);
    if (seen.axe?.violations.length) assert.fail(formatViolations(label, seen.axe.violations));
    assert.ok(!seen.facts.skipped, `${label}: a heading level is skipped`);
  };

  for (const list of ['/kompetenzen/', '/kompetenzen/wissen/', '/methoden/']) {
    it(`${list}: the overview links to a page per letter, whose counts add up`, async () => {
      const overview = await visit(server.url + list);
      checkPage(list, overview);
      const { letters } = overview.facts;
      assert.ok(letters.length >= 3, `${list}: letters ${JSON.stringify(letters)}`);
      assert.equal(overview.facts.entries, 0, `${list}: the overview lists no entries`);
      let sum = 0;
      for (const [i, l] of letters.entries()) {
        // The anchor the letter's section had on the whole list stays.
        const slug = l.letter === '#' ? '0' : l.letter.toLowerCase();
        assert.equal(l.id, `buchstabe-${slug}`, `${list}: anchor of ${l.letter}`);
        assert.ok(l.href.endsWith(`${list}buchstabe-${slug}/index.html`), l.href);
        // axe on the first letter's page (the pages differ only in their entries).
        const page = await visit(l.href, i === 0);
        checkPage(l.href, page);
        const f = page.facts;
        assert.deepEqual(f.sections, [[`buchstabe-${slug}`, l.letter]], `${l.href}: one section, its letter`);
        assert.ok(f.entries > 0 && f.h1.endsWith(`– ${l.letter}`), `${l.href}: ${f.entries} entries, h1 ${f.h1}`);
        const current = f.letters.filter((x) => x.current);
        assert.deepEqual(current.map((x) => [x.letter, x.current, x.href]), [[l.letter, 'page', l.href]]);
        assert.deepEqual(f.letters.map((x) => x.letter), letters.map((x) => x.letter), `${l.href}: every letter`);
        sum += f.occurrences;
      }
      if (list !== '/methoden/') {
        assert.equal(sum, overview.facts.occurrences, `${list}: the letters' occurrences add up to the overview's`);
      }
    });
  }

  it("/methoden/: each curriculum's matrix is on a page of its own", async () => {
    const overview = await visit(server.url + '/methoden/', false);
    const { matrices } = overview.facts;
    assert.ok(matrices.length > 12, `matrices ${matrices.length}`);
    assert.equal(overview.facts.rows, 0, 'no matrix on the overview');
    for (const [i, m] of matrices.entries()) {
      assert.equal(m.id, `matrix-${i + 1}`, `${m.label}: the matrix's old anchor`);
      // axe on the first (the pages differ only in their rows).
      const page = await visit(m.href, i === 0);
      checkPage(m.href, page);
      const f = page.facts;
      assert.equal(f.h1, `Lernmethoden je Modul: ${m.label}`);
      assert.equal(f.caption, f.h1);
      assert.ok(f.rows > 0, `${m.href}: ${f.rows} rows`);
    }
  });
});
