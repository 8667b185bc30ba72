/**
 * The main job: a project sandbox end to end, on this machine, with no account.
 *
 *   npm run demo            # ensure → write a site → serve it → fetch it from the host → delete
 *   npm run demo -- --keep  # keep the sandbox afterwards (the next run reuses it); its preview URL keeps working
 *
 * DEMO_PROJECT picks the project (default "demo"), DEMO_PORT the port inside the sandbox (default 8080: each
 * sandbox has its own network, so the port is free whatever the host runs).
 *
 * With DAYTONA_ENABLED=true and DAYTONA_API_KEY set, the same script runs on Daytona instead.
 */
import { createKit, type KitSandbox, shellQuote } from "@apex/daytona-kit";

const keep = process.argv.includes("--keep");
const started = performance.now();
const step = (text: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(1)}s] ${text}`);

const SITE: Record<string, string> = {
  "public/index.html": `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>Hello from a daytona-kit sandbox</title><link rel="stylesheet" href="style.css"></head>
  <body><h1>Hello from a sandbox ✓</h1><p>Written through the fs facade as UTF-8 bytes, served from inside.</p></body>
</html>
`,
  "public/style.css": "body { font-family: system-ui; margin: 3rem; }\n",
};

async function waitForHttp(
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url, { headers });
      if (response.ok) return response;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function serveSite(sandbox: KitSandbox): Promise<string> {
  const port = Number(process.env.DEMO_PORT ?? 8080);
  step(`starting a static server inside on port ${port}`);
  const serve = `nohup python3 -m http.server ${port} --bind 127.0.0.1 --directory ${shellQuote(
    `${sandbox.fs.root}/public`,
  )} > /tmp/demo-server.log 2>&1 &`;
  (await sandbox.exec(serve))._unsafeUnwrap();
  const preview = (await sandbox.preview(port))._unsafeUnwrap();
  const response = await waitForHttp(
    preview.url,
    { "x-daytona-preview-token": preview.token, "X-Daytona-Skip-Preview-Warning": "true" },
    30_000,
  );
  const title = /<title>(.*?)<\/title>/s.exec(await response.text())?.[1] ?? "(no title)";
  console.log(`\n  title: ${title}\n  url:   ${preview.url}\n`);
  return title;
}

async function main(): Promise<number> {
  await using kit = createKit({ onProgress: (line) => step(line) });
  step(`driver: ${kit.driverName}`);
  const projectId = process.env.DEMO_PROJECT ?? "demo";
  step(`ensuring the sandbox of project '${projectId}' (the first run builds the base image: a few minutes)`);
  const ensured = await kit.ensure({ projectId });
  if (ensured.isErr()) {
    console.error(`could not get a sandbox: ${ensured.error.kind}: ${ensured.error.message}`);
    return 1;
  }
  const sandbox = ensured.value;
  step(`sandbox ${sandbox.id} is ${sandbox.state} (${sandbox.region})`);

  const written = await sandbox.fs.writeFiles(Object.entries(SITE).map(([path, text]) => ({ path, text })));
  if (written.isErr()) {
    console.error(`writing the site failed: ${written.error.message}`);
    return 1;
  }
  step(`wrote ${written.value.written.length} files in ${written.value.requests} request(s)`);

  try {
    await serveSite(sandbox);
  } finally {
    if (keep) step(`kept sandbox ${sandbox.id} (--keep)`);
    else {
      const deleted = await sandbox.delete();
      step(deleted.isOk() ? `deleted sandbox ${sandbox.id}` : `delete failed: ${deleted.error.message}`);
    }
  }
  step("done");
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
