#!/usr/bin/env python3
"""Writes the HAR fixtures of cli/tests/: a shop's home page as Chromium and as Firefox 78 ESR
export it from the Network panel ("Save all as HAR").

  python3 make_hars.py        # rewrites shop-chromium.har and shop-firefox.har beside it

Deterministic (fixed times and sizes); standard library only. The page, its hosts and its
policies are made up (example.com names), but every field is where the browsers put it:
Chromium's `_resourceType`, `_initiator`, `_priority`, lower-case HTTP/2 header names and
`sec-fetch-*` headers; Firefox 78's HTTP/1.1 header names, no `_resourceType`, no Sec-Fetch-*.
"""

import json
import os
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
T0 = datetime(2026, 3, 14, 9, 26, 53, 589000, tzinfo=timezone.utc)

CSP = (
    "default-src 'self'; "
    "script-src 'self' https://cdn.jsdelivr.net https://www.googletagmanager.com; "
    "style-src 'self' https://fonts.googleapis.com; "
    "font-src https://fonts.gstatic.com; "
    "img-src 'self' data: https://images.shopcdn.example.com; "
    "connect-src 'self' https://api.shop.example.com wss://realtime.shop.example.com; "
    "frame-src https://www.youtube-nocookie.com; "
    "worker-src 'self'; "
    "report-uri /csp-report"
)
CSP_REPORT_ONLY = "script-src 'self' https://cdn.jsdelivr.net; report-uri /csp-report"

CHROME_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
FIREFOX_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:78.0) Gecko/20100101 Firefox/78.0"

ACCEPT_DOC = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
ACCEPT_IMG = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"

# One row per request the page made, in the order Chromium recorded them:
# (resource type, method, url, status, response MIME type, sec-fetch-dest, initiator type,
#  extra request headers, extra response headers)
PAGE = "https://shop.example.com/"
ROWS = [
    ("document", "GET", "http://shop.example.com/", 301, "text/html", "document", "other",
     {}, {"location": "https://shop.example.com/"}),
    ("document", "GET", PAGE, 200, "text/html", "document", "other",
     {}, {"content-security-policy": CSP,
          "content-security-policy-report-only": CSP_REPORT_ONLY}),
    ("stylesheet", "GET", "https://shop.example.com/static/css/main.3f2a.css", 200, "text/css",
     "style", "parser", {}, {}),
    ("stylesheet", "GET", "https://fonts.googleapis.com/css2?family=Inter:wght@400;600&display=swap",
     200, "text/css", "style", "parser", {}, {}),
    ("script", "GET", "https://shop.example.com/static/js/app.9c1e.js", 200,
     "application/javascript", "script", "parser", {}, {}),
    ("script", "GET", "https://cdn.jsdelivr.net/npm/alpinejs@3.13.5/dist/cdn.min.js", 200,
     "application/javascript", "script", "parser", {}, {}),
    ("script", "GET", "https://www.googletagmanager.com/gtag/js?id=G-7QK2M1XJ4B", 200,
     "application/javascript", "script", "parser", {}, {}),
    ("script", "GET", "https://www.google-analytics.com/analytics.js", 0, "", "script", "script",
     {}, {}),
    ("font", "GET", "https://fonts.gstatic.com/s/inter/v13/UcC73FwrK3iLTeHuS_fvQtMwCp50KnMa1ZL7.woff2",
     200, "font/woff2", "font", "parser", {"origin": "https://shop.example.com"}, {}),
    ("image", "GET", "https://shop.example.com/static/img/logo.svg", 200, "image/svg+xml", "image",
     "parser", {}, {}),
    ("image", "GET", "https://images.shopcdn.example.com/products/1042/thumb.webp", 200,
     "image/webp", "image", "parser", {}, {}),
    ("image", "GET", "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
     200, "image/png", None, "parser", {}, {}),
    ("image", "GET", "https://www.google-analytics.com/collect?v=1&t=pageview&tid=UA-000000-1",
     0, "", "image", "script", {}, {}),
    ("xhr", "GET", "https://api.shop.example.com/v1/cart", 200, "application/json", "empty",
     "script", {"x-requested-with": "XMLHttpRequest", "origin": "https://shop.example.com"}, {}),
    ("fetch", "GET", "https://shop.example.com/api/recommendations?sku=1042", 200,
     "application/json", "empty", "script", {}, {}),
    ("fetch", "POST", "https://api.stripe.com/v1/tokens", 0, "", "empty", "script",
     {"origin": "https://shop.example.com"}, {}),
    ("websocket", "GET", "wss://realtime.shop.example.com/socket?v=2", 101, "x-unknown", "websocket",
     "script", {"upgrade": "websocket", "connection": "Upgrade", "sec-websocket-version": "13"},
     {"upgrade": "websocket"}),
    ("eventsource", "GET", "https://shop.example.com/events/stock", 200, "text/event-stream",
     "empty", "script", {"accept": "text/event-stream"}, {}),
    ("ping", "POST", "https://analytics.shop.example.com/beacon", 0, "", "empty", "script",
     {"content-type": "text/plain;charset=UTF-8"}, {}),
    ("ping", "POST", "https://shop.example.com/track/click?to=%2Fsale", 204, "", "empty", "other",
     {"content-type": "text/ping", "ping-from": PAGE, "ping-to": "https://shop.example.com/sale"},
     {}),
    ("script", "GET", "https://shop.example.com/static/js/search-worker.js", 200,
     "application/javascript", "worker", "script", {}, {}),
    ("other", "GET", "https://shop.example.com/sw.js", 200, "application/javascript",
     "serviceworker", "other", {"service-worker": "script"}, {}),
    ("document", "GET", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", 200, "text/html",
     "iframe", "parser", {}, {}),
    ("document", "GET", "https://js.stripe.com/v3/controller-8d6a.html", 0, "", "iframe", "script",
     {}, {}),
    ("media", "GET", "https://media.shopcdn.example.com/promo/spring.mp4", 0, "", "video",
     "parser", {"range": "bytes=0-"}, {}),
    ("manifest", "GET", "https://shop.example.com/manifest.webmanifest", 200,
     "application/manifest+json", "manifest", "other", {}, {}),
    ("preflight", "OPTIONS", "https://api.shop.example.com/v1/cart", 204, "", "empty", "preflight",
     {"access-control-request-method": "PUT", "access-control-request-headers": "content-type"}, {}),
    ("other", "GET", "https://shop.example.com/product/1043", 200, "text/html", "empty", "parser",
     {"sec-purpose": "prefetch"}, {}),
    ("csp-violation-report", "POST", "https://shop.example.com/csp-report", 204, "", "report",
     "other", {"content-type": "application/csp-report"}, {}),
]

ACCEPT_BY_DEST = {
    "document": ACCEPT_DOC, "iframe": ACCEPT_DOC, "style": "text/css,*/*;q=0.1",
    "image": ACCEPT_IMG, "empty": "*/*", "script": "*/*", "font": "*/*", "video": "*/*",
    "worker": "*/*", "serviceworker": "*/*", "manifest": "*/*", "report": "*/*",
    "websocket": None, None: None,
}

PRIORITY = {
    "document": "VeryHigh", "stylesheet": "VeryHigh", "script": "High", "font": "VeryHigh",
    "image": "Low", "xhr": "High", "fetch": "High", "websocket": "Medium",
    "eventsource": "High", "ping": "VeryLow", "media": "Low", "manifest": "Medium",
    "preflight": "High", "other": "Low", "csp-violation-report": "VeryLow",
}


def when(i):
    return (T0 + timedelta(milliseconds=37 * i)).isoformat().replace("+00:00", "Z")


def timings(i):
    return {"blocked": 1.2 + i % 3, "dns": -1, "ssl": -1, "connect": -1, "send": 0.1,
            "wait": 18.4 + i, "receive": 0.9, "_blocked_queueing": 0.8}


def query(url):
    if "?" not in url or url.startswith("data:"):
        return []
    out = []
    for pair in url.split("?", 1)[1].split("&"):
        name, _, value = pair.partition("=")
        out.append({"name": name, "value": value})
    return out


def chromium_entry(i, row):
    rt, method, url, status, mime, dest, init_type, xreq, xres = row
    headers = []
    if status == 0:
        # A request blocked before it reached the network: DevTools has only the
        # "provisional" headers Blink set, no :authority or sec-fetch-* (the network
        # service adds those).
        headers = [
            {"name": "Referer", "value": PAGE},
            {"name": "User-Agent", "value": CHROME_UA},
            {"name": "sec-ch-ua", "value": "\"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\""},
            {"name": "sec-ch-ua-mobile", "value": "?0"},
            {"name": "sec-ch-ua-platform", "value": "\"Linux\""},
        ]
        headers += [{"name": k.title(), "value": v} for k, v in xreq.items()]
    elif not url.startswith("data:"):
        scheme_host = url.split("/")[2]
        headers += [
            {"name": ":authority", "value": scheme_host},
            {"name": ":method", "value": method},
            {"name": ":path", "value": "/" + url.split("/", 3)[3] if url.count("/") >= 3 else "/"},
            {"name": ":scheme", "value": url.split(":", 1)[0]},
        ]
        accept = xreq.get("accept", ACCEPT_BY_DEST.get(dest))
        if accept:
            headers.append({"name": "accept", "value": accept})
        headers += [
            {"name": "accept-encoding", "value": "gzip, deflate, br, zstd"},
            {"name": "accept-language", "value": "en-GB,en;q=0.9"},
        ]
        if i > 1:
            headers.append({"name": "referer", "value": PAGE})
        headers += [
            {"name": "sec-ch-ua", "value": "\"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\""},
            {"name": "sec-ch-ua-mobile", "value": "?0"},
            {"name": "sec-ch-ua-platform", "value": "\"Linux\""},
        ]
        if dest is not None:
            headers.append({"name": "sec-fetch-dest", "value": dest})
            mode = {"document": "navigate", "iframe": "navigate", "empty": "cors",
                    "websocket": "websocket", "style": "no-cors", "script": "no-cors",
                    "image": "no-cors", "video": "no-cors", "font": "cors"}.get(dest, "same-origin")
            headers.append({"name": "sec-fetch-mode", "value": mode})
            site = "same-origin" if url.startswith(PAGE) else "cross-site"
            if i == 0:
                site = "none"
            headers.append({"name": "sec-fetch-site", "value": site})
        headers.append({"name": "user-agent", "value": CHROME_UA})
        for k, v in xreq.items():
            if k != "accept":
                headers.append({"name": k, "value": v})
    res_headers = []
    if status:
        res_headers += [
            {"name": "cache-control", "value": "public, max-age=31536000, immutable" if "static" in url else "no-cache"},
            {"name": "content-type", "value": mime + ("; charset=utf-8" if mime.startswith("text/") else "")} if mime else None,
            {"name": "date", "value": "Sat, 14 Mar 2026 09:26:53 GMT"},
            {"name": "server", "value": "cloudflare"},
            {"name": "strict-transport-security", "value": "max-age=63072000; includeSubDomains; preload"},
            {"name": "x-content-type-options", "value": "nosniff"},
        ]
        res_headers = [h for h in res_headers if h]
        for k, v in xres.items():
            res_headers.append({"name": k, "value": v})
    initiator = {"type": init_type}
    if init_type == "parser":
        initiator.update({"url": PAGE, "lineNumber": 12 + i})
    elif init_type == "script":
        initiator["stack"] = {"callFrames": [{"functionName": "", "scriptId": "17",
                                              "url": "https://shop.example.com/static/js/app.9c1e.js",
                                              "lineNumber": 0, "columnNumber": 1200 + i}]}
    entry = {
        "_connectionId": str(120 + i % 4) if status else "0",
        "_initiator": initiator,
        "_priority": PRIORITY.get(rt, "Low"),
        "_resourceType": rt,
        "cache": {},
        "connection": "443" if status else "",
        "pageref": "page_1",
        "request": {
            "method": method,
            "url": url,
            "httpVersion": "http/2.0" if not url.startswith("data:") else "",
            "headers": headers,
            "queryString": query(url),
            "cookies": [],
            "headersSize": -1,
            "bodySize": 0 if method in ("GET", "OPTIONS") else 91,
        },
        "response": {
            "status": status,
            "statusText": {0: "", 101: "Switching Protocols", 200: "", 204: "", 301: ""}[status],
            "httpVersion": "http/2.0" if status else "",
            "headers": res_headers,
            "cookies": [],
            "content": {"size": 1800 + 97 * i if status == 200 else 0, "mimeType": mime or "x-unknown"},
            "redirectURL": xres.get("location", ""),
            "headersSize": -1,
            "bodySize": -1 if status == 200 else 0,
            "_transferSize": 950 + 41 * i if status else 0,
            "_error": None if status else "net::ERR_BLOCKED_BY_CSP",
        },
        "serverIPAddress": "104.18.32.7" if status and not url.startswith("data:") else "",
        "startedDateTime": when(i),
        "time": 21.3 + i,
        "timings": timings(i),
    }
    if method == "POST":
        ctype = xreq.get("content-type", "application/json")
        body = "PING" if ctype == "text/ping" else '{"event":"page_view","items":1}'
        entry["request"]["postData"] = {"mimeType": ctype, "text": body}
    if rt == "websocket":
        entry["_webSocketMessages"] = [
            {"type": "send", "time": 1773480414.2, "opcode": 1, "data": "{\"subscribe\":\"stock\"}"},
            {"type": "receive", "time": 1773480414.3, "opcode": 1, "data": "{\"sku\":1042,\"left\":3}"},
        ]
    return entry


def firefox_entry(i, row):
    rt, method, url, status, mime, dest, init_type, xreq, xres = row
    host = url.split("/")[2] if not url.startswith("data:") else ""
    # Firefox 78 sends no Sec-Fetch-* headers; its Accept headers tell documents, images and
    # stylesheets apart.
    accept = {
        "document": "text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,*/*;q=0.8",
        "iframe": "text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,*/*;q=0.8",
        "style": "text/css,*/*;q=0.1",
        "image": "image/webp,*/*",
        "video": "video/webm,video/ogg,video/*;q=0.9,application/ogg;q=0.7,audio/*;q=0.6,*/*;q=0.5",
    }.get(dest, "*/*")
    accept = xreq.get("accept", accept)
    headers = [
        {"name": "Host", "value": host},
        {"name": "User-Agent", "value": FIREFOX_UA},
        {"name": "Accept", "value": accept},
        {"name": "Accept-Language", "value": "en-GB,en;q=0.5"},
        {"name": "Accept-Encoding", "value": "gzip, deflate, br"},
        {"name": "Connection", "value": "keep-alive"},
    ]
    if i > 1:
        headers.append({"name": "Referer", "value": PAGE})
    for k, v in xreq.items():
        if k != "accept":
            headers.append({"name": "-".join(p.capitalize() for p in k.split("-")), "value": v})
    if rt == "websocket":
        # Firefox records the handshake with its http(s) URL.
        url = url.replace("wss://", "https://", 1)
    res_headers = []
    if status:
        if mime and mime != "x-unknown":
            res_headers.append({"name": "Content-Type", "value": mime})
        res_headers.append({"name": "Date", "value": "Sat, 14 Mar 2026 09:26:53 GMT"})
        for k, v in xres.items():
            name = {"content-security-policy": "Content-Security-Policy",
                    "content-security-policy-report-only": "Content-Security-Policy-Report-Only",
                    "location": "Location", "upgrade": "Upgrade"}[k]
            res_headers.append({"name": name, "value": v})
    entry = {
        "pageref": "page_1",
        "startedDateTime": when(i).replace("Z", "+00:00"),
        "request": {
            "bodySize": 0,
            "method": method,
            "url": url,
            "httpVersion": "HTTP/1.1",
            "headers": headers,
            "cookies": [],
            "queryString": query(url),
            "headersSize": 420 + i,
        },
        "response": {
            "status": status,
            "statusText": {0: "", 101: "Switching Protocols", 200: "OK", 204: "No Content",
                           301: "Moved Permanently"}[status],
            "httpVersion": "HTTP/1.1",
            "headers": res_headers,
            "cookies": [],
            "content": {"mimeType": mime if status else "", "size": 1800 + 97 * i if status == 200 else 0},
            "redirectURL": xres.get("location", ""),
            "headersSize": 310 + i,
            "bodySize": 1800 + 97 * i if status == 200 else 0,
        },
        "cache": {},
        "timings": {"blocked": 0, "dns": 0, "connect": 0, "ssl": 0, "send": 0, "wait": 19 + i, "receive": 1},
        "time": 20 + i,
        "_securityState": "secure",
        "serverIPAddress": "104.18.32.7",
        "connection": "443",
    }
    if method == "POST":
        ctype = xreq.get("content-type", "application/json")
        entry["request"]["postData"] = {"mimeType": ctype, "params": [], "text": "PING" if ctype == "text/ping" else "{}"}
    return entry


def har(creator, version, entries, pages):
    return {"log": {"version": "1.2", "creator": {"name": creator, "version": version},
                    "pages": pages, "entries": entries}}


def main():
    chromium_pages = [{"startedDateTime": when(0), "id": "page_1", "title": PAGE,
                       "pageTimings": {"onContentLoad": 412.7, "onLoad": 988.1}}]
    entries = [chromium_entry(i, row) for i, row in enumerate(ROWS)]
    with open(os.path.join(HERE, "shop-chromium.har"), "w") as f:
        json.dump(har("WebInspector", "537.36", entries, chromium_pages), f, indent=2)
        f.write("\n")
    # Firefox: no service worker registration or prefetch in this capture, and no separate
    # preflight or report entries (Firefox 78 does not list them).
    skip = {"other", "preflight", "csp-violation-report"}
    firefox_pages = [{"startedDateTime": when(0).replace("Z", "+00:00"), "id": "page_1",
                      "pageTimings": {"onContentLoad": 430, "onLoad": 1012}, "title": "Shop — Home"}]
    entries = [firefox_entry(i, row) for i, row in enumerate(ROWS) if row[0] not in skip]
    with open(os.path.join(HERE, "shop-firefox.har"), "w") as f:
        json.dump(har("Firefox", "78.15.0", entries, firefox_pages), f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
