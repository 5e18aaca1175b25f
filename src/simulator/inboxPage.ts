// The inbox page (DESIGN §14): one HTML document, its style sheet and its script, all served by
// the simulator itself: nothing from a CDN, no font, no inline script, so it works offline and
// under a Content-Security-Policy that allows nothing but this origin.

import type { ServerResponse } from "node:http";
import { INBOX_SCRIPT } from "./inboxScript.js";
import { INBOX_STYLE } from "./inboxStyle.js";

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Inbox · sms-mcp simulator</title>
<link rel="stylesheet" href="/inbox.css">
<script src="/inbox.js" defer></script>
</head>
<body>
<header class="bar">
  <h1>Simulator inbox</h1>
  <p id="connection" class="connection" role="status">Connecting…</p>
  <button type="button" id="clear">Clear all texts</button>
</header>
<main class="layout">
  <nav class="index" aria-label="Threads">
    <details id="index">
      <summary>Threads, newest first</summary>
      <ul id="thread-list" class="thread-list"></ul>
    </details>
    <p id="empty" class="empty">No texts yet. Send one through the simulator (<code>npm run demo</code>) and it appears here.</p>
  </nav>
  <div id="threads" class="threads"></div>
</main>
</body>
</html>
`;

/** Allows this origin's script, style and event stream, and nothing else. */
const POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const ASSETS: Record<string, { type: string; body: string }> = {
  "/": { type: "text/html; charset=utf-8", body: PAGE },
  "/inbox.css": { type: "text/css; charset=utf-8", body: INBOX_STYLE },
  "/inbox.js": { type: "text/javascript; charset=utf-8", body: INBOX_SCRIPT },
};

/** Serves the page and its files (and an empty favicon); false for any other request. */
export function serveInboxPage(method: string, path: string, res: ServerResponse): boolean {
  if (method !== "GET" && method !== "HEAD") return false;
  if (path === "/favicon.ico") {
    res.writeHead(204, { "cache-control": "max-age=86400" }).end();
    return true;
  }
  const asset = ASSETS[path];
  if (!asset) return false;
  res.writeHead(200, {
    "content-type": asset.type,
    "content-length": Buffer.byteLength(asset.body),
    "content-security-policy": POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
  });
  res.end(method === "HEAD" ? undefined : asset.body);
  return true;
}
