import { after, before } from 'node:test';
// Shared helpers for the browser tests: site locations, a tiny static HTTP
// server, the browser launch, console capture and axe-core.
//
// Not a test file itself (node --test only picks up *.test.mjs here).

import { createServer } from 'node:http';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const here = fileURLToPath(new URL('.', import.meta.url));
const require = createRequire(import.meta.url);

// ---------------------------------------------------------------- sites

// Paths given in the environment are taken relative to the working folder;
// the default is relative to this folder.

/** The bundled site (content/ of the repository). */
export const SITE_DIR = process.env.SITE_DIR
  ? resolve(process.env.SITE_DIR)
  : resolve(here, '../../public');

/** The site built from tests/fixtures/valid; null when FIXTURE_SITE_DIR is unset. */
export const FIXTURE_SITE_DIR = process.env.FIXTURE_SITE_DIR
  ? resolve(process.env.FIXTURE_SITE_DIR)
  : null;

const BUILD_HINT =
  'build it first, e.g. `cd /work/main && cargo build --release && ' +
  './target/release/curricula build --output /tmp/site-bundled && ' +
  './target/release/curricula build --root tests/fixtures/valid --output /tmp/site-fixture`, ' +
  'then SITE_DIR=/tmp/site-bundled FIXTURE_SITE_DIR=/tmp/site-fixture ./run.sh';

/** Throws a readable error when a site folder is missing or not built. */
export function assertSite(dir, envName) {
  if (!existsSync(join(dir, 'index.html'))) {
    throw new Error(`${envName}=${dir} has no index.html; ${BUILD_HINT}`);
  }
}

/** Skip reason for fixture tests when FIXTURE_SITE_DIR is unset (false otherwise). */
export const FIXTURE_SKIP = FIXTURE_SITE_DIR
  ? false
  : `FIXTURE_SITE_DIR is not set; ${BUILD_HINT}`;

/** The page types the suite visits, by site. Paths are URL paths on the test server. */
export const BUNDLED_PAGES = [
  { name: 'home', path: '/' },
  { name: 'curriculum', path: '/kit/' },
  { name: 'module (KiT)', path: '/kit/m3/' },
  { name: 'module (ErwU)', path: '/erwu/m2/' },
  { name: 'chapter', path: '/kit/grundlagen/' },
  { name: 'comparison overview', path: '/compare/kit-erwu/' },
  { name: 'comparison pair', path: '/compare/kit-erwu/m4-m7_m3/' },
  { name: 'comparison print view', path: '/compare/kit-erwu/print/' },
  { name: '404 page', path: '/404.html' },
  { name: 'curriculum print view', path: '/kit/print/' },
  { name: 'source view', path: '/kit/m3/quelltext/' },
  { name: 'competency index', path: '/kompetenzen/wissen/' },
  { name: 'learning methods', path: '/methoden/' },
  { name: 'phases', path: '/phasen/' },
  { name: 'fields of action', path: '/handlungsfelder/' },
  { name: 'glossary', path: '/glossar/' },
  { name: 'search', path: '/suche/' },
  { name: 'Leichte Sprache', path: '/leichte-sprache/' },
  { name: 'accessibility statement', path: '/barrierefreiheit/' },
];

export const FIXTURE_PAGES = [
  { name: 'home', path: '/' },
  { name: 'curriculum', path: '/alpha/' },
  { name: 'module', path: '/alpha/m1/' },
  { name: 'chapter', path: '/alpha/intro/' },
  { name: 'comparison overview', path: '/compare/alpha-beta/' },
];

/** Every HTML file of a built site, as URL paths (`/x/` for `x/index.html`). */
export function allPages(dir) {
  const out = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.html')) {
        const rel = relative(dir, p).split(sep).join('/');
        out.push('/' + (rel === 'index.html' ? '' : rel.replace(/(^|\/)index\.html$/, '$1')));
      }
    }
  };
  walk(dir);
  return out;
}

// ---------------------------------------------------------------- server

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
};

/**
 * Serves `root` on 127.0.0.1 at a random port. `/x/` maps to `/x/index.html`,
 * `/x` (a folder) redirects to `/x/`, anything else missing is a 404 with the
 * site's 404.html as body. Resolves to { url, close() }.
 */
export async function startServer(root) {
  const server = createServer((req, res) => {
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    } catch {
      res.writeHead(400).end('bad request');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    let file = resolve(root, '.' + pathname);
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    let st = statSafe(file);
    if (st && st.isDirectory()) {
      if (!pathname.endsWith('/')) {
        res.writeHead(301, { Location: pathname + '/' }).end();
        return;
      }
      file = join(file, 'index.html');
      st = statSafe(file);
    }
    if (!st || !st.isFile()) {
      const notFound = join(root, '404.html');
      res.writeHead(404, { 'Content-Type': TYPES['.html'] });
      if (req.method === 'HEAD' || !existsSync(notFound)) res.end();
      else createReadStream(notFound).pipe(res);
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file).toLowerCase()] || 'application/octet-stream',
      'Content-Length': st.size,
      'Cache-Control': 'no-store',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections?.();
        server.close(() => ok());
      }),
  };
}

function statSafe(p) {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- browser

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Records console errors, uncaught page errors, failed requests and HTTP
 * errors of sub-resources on `page`. Returns the (live) list of messages.
 */
export function captureProblems(page) {
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const loc = msg.location();
      problems.push(`console.error: ${msg.text()}${loc && loc.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  page.on('requestfailed', (req) =>
    problems.push(`request failed: ${req.url()} (${req.failure()?.errorText})`),
  );
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return problems;
}

// ---------------------------------------------------------------- axe

export const AXE_PATH = require.resolve('axe-core/axe.min.js');
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Runs axe-core on the loaded page; returns { violations, incomplete }. */
export async function runAxe(page) {
  await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations', 'incomplete'],
    });
    const slim = (list) =>
      list.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({
          target: n.target.join(' '),
          html: n.html,
          summary: n.failureSummary,
        })),
      }));
    return { violations: slim(r.violations), incomplete: slim(r.incomplete) };
  }, AXE_TAGS);
}

/**
 * Human-readable listing of axe results: rule id, impact, help, then the
 * nodes grouped by their failure message, each with its CSS selector.
 */
export function formatViolations(pageLabel, violations, maxNodes = 40) {
  const lines = [];
  for (const v of violations) {
    lines.push(`  [${v.id}] (${v.impact}) ${v.help} – ${v.nodes.length} node(s) – ${v.helpUrl}`);
    const groups = new Map();
    for (const n of v.nodes) {
      const key = (n.summary || '').replace(/\n\s*/g, ' | ');
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(n);
    }
    let shown = 0;
    for (const [summary, nodes] of groups) {
      if (summary) lines.push(`    ${summary}`);
      for (const n of nodes) {
        if (shown++ >= maxNodes) break;
        lines.push(`      ${n.target}    ${truncate(n.html, 160)}`);
      }
    }
    if (v.nodes.length > maxNodes) lines.push(`      … and ${v.nodes.length - maxNodes} more node(s)`);
  }
  return `${pageLabel}: ${violations.length} axe violation(s)\n${lines.join('\n')}`;
}

export function truncate(s, n) {
  s = String(s).replace(/\s+/g, ' ');
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

// ---------------------------------------------------------------- sites under test

/**
 * The two sites as { key, label, env, dir, pages, typicalPages, skip } for looping in tests.
 * With ALL_PAGES=1 the accessibility and layout tests visit every HTML page
 * of the built folders instead of one page per type (headings always do).
 */
export function sites() {
  const every = process.env.ALL_PAGES === '1';
  const pagesOf = (dir, typical) =>
    every && dir && existsSync(join(dir, 'index.html'))
      ? allPages(dir).map((path) => ({ name: 'page', path }))
      : typical;
  return [
    { key: 'bundled', label: 'bundled site', env: 'SITE_DIR', dir: SITE_DIR,
      pages: pagesOf(SITE_DIR, BUNDLED_PAGES), typicalPages: BUNDLED_PAGES, skip: false },
    { key: 'fixture', label: 'fixture site', env: 'FIXTURE_SITE_DIR', dir: FIXTURE_SITE_DIR,
      pages: pagesOf(FIXTURE_SITE_DIR, FIXTURE_PAGES), typicalPages: FIXTURE_PAGES, skip: FIXTURE_SKIP },
  ];
}

/** Fails with `message` followed by the list, one item a line, unless empty. */
export function assertNone(list, message) {
  if (list.length) assert.fail(`${message}\n  ${list.join('\n  ')}`);
}

/**
 * Starts a server for `site` and a browser before the tests of the current
 * `describe`, and stops both after them. Returns { server, browser } (filled
 * once the `before` hook has run).
 */
export function serveSite(site) {
  const env = { server: null, browser: null };
  before(async () => {
    assertSite(site.dir, site.env);
    env.server = await startServer(site.dir);
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}

/**
 * Runs `fn(page)` in a fresh browser context and closes the context after.
 * (Closing the context rather than the page: page.close() can stall for a
 * minute after an interrupted navigation.)
 */
export async function withPage(browser, contextOptions, fn) {
  const context = await browser.newContext(contextOptions);
  try {
    const page = await context.newPage();
    return await fn(page);
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------- curricula serve

/** The curricula binary for the `serve` tests; null when CURRICULA_BIN is unset. */
export const CURRICULA_BIN = process.env.CURRICULA_BIN ? resolve(process.env.CURRICULA_BIN) : null;

/**
 * Copies `parts` (files or folders under `from`) into a fresh temporary site
 * and starts `curricula serve` on it at a free port. Resolves when the site
 * answers; `stop()` ends the server and removes the copy.
 */
export async function startCurriculaServe(from, parts) {
  const { mkdtempSync, cpSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { spawn } = await import('node:child_process');
  const root = mkdtempSync(join(tmpdir(), 'curricula-serve-'));
  for (const p of parts) cpSync(join(from, p), join(root, p), { recursive: true });
  const port = await new Promise((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
  const child = spawn(CURRICULA_BIN, ['serve', '--root', root, '--port', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (d) => { log += d; });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).ok) break;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    root,
    url,
    log: () => log,
    stop() {
      child.kill();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
