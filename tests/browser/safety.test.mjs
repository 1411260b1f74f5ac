// The hostile fixture (script payloads in every text field): loading every
// page runs no injected script and opens no dialog.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { allPages, launchBrowser, startServer, withPage } from './helpers.mjs';

const HOSTILE = process.env.HOSTILE_SITE_DIR;

describe('hostile site', { skip: !HOSTILE && 'HOSTILE_SITE_DIR is not set' }, () => {
  let browser, server;
  before(async () => {
    assert.ok(existsSync(join(HOSTILE, 'index.html')), `no site in ${HOSTILE}`);
    browser = await launchBrowser();
    server = await startServer(HOSTILE);
  });
  after(async () => {
    await server?.close();
    await browser?.close();
  });

  it('no page runs a payload or opens a dialog', async () => {
    const pages = allPages(HOSTILE);
    assert.ok(pages.length > 20, `${pages.length} pages`);
    const fired = [];
    await withPage(browser, {}, async (page) => {
      page.on('dialog', async (d) => {
        fired.push(`${page.url()}: dialog "${d.message()}"`);
        await d.dismiss();
      });
      // Any alert/confirm/prompt call is recorded even if a dialog would be suppressed.
      await page.addInitScript(() => {
        for (const f of ['alert', 'confirm', 'prompt']) {
          window[f] = (m) => { (window.__fired ||= []).push(`${f}(${m})`); };
        }
      });
      for (const path of pages) {
        await page.goto(server.url + path);
        await page.waitForLoadState('load');
        // Hover and focus everything: event-handler payloads would fire now.
        await page.evaluate(() => {
          for (const el of document.querySelectorAll('body *')) {
            el.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
            el.dispatchEvent(new Event('focus'));
          }
        });
        const calls = await page.evaluate(() => window.__fired || []);
        for (const c of calls) fired.push(`${path}: ${c}`);
      }
    });
    assert.deepEqual(fired, [], fired.join('\n'));
  });
});
