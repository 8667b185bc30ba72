/**
 * The static SPA server written into the sandbox by `node.serveStatic`. The `serve` package does
 * not reliably bind the given port in Daytona, so this is a dependency-free Node script (CommonJS, so it runs whatever
 * the project's `"type"` is).
 *
 * Behaviour: GET/HEAD only; `/` and directories serve their `index.html`; a path WITHOUT an extension that matches no
 * file serves the root `index.html` (SPA fallback, status 200); a missing path WITH an extension is a 404 (a browser
 * asking for `/app.js` must not get HTML back); paths are decoded, normalised and kept inside the root (symlinks
 * included); `index.html` is sent with `Cache-Control: no-cache`.
 *
 * Usage inside the sandbox: `node static-server.cjs <dir> <port> <host>`.
 * @module
 */

/** Content types by extension: the common web assets. */
export const STATIC_MIME_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".htm": "text/html; charset=utf-8",
  ".js": "application/javascript; charset=utf-8",
  ".mjs": "application/javascript; charset=utf-8",
  ".cjs": "application/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".otf": "font/otf",
  ".wasm": "application/wasm",
  ".pdf": "application/pdf",
  ".mp3": "audio/mpeg",
  ".mp4": "video/mp4",
  ".webm": "video/webm",
};

/** The script's source text. */
export const STATIC_SERVER_SCRIPT = `"use strict";
// Written by @apex/daytona-kit (node.serveStatic). Usage: node static-server.cjs <dir> <port> <host>
const http = require("node:http");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = fs.realpathSync(path.resolve(process.argv[2] || "."));
const PORT = Number(process.argv[3] || 3000);
const HOST = process.argv[4] || "0.0.0.0";
const MIME = ${JSON.stringify(STATIC_MIME_TYPES)};
const INDEX = path.join(ROOT, "index.html");

function inside(file) {
  return file === ROOT || file.startsWith(ROOT + path.sep);
}

function fail(req, res, status, text) {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(req.method === "HEAD" ? undefined : text);
}

function send(req, res, file, stat) {
  const ext = path.extname(file).toLowerCase();
  const type = Object.hasOwn(MIME, ext) ? MIME[ext] : "application/octet-stream";
  const headers = { "Content-Type": type, "Content-Length": stat.size };
  if (type.startsWith("text/html")) headers["Cache-Control"] = "no-cache";
  res.writeHead(200, headers);
  if (req.method === "HEAD") return res.end();
  fs.createReadStream(file).on("error", () => res.destroy()).pipe(res);
}

function resolveFile(file, done) {
  fs.realpath(file, (error, real) => {
    if (error || !inside(real)) return done(null);
    fs.stat(real, (statError, stat) => {
      if (statError) return done(null);
      if (stat.isDirectory()) return resolveFile(path.join(real, "index.html"), done);
      done(real, stat);
    });
  });
}

const server = http.createServer((req, res) => {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("Allow", "GET, HEAD");
    return fail(req, res, 405, "Method Not Allowed");
  }
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(req.url || "/", "http://localhost").pathname);
  } catch {
    return fail(req, res, 400, "Bad Request");
  }
  if (pathname.includes("\\0")) return fail(req, res, 400, "Bad Request");
  const target = path.join(ROOT, pathname);
  if (!inside(target)) return fail(req, res, 404, "Not Found");
  resolveFile(target, (file, stat) => {
    if (file) return send(req, res, file, stat);
    // SPA fallback: client-side routes have no extension; missing assets stay 404.
    if (path.extname(pathname) !== "") return fail(req, res, 404, "Not Found");
    resolveFile(INDEX, (index, indexStat) =>
      index ? send(req, res, index, indexStat) : fail(req, res, 404, "Not Found: no index.html in " + ROOT),
    );
  });
});

server.on("error", (error) => {
  console.error("static server failed: " + error.message);
  process.exit(1);
});
server.listen(PORT, HOST, () => console.log("serving " + ROOT + " on http://" + HOST + ":" + PORT));
`;
