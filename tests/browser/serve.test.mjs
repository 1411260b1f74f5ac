// `curricula serve` in a real browser: a saved module reloads the page, an
// error shows the overlay with file, line and hint while the last good page
// stays, and the fix removes the overlay without a manual reload.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CURRICULA_BIN, launchBrowser, startCurriculaServe, withPage, captureProblems } from './helpers.mjs';

const fixture = resolve(fileURLToPath(new URL('.', import.meta.url)), '../fixtures/valid');
const skip = CURRICULA_BIN ? false : 'CURRICULA_BIN is not set';

let browser;
let server;
before(async () => {
  if (skip) return;
  browser = await launchBrowser();
  server = await startCurriculaServe(fixture, ['site.yaml', 'content']);
});
after(async () => {
  await browser?.close();
  server?.stop();
});

test('saving a module reloads the page; an error shows the overlay until it is fixed', { skip }, async () => {
  await withPage(browser, {}, async (page) => {
    const problems = captureProblems(page);
    const file = join(server.root, 'content/alpha/modules/m1.md');
    const original = readFileSync(file, 'utf8');
    await page.goto(`${server.url}alpha/m1/`);
    assert.match(await page.locator('h1').innerText(), /Einführung/);
    // Give the event stream a moment to connect before the first save.
    await page.waitForTimeout(300);

    writeFileSync(file, original.replace('title: Einführung', 'title: Einstieg'));
    await page.waitForFunction(() => document.querySelector('h1')?.textContent.includes('Einstieg'), null, { timeout: 10000 });

    writeFileSync(file, original.replace('number: 1', 'numbr: 1'));
    const overlay = page.locator('#curricula-overlay');
    await overlay.waitFor({ state: 'visible', timeout: 10000 });
    const text = await overlay.innerText();
    assert.match(text, /content\/alpha\/modules\/m1\.md:2:1/, text);
    assert.match(text, /numbr/, text);
    assert.match(text, /Hinweis:/, text);
    assert.match(await page.locator('h1').innerText(), /Einstieg/, 'the last good page stays');

    writeFileSync(file, original.replace('title: Einführung', 'title: Wieder da'));
    await page.waitForFunction(() => document.querySelector('h1')?.textContent.includes('Wieder da'), null, { timeout: 10000 });
    assert.equal(await overlay.count(), 0, 'the overlay is gone after the fix');
    // A reload ends the page's open event stream; that is not a problem.
    const real = problems.filter((p) => !/__curricula\/events \(net::ERR_ABORTED\)/.test(p));
    assert.deepEqual(real, [], server.log());
  });
});
