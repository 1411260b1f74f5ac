// 3. Keyboard use of a module page: the first Tab focuses the skip link
//    ("Zum Inhalt springen"), Enter moves focus to <main id="main">, and
//    tabbing from the top reaches every link of the main navigation. Every
//    element focused by Tab shows a focus indicator (computed outline-style
//    is not 'none').

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertNone,
  serveSite,
  sites,
  withPage,
} from './helpers.mjs';

const SKIP_TEXT = 'Zum Inhalt springen';
const MAX_TABS = 40;
// The main navigation: the labelled nav of the site header.
const MAIN_NAV_LINKS = 'nav[aria-label="Hauptnavigation"] a[href]';

/** Runs in the page: a description of document.activeElement. */
function focused() {
  const el = document.activeElement;
  if (!el || el === document.body) return { tag: el ? 'body' : null };
  const cs = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  return {
    tag: el.localName,
    id: el.id || null,
    cls: el.className || null,
    text: (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 80),
    href: el.getAttribute('href'),
    outlineStyle: cs.outlineStyle,
    outlineWidth: cs.outlineWidth,
    inMain: !!el.closest('main'),
    inMainNav: !!el.closest('nav[aria-label="Hauptnavigation"]'),
    onScreen: r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 &&
      r.left < window.innerWidth && r.top < window.innerHeight,
    hash: location.hash,
  };
}

const VIEWPORT = { viewport: { width: 1280, height: 900 } };

function assertSkipLink(f) {
  assert.equal(f.tag, 'a', `first Tab focused ${label(f)}, expected the skip link "${SKIP_TEXT}"`);
  assert.equal(f.text, SKIP_TEXT, `first Tab focused ${label(f)}, expected the skip link "${SKIP_TEXT}"`);
  assert.equal(f.href, '#main', `skip link points to ${f.href}, expected #main`);
  assert.notEqual(f.outlineStyle, 'none', 'focused skip link has no outline (outline-style: none)');
  assert.ok(f.onScreen, `focused skip link is not on screen: ${label(f)}`);
}

const label = (f) => `<${f.tag}${f.id ? '#' + f.id : ''}${f.cls ? ' class="' + f.cls + '"' : ''}${f.href ? ' href="' + f.href + '"' : ''}> "${f.text ?? ''}"`;

for (const site of sites()) {
  const modules = site.typicalPages.filter((p) => p.name.startsWith('module'));
  describe(`keyboard: ${site.label}`, { skip: site.skip }, () => {
    const env = serveSite(site);

    for (const p of modules) {
      describe(`${p.name} ${p.path}`, () => {
        // Each test gets a fresh context and page, loaded at the module page.
        const onModulePage = (fn) =>
          withPage(env.browser, VIEWPORT, async (page) => {
            const res = await page.goto(env.server.url + p.path, { waitUntil: 'load' });
            assert.equal(res?.status(), 200, `${p.path}: HTTP ${res?.status()}`);
            return fn(page);
          });

        it('first Tab focuses the visible skip link', () =>
          onModulePage(async (page) => {
            await page.keyboard.press('Tab');
            const f = await page.evaluate(focused);
            assertSkipLink(f);
          }));

        it('Enter on the skip link moves focus to main#main, next Tab stays in main', () =>
          onModulePage(async (page) => {
            await page.keyboard.press('Tab');
            assertSkipLink(await page.evaluate(focused));
            await page.keyboard.press('Enter');
            const f = await page.evaluate(focused);
            assert.equal(f.tag, 'main', `after Enter focus is on ${label(f)}, expected <main id="main">`);
            assert.equal(f.id, 'main', `after Enter focus is on ${label(f)}, expected <main id="main">`);
            assert.equal(f.hash, '#main');
            await page.keyboard.press('Tab');
            const g = await page.evaluate(focused);
            assert.ok(g.inMain, `Tab after skipping focused ${label(g)}, which is outside main`);
            assert.notEqual(g.outlineStyle, 'none', `${label(g)} has no focus outline`);
          }));

        it('Tab from the top reaches every main navigation link, each with a visible focus', () =>
          onModulePage(async (page) => {
            const navLinks = await page.$$eval(MAIN_NAV_LINKS, (as) => as.map((a) => a.getAttribute('href')));
            assert.ok(navLinks.length > 0, `no main navigation links (${MAIN_NAV_LINKS})`);
            const reached = [];
            const noOutline = [];
            for (let i = 0; i < MAX_TABS && reached.length < navLinks.length; i++) {
              await page.keyboard.press('Tab');
              const f = await page.evaluate(focused);
              if (f.tag !== 'body' && f.outlineStyle === 'none') noOutline.push(label(f));
              if (f.inMainNav) reached.push(f.href);
              if (f.inMain) break; // past the header: the navigation should be done by now
            }
            assert.deepEqual(
              reached,
              navLinks,
              `Tab reached main navigation links ${JSON.stringify(reached)}, expected ${JSON.stringify(navLinks)}`,
            );
            assertNone(noOutline, 'focused by Tab without a visible outline (outline-style: none):');
          }));
      });
    }
  });
}
