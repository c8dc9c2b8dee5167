// The end-to-end test's web site: a few pages of our own making every kind of request the
// CLI reads from a HAR, served on 127.0.0.1 under several host names (Chromium maps every
// name to 127.0.0.1 with --host-resolver-rules). The page's policy is set per run; frames and
// workers send their own fixed policies. Reports (report-uri) and every request reach the log.
'use strict';
const http = require('http');

function site(port) {
  const o = (host) => `http://${host}:${port}`;
  const APP = o('app.test');
  const files = {
    // The page.
    'app.test /': ['text/html', `<!doctype html><html><head>
<link rel="stylesheet" href="${o('cdn.test')}/s.css">
<script nonce="abc" src="/app.js"></script>
<script src="${o('cdn.test')}/lib.js"></script>
<script nonce="abc">window.inlineNonced = 1;</script>
<script>window.inlinePlain = 1;</script>
</head><body>
<img src="/self.png"><img src="${o('img.test')}/a.png">
<img src="${o('img.test')}/r/start.png">
<p style="color: red">styled</p>
<iframe src="${o('frame.test')}/f.html"></iframe>
<object data="${o('frame.test')}/o.html" type="text/html"></object>
<form id="f" method="post" action="${o('other.test')}/collect"><input name="q" value="1"></form>
</body></html>`],
    'app.test /app.js': ['text/javascript', `
fetch('${o('api.test')}/data').catch(() => {});
fetch('/same').catch(() => {});
const s = document.createElement('script'); s.src = '${o('cdn.test')}/dyn.js'; document.head.appendChild(s);
new Worker('/w.js');
try { new SharedWorker('/shared.js'); } catch (e) {}
const blob = new Blob(["fetch('${o('api.test')}/from-blob').catch(() => {});"], { type: 'text/javascript' });
try { new Worker(URL.createObjectURL(blob)); } catch (e) {}
try { const ws = new WebSocket('ws://api.test:${port}/socket'); ws.onerror = () => {}; } catch (e) {}
try { const es = new EventSource('/events'); setTimeout(() => es.close(), 500); } catch (e) {}
navigator.sendBeacon('${o('api.test')}/beacon', 'x');
if (navigator.serviceWorker) navigator.serviceWorker.register('/sw.js').catch(() => {});
setTimeout(() => document.getElementById('f').submit(), 1500);
`],
    'app.test /w.js': ['text/javascript', `
fetch('/wfetch').catch(() => {});
fetch('${o('api.test')}/from-worker').catch(() => {});
try { importScripts('${o('cdn.test')}/imp.js'); } catch (e) {}
`, { 'content-security-policy': `connect-src 'self' ${o('api.test')}; script-src 'self' ${o('cdn.test')}; report-uri ${APP}/__report` }],
    'app.test /sw.js': ['text/javascript', `
try { importScripts('/swimp.js'); } catch (e) {}
self.addEventListener('install', (e) => { e.waitUntil(fetch('${o('api.test')}/from-sw').catch(() => {})); });
`, { 'content-security-policy': `connect-src ${o('api.test')}; report-uri ${APP}/__report` }],
    'app.test /swimp.js': ['text/javascript', '1;'],
    'app.test /shared.js': ['text/javascript', `fetch('${o('api.test')}/from-shared').catch(() => {});`],
    'app.test /events': ['text/event-stream', 'data: hi\n\n'],
    'api.test /from-shared': ['application/json', '{}'],
    'api.test /from-blob': ['application/json', '{}'],
    'api.test /beacon': ['text/plain', ''],
    'app.test /self.png': ['image/png', ''],
    'app.test /same': ['application/json', '{}'],
    'app.test /wfetch': ['application/json', '{}'],
    'cdn.test /s.css': ['text/css', 'p { margin: 0 }'],
    'cdn.test /lib.js': ['text/javascript', 'window.lib = 1;'],
    'cdn.test /dyn.js': ['text/javascript', 'window.dyn = 1;'],
    'cdn.test /imp.js': ['text/javascript', '1;'],
    'img.test /a.png': ['image/png', ''],
    'img.test /final/x.png': ['image/png', ''],
    'img.test /f.png': ['image/png', ''],
    'api.test /data': ['application/json', '{}'],
    'api.test /from-worker': ['application/json', '{}'],
    'api.test /from-sw': ['application/json', '{}'],
    // The frame, with its own policy: its images are its business.
    'frame.test /f.html': ['text/html', `<!doctype html><img src="${o('img.test')}/f.png"><img src="${o('other.test')}/f.png">`,
      { 'content-security-policy': `img-src ${o('img.test')}; report-uri ${APP}/__report` }],
    'frame.test /o.html': ['text/html', '<!doctype html><p>object</p>'],
    'other.test /f.png': ['image/png', ''],
    'other.test /collect': ['text/html', '<!doctype html><p>thanks</p>'],
  };
  const redirects = { 'img.test /r/start.png': `${o('img.test')}/final/x.png` };

  const state = { policy: null, reportOnly: false, log: [], reports: [] };
  const server = http.createServer((req, res) => {
    const host = (req.headers.host || '').split(':')[0];
    const path = req.url.split('?')[0];
    const key = `${host} ${path}`;
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      state.log.push(`http://${req.headers.host}${req.url}`);
      if (key === 'app.test /__report') {
        try { state.reports.push(JSON.parse(body)['csp-report'] || JSON.parse(body)); } catch (e) {}
        res.writeHead(204); return res.end();
      }
      if (redirects[key]) { res.writeHead(302, { location: redirects[key] }); return res.end(); }
      const f = files[key];
      if (!f) { res.writeHead(404, { 'content-type': 'text/plain' }); return res.end('not found'); }
      const headers = Object.assign({ 'content-type': f[0], 'access-control-allow-origin': '*', 'cache-control': 'no-store' }, f[2] || {});
      const topLevel = (host === 'app.test' && path === '/') || (host === 'other.test' && path === '/collect');
      if (topLevel && state.policy) {
        const name = state.reportOnly ? 'content-security-policy-report-only' : 'content-security-policy';
        headers[name] = `${state.policy}; report-uri ${APP}/__report`;
      }
      res.writeHead(200, headers);
      res.end(f[1]);
    });
  });
  // A WebSocket handshake (RFC 6455 §4.2.2), then the connection is closed.
  server.on('upgrade', (req, socket) => {
    state.log.push(`ws://${req.headers.host}${req.url}`);
    const key = req.headers['sec-websocket-key'] || '';
    const accept = require('crypto').createHash('sha1')
      .update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${accept}\r\n\r\n`);
    setTimeout(() => socket.destroy(), 200);
  });
  return { server, state, url: `${APP}/`, origin: o };
}

module.exports = { site };
