// 2. No horizontal overflow of the document at 320 px and 1280 px.
//    Wide tables sit in `.table-wrap`, which may scroll internally; only the
//    document itself is checked. On failure the widest escaping elements are
//    listed so the culprit can be found.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  serveSite,
  sites,
} from './helpers.mjs';

const WIDTHS = [320, 1280];
const fmt = (o) => `    ${o.path}  right=${o.right}px width=${o.width}px  ${o.text}`;

for (const site of sites()) {
  describe(`layout: ${site.label}`, { skip: site.skip }, () => {
    const env = serveSite(site);

    for (const width of WIDTHS) {
      describe(`${width} px wide`, () => {
        // One page per width, navigated from URL to URL (no interaction).
        let context, page;
        before(async () => {
          context = await env.browser.newContext({ viewport: { width, height: 800 } });
          page = await context.newPage();
        });
        after(async () => {
          await context?.close();
        });

        for (const p of site.pages) {
          it(`${p.name} ${p.path}: scrollWidth <= innerWidth`, async () => {
            const res = await page.goto(env.server.url + p.path, { waitUntil: 'load' });
            assert.equal(res?.status(), 200, `${p.path}: HTTP ${res?.status()}`);
            const m = await page.evaluate(measureOverflow);
            if (m.scrollWidth > m.innerWidth) assert.fail(
              `${site.label} ${p.path} at ${width} px: document.documentElement.scrollWidth ` +
                `${m.scrollWidth} > window.innerWidth ${m.innerWidth}\n` +
                `  ${m.total} element(s) reaching beyond the viewport (outermost only, first 12):\n` +
                m.offenders.map(fmt).join('\n') +
                (m.farthest ? `\n  reaching farthest: ${fmt(m.farthest).trim()}` : ''),
            );
          });
        }
      });
    }
  });
}

/** Runs in the page: scroll width plus the outermost elements that overflow. */
function measureOverflow() {
  const vw = window.innerWidth;
  const pathOf = (el) => {
    const parts = [];
    for (let e = el; e && e.nodeType === 1 && e !== document.body && parts.length < 5; e = e.parentElement) {
      let s = e.localName;
      if (e.id) s += '#' + e.id;
      else if (e.classList.length) s += '.' + [...e.classList].join('.');
      parts.unshift(s);
      if (e.id) break;
    }
    return parts.join(' > ');
  };
  // An element inside a scroll/clip container (e.g. .table-wrap) cannot widen
  // the page – unless it is absolutely positioned against an ancestor outside
  // that container (a non-positioned container does not clip it).
  const makesAbsCB = (s) =>
    s.position !== 'static' || s.transform !== 'none' || s.filter !== 'none' ||
    s.perspective !== 'none' || /layout|paint|strict|content/.test(s.contain);
  const clipped = (el) => {
    let s = getComputedStyle(el);
    if (s.position === 'fixed') return true; // fixed boxes do not scroll the page
    let needCB = s.position === 'absolute';
    for (let e = el.parentElement; e && e !== document.documentElement; e = e.parentElement) {
      s = getComputedStyle(e);
      if (s.position === 'fixed') return true;
      if (needCB && !makesAbsCB(s)) continue;
      if (s.overflowX !== 'visible') return true;
      needCB = s.position === 'absolute';
    }
    return false;
  };
  const over = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right > vw + 0.5 && !clipped(el)) over.push(el);
  }
  // keep the outermost ones: drop those whose ancestor is also listed
  const set = new Set(over);
  const outer = over.filter((el) => {
    for (let e = el.parentElement; e; e = e.parentElement) if (set.has(e)) return false;
    return true;
  });
  // the element reaching farthest right: what sets the scroll width
  const farthest = over.reduce((a, el) => (!a || el.getBoundingClientRect().right > a.getBoundingClientRect().right ? el : a), null);
  const info = (el) => {
    const r = el.getBoundingClientRect();
    return {
      path: pathOf(el) + (getComputedStyle(el).position === 'absolute' ? ' (position: absolute)' : ''),
      right: Math.round(r.right),
      width: Math.round(r.width),
      text: JSON.stringify((el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 60)),
    };
  };
  return {
    scrollWidth: document.documentElement.scrollWidth,
    farthest: farthest && info(farthest),
    innerWidth: vw,
    total: outer.length,
    offenders: outer.slice(0, 12).map(info),
  };
}
