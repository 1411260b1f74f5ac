// Takes the screenshots in docs/screenshots/ (not a test):
//   SITE_DIR=/tmp/site-bundled node tests/browser/screenshots.mjs
import { join, resolve } from 'node:path';
import { launchBrowser, startServer } from './helpers.mjs';

const out = resolve(import.meta.dirname, '../../docs/screenshots');
const pages = [
  ['home', '/'],
  ['curriculum', '/kit/'],
  ['module', '/kit/m3/'],
  ['comparison', '/compare/kit-erwu/'],
  ['pair', '/compare/kit-erwu/m4-m7_m3/'],
  ['search', '/suche/?q=Netzwerk'],
];
const server = await startServer(resolve(process.env.SITE_DIR));
const browser = await launchBrowser();
for (const [width, label] of [[1280, 'desktop'], [375, 'mobile']]) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  for (const [name, path] of pages) {
    await page.goto(server.url + path);
    await page.waitForLoadState('load');
    if (name === 'search') await page.waitForSelector('#search-results li');
    await page.screenshot({ path: join(out, `${name}-${label}.png`), fullPage: false });
  }
  await context.close();
}
await browser.close();
await server.close();
console.log(`screenshots written to ${out}`);
