// Save-to-updated-file latency of `curricula serve` on any site (a benchmark,
// not a test, and no browser): edits a module's title again and again and
// measures, from just before the write, until the module's page on disk shows
// the new title. Between saves it waits until serve has finished the whole
// rebuild (its log says so), so that every save starts from an idle server.
//
//   cargo build --release
//   node benches/save.mjs [binary] [site root] [module file] [page] [runs]
//
// Defaults: target/release/curricula, a copy of the bundled site,
// content/kit/modules/m3.md, kit/m3/index.html, 15 runs. For the synthetic
// sites of `curricula bench`: node benches/save.mjs target/release/curricula
// /dev/shm/curricula-bench/site-10000 content/c0/modules/m1.md c0/m1/index.html 5

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const [bin = join(repo, 'target/release/curricula'), given, moduleFile = 'content/kit/modules/m3.md',
  page = 'kit/m3/index.html', runsArg = '15'] = process.argv.slice(2);
const runs = Number(runsArg);
const work = mkdtempSync(join(tmpdir(), 'curricula-save-'));
let root = given;
if (!root) {
  root = join(work, 'site');
  for (const p of ['site.yaml', 'content']) cpSync(join(repo, p), join(root, p), { recursive: true });
}
const out = join(work, 'out');
const child = spawn(resolve(bin), ['serve', '--root', root, '--output', out, '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
let log = '';
child.stderr.on('data', (d) => { log += d; });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const waitFor = async (re, from, limit) => {
  const t0 = performance.now();
  while (!re.test(log.slice(from))) {
    if (performance.now() - t0 > limit) throw new Error(`serve did not log ${re} within ${limit} ms:\n${log}`);
    await sleep(5);
  }
};
const file = join(root, moduleFile);
const original = readFileSync(file, 'utf8');
try {
  await waitFor(/serving /, 0, 30 * 60 * 1000);
  const written = [];
  for (let i = 0; i < runs; i++) {
    const title = `Gespeichert ${i}`;
    const mark = log.length;
    const t0 = performance.now();
    writeFileSync(file, original.replace(/^title: .*$/m, `title: "${title}"`));
    while (!readFileSync(join(out, page), 'utf8').includes(title)) {
      if (performance.now() - t0 > 60000) throw new Error(`the page was not written within 60 s; serve said:\n${log}`);
      await sleep(1);
    }
    written.push(performance.now() - t0);
    await waitFor(/rebuilt what depends .* in /, mark, 10 * 60 * 1000);
  }
  written.sort((a, b) => a - b);
  const ms = (x) => `${x.toFixed(0)} ms`;
  const whole = [...log.matchAll(/rebuilt what depends .* in ([\d.]+)(ms|µs|s)/g)]
    .map((m) => (m[2] === 's' ? m[1] * 1000 : m[2] === 'µs' ? m[1] / 1000 : Number(m[1])))
    .sort((a, b) => a - b);
  console.log(`save → ${page} updated on disk (${runs} saves): median ${ms(written[written.length >> 1])}, min ${ms(written[0])}, max ${ms(written[written.length - 1])}`);
  console.log(`  the whole rebuild after each save (serve's log): median ${ms(whole[whole.length >> 1])}`);
} finally {
  writeFileSync(file, original);
  child.kill();
  rmSync(work, { recursive: true, force: true });
}
