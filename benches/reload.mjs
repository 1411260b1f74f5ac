// Save-to-reload latency of `curricula serve` in Chromium (a benchmark, not a
// test): saves a module of the bundled site again and again and measures, from
// just before the write, until the reloaded page shows the new title.
//
//   cargo build --release
//   node benches/reload.mjs [target/release/curricula] [runs]
//
// Uses the browser test dependencies (tests/browser: npm ci) and /usr/bin/chromium.

import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
process.env.CURRICULA_BIN = resolve(process.argv[2] || join(repo, 'target/release/curricula'));
const runs = Number(process.argv[3] || 15);
const { launchBrowser, startCurriculaServe } = await import(join(repo, 'tests/browser/helpers.mjs'));

const server = await startCurriculaServe(repo, ['site.yaml', 'content']);
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  const file = join(server.root, 'content/kit/modules/m3.md');
  const original = readFileSync(file, 'utf8');
  await page.goto(`${server.url}kit/m3/`);
  await page.waitForTimeout(500);
  const times = [];
  const before = [];
  const reload = [];
  for (let i = 0; i < runs; i++) {
    const title = `Fassung ${i}`;
    const epoch0 = Date.now();
    const t0 = performance.now();
    writeFileSync(file, original.replace(/^title: .*$/m, `title: "${title}"`));
    await page.waitForFunction((t) => document.querySelector('h1')?.textContent.includes(t), title, {
      polling: 'raf',
      timeout: 10000,
    });
    times.push(performance.now() - t0);
    // The reloaded page's time origin is when location.reload() started it.
    // Its navigation entry says when the new page was loaded (styles and scripts too).
    await page.waitForLoadState('load');
    const [origin, loaded] = await page.evaluate(() => [
      performance.timeOrigin,
      performance.getEntriesByType('navigation')[0].loadEventEnd,
    ]);
    before.push(origin - epoch0);
    reload.push(loaded);
    await page.waitForTimeout(200);
  }
  // Save → the module's page on disk has the new title, without a browser
  // (the file is polled every millisecond or so, which adds up to ~1 ms).
  const written = [];
  const out = join(server.root, 'public/kit/m3/index.html');
  for (let i = 0; i < runs; i++) {
    const title = `Datei ${i}`;
    const t0 = performance.now();
    writeFileSync(file, original.replace(/^title: .*$/m, `title: "${title}"`));
    while (!readFileSync(out, 'utf8').includes(title)) {
      if (performance.now() - t0 > 10000) throw new Error('the page was not written within 10 s');
      await new Promise((r) => setTimeout(r, 1));
    }
    written.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 300));
  }
  for (const v of [times, before, reload, written]) v.sort((a, b) => a - b);
  const ms = (x) => `${x.toFixed(0)} ms`;
  const median = (v) => ms(v[v.length >> 1]);
  console.log(`save → reloaded page (bundled site, kit/m3, ${runs} saves): median ${ms(times[times.length >> 1])}, min ${ms(times[0])}, max ${ms(times[times.length - 1])}`);
  const logged = (re) => [...server.log().matchAll(re)].map((m) =>
    m[2] === 's' ? m[1] * 1000 : m[2] === 'µs' ? m[1] / 1000 : Number(m[1])).sort((a, b) => a - b);
  const ahead = logged(/rebuilt the edited module's page in ([\d.]+)(ms|µs|s)/g);
  const rebuilds = logged(/rebuilt what depends .* in ([\d.]+)(ms|µs|s)/g);
  console.log(`  save → module page updated on disk (no browser): median ${median(written)}, min ${ms(written[0])}, max ${ms(written[written.length - 1])}`);
  if (ahead.length) console.log(`    of which writing the page ahead of the rest (serve's log): median ${median(ahead)}`);
  if (rebuilds.length) console.log(`    the whole rebuild (serve's log): median ${median(rebuilds)}`);
  console.log(`  save → reload starts (watch, page ahead, event): median ${median(before)}`);
  console.log(`  reload starts → new page loaded (browser, styles and scripts included): median ${median(reload)}`);
} finally {
  await browser.close();
  server.stop();
}
