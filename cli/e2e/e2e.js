// End-to-end test of `cspgate check --har` and `cspgate suggest` against a real Chromium.
//
// 1. Serve the site of site.js on 127.0.0.1 (every host name mapped there by Chromium's
//    --host-resolver-rules), load its page without a policy, and record a HAR (Playwright).
// 2. For each policy: serve it on the page's top-level documents, load the page again, and
//    collect what Chromium blocked (its CSP reports, from every frame and worker) and which
//    requests reached the server; run `cspgate check --har <recording> --policy <policy>`
//    and compare row by row.
// 3. Run `cspgate suggest --har <recording>`, serve the suggested policy, and check that
//    Chromium blocks nothing the page needs.
//
// Usage: node e2e.js CSPGATE_BINARY [WORK_DIR]; exits 1 when a row disagrees with Chromium
// without being marked, or when the suggested policy blocks something.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { chromium } = require(process.env.PLAYWRIGHT_CORE || 'playwright-core');
const { site } = require('./site.js');

const cspgate = process.argv[2];
const work = process.argv[3] || fs.mkdtempSync(path.join(os.tmpdir(), 'cspgate-e2e-'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

function policies(o) {
  const rs = "'report-sample'";
  return [
    `default-src 'self' ${rs}`,
    `default-src 'self' ${rs}; img-src 'self' ${o('img.test')}/r/; script-src 'self' ${o('cdn.test')} ${rs}; style-src 'self' ${o('cdn.test')} ${rs}; connect-src 'self'; frame-src ${o('frame.test')}; worker-src 'self'; form-action 'self'`,
    `script-src 'nonce-abc' 'strict-dynamic' ${rs}; object-src *; frame-src 'none'; connect-src ws://api.test:${o('x').split(':')[2]} 'self'; style-src ${o('cdn.test')} ${rs}`,
    `img-src *; script-src * 'unsafe-inline' ${rs}; style-src * 'unsafe-inline' ${rs}; connect-src *; worker-src 'none'; form-action ${o('other.test')}`,
  ];
}

async function load(browser, url, state, harPath, probe) {
  state.log = [];
  state.reports = [];
  const ctx = await browser.newContext(harPath ? { recordHar: { path: harPath, content: 'embed' } } : {});
  const page = await ctx.newPage();
  try {
    await page.goto(url, { waitUntil: 'load', timeout: 15000 });
    if (probe) await page.evaluate(probe);
  } catch (e) { /* a blocked document still counts */ }
  await page.waitForTimeout(2500);
  await ctx.close();
  await new Promise((r) => setTimeout(r, 300));
}

function strip(u) { return (u || '').split('#')[0]; }

// What Chromium did with one row of `cspgate check --json`.
function chromiumVerdict(row, state, used) {
  const wanted = (r) => {
    if (row.inline) {
      return r['blocked-uri'] === 'inline' && r['effective-directive'] === row.directive &&
        (r['script-sample'] || '') === (row.sample || '').slice(0, 40);
    }
    const dirs = [row.directive, ...(row.engines || []).map((e) => e.directive)];
    const urls = [strip(row.url), strip(row.original_url)];
    // Chromium reports a blocked cross-origin navigation (frames, objects) by its origin.
    const origins = urls.filter(Boolean).map((u) => new URL(u).origin);
    const blocked = strip(r['blocked-uri']);
    // A URL of another scheme (blob:, data:) is reported as its scheme alone.
    const schemes = urls.filter(Boolean).map((u) => u.split(':')[0]);
    return dirs.includes(r['effective-directive']) &&
      (urls.includes(blocked) || origins.includes(blocked) || schemes.includes(blocked));
  };
  const i = state.reports.findIndex((r, k) => !used.has(k) && wanted(r));
  if (i >= 0) {
    used.add(i);
    return state.reports[i].disposition === 'report' ? 'reported' : 'blocked';
  }
  // Blocked under another directive: the row's destination was misread.
  const other = state.reports.find((r) => !row.inline && strip(r['blocked-uri']) === strip(row.url));
  if (other) return `blocked by ${other['effective-directive']}`;
  // No server sees inline code, navigations checked before they start, or blob:/data: URLs.
  if (row.inline || row.navigation || !/^(https?|wss?):/.test(row.url)) return 'allowed';
  const made = state.log.includes(row.url) || state.log.includes(row.url.replace(/^wss?:/, 'http:'));
  return made ? 'allowed' : 'not made';
}

// A request Chromium never made is explained when what had to come first was blocked: the
// first hop of its redirect chain, or the frame or worker that would have made it.
function explained(row, rows, verdicts) {
  const blockedUrl = (u) => rows.some((r, k) => r.url === u && !r.inline && verdicts[k] === 'blocked');
  if (row.redirect_count > 0 && blockedUrl(row.original_url)) return 'its first hop was blocked';
  // The context that made it, or any that may have: its document or script was blocked.
  const contexts = [[row.context, row.context_url], ...(row.other_contexts || [])];
  for (const [label, url] of contexts) {
    if (label !== 'page' && blockedUrl(url)) return `the ${label} that would make it was blocked`;
  }
  return null;
}

function compare(rows, state, label, tally) {
  const used = new Set();
  const verdicts = rows.map((row) => chromiumVerdict(row, state, used));
  for (const [k, row] of rows.entries()) {
    let got = verdicts[k];
    if (got === 'not made') {
      const why = explained(row, rows, verdicts);
      got = why ? `not made: ${why}` : 'not made, unexplained';
    }
    // Without a report-only policy, a report-only verdict is an allowed one.
    const ours = row.result === 'reported' && !state.reportOnly ? 'allowed' : row.result;
    const engine = (row.engines || []).find((e) => e.engines.includes('chromium'));
    if (got.startsWith('blocked by ')) got = ours === 'unknown' ? 'blocked' : got;
    let kind;
    if (got.startsWith('not made:')) kind = 'not made';
    else if (got.startsWith('not made')) kind = 'DISAGREE';
    else if (ours === 'unknown') kind = 'marked (unknown: ' + row.depends_on + ')';
    else if (engine && engine.result === got) kind = 'marked (engine difference)';
    else if (ours === got) kind = 'agree';
    else kind = 'DISAGREE';
    const key = kind.startsWith('marked') ? 'marked' : kind;
    tally[key] = (tally[key] || 0) + 1;
    if (kind !== 'agree' && process.env.E2E_DEBUG) {
      console.log(JSON.stringify(state.reports.map((r) => [r['document-uri'], r['blocked-uri'], r['effective-directive'], r['script-sample']])));
    }
    if (kind !== 'agree') {
      console.log(`  [${label}] ${kind}: ${row.context} ${row.code || row.url} (${row.destination}) cspgate ${row.result}, Chromium ${got}`);
    }
  }
}

function run(args) {
  return execFileSync(cspgate, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function check(har, policy, reportOnly) {
  let out;
  const flag = reportOnly ? '--report-only' : '--policy';
  try { out = run(['check', '--har', har, flag, policy, '--json']); } catch (e) { out = e.stdout; }
  return out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

async function runVariant(browser, s, variant, tally) {
  const har = path.join(work, `recording-${variant}.har`);
  s.state.policy = null;
  await load(browser, s.url, s.state, har);
  console.log(`recorded ${har}`);
  const list = policies(s.origin);
  for (const [i, p] of list.entries()) {
    s.state.policy = p;
    await load(browser, s.url, s.state);
    compare(check(har, p), s.state, `${variant}, policy ${i + 1}`, tally);
  }
  // The second policy again, report-only: nothing blocked, the same requests reported.
  s.state.policy = list[1];
  s.state.reportOnly = true;
  await load(browser, s.url, s.state);
  compare(check(har, list[1], true), s.state, `${variant}, policy 2 report-only`, tally);
  s.state.reportOnly = false;
  // suggest: the starting policy it proposes, served to Chromium.
  let suggestion;
  try { suggestion = run(['suggest', '--har', har]); } catch (e) { suggestion = e.stdout; }
  const line = suggestion.split('\n').find((l) => l.trim().startsWith('now: Content-Security-Policy: '));
  let suggestFailures = 0;
  if (!line) {
    console.log('suggest gave no policy:\n' + suggestion);
    return 1;
  }
  const p = line.trim().slice('now: Content-Security-Policy: '.length);
  console.log(`suggested (${variant}): ${p}`);
  s.state.policy = p;
  // Nothing more than the page needs: a request the page never made is blocked.
  const evil = s.origin('evil.test');
  const probe = `fetch('${evil}/probe').catch(() => {}); new Image().src = '${evil}/probe.png';`;
  await load(browser, s.url, s.state, null, probe);
  for (const [what, dir] of [['probe', 'connect-src'], ['probe.png', 'img-src']]) {
    const blocked = s.state.reports.some((r) => strip(r['blocked-uri']) === `${evil}/${what}` && r['effective-directive'] === dir);
    if (!blocked) {
      console.log(`  [${variant}, suggest] Chromium did not block ${evil}/${what}, which the page never needed`);
      suggestFailures++;
    }
  }
  s.state.reports = s.state.reports.filter((r) => !strip(r['blocked-uri']).startsWith(evil));
  const pageReports = s.state.reports.filter((r) => {
    const doc = strip(r['document-uri']);
    return doc === s.url || doc === `${s.origin('other.test')}/collect`;
  });
  for (const r of pageReports) {
    console.log(`  [${variant}, suggest] Chromium blocked ${r['blocked-uri']} (${r['effective-directive']}) on ${r['document-uri']}`);
  }
  suggestFailures += pageReports.length;
  compare(check(har, p), s.state, `${variant}, suggested policy`, tally);
  return suggestFailures;
}

(async () => {
  const started = Date.now();
  // A free port (or E2E_PORT), then the site with that port in its URLs.
  let port = Number(process.env.E2E_PORT || 0);
  if (!port) {
    const probe = site(0).server;
    await new Promise((r) => probe.listen(0, '127.0.0.1', r));
    port = probe.address().port;
    await new Promise((r) => probe.close(r));
  }
  const s = site(port);
  await new Promise((r) => s.server.listen(port, '127.0.0.1', r));
  const tally = {};
  let suggestFailures = 0;
  // Two runs: app.test treated as a secure origin (Sec-Fetch-* headers, a service worker),
  // and plain HTTP (no Sec-Fetch-* headers: destinations and workers inferred otherwise).
  for (const secure of [true, false]) {
    const variant = secure ? 'secure' : 'plain-http';
    const args = ['--host-resolver-rules=MAP * 127.0.0.1', '--no-sandbox'];
    if (secure) args.push(`--unsafely-treat-insecure-origin-as-secure=${s.origin('app.test')}`);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args });
    suggestFailures += await runVariant(browser, s, variant, tally);
    await browser.close();
  }
  s.server.close();
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`rows: ${tally.agree || 0} agree with Chromium, ${tally.marked || 0} marked with their reason, ${tally.DISAGREE || 0} disagree, ${tally['not made'] || 0} not made by Chromium because what had to come first was blocked; suggest: ${suggestFailures} blocked; ${secs}s`);
  process.exit((tally.DISAGREE || 0) + suggestFailures > 0 ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(2); });
