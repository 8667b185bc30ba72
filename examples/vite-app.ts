/**
 * A front-end app built and served inside a sandbox: install (npm, memory-safe flags), build under the heap limit
 * derived from the sandbox memory, serve `dist/` with SPA fallback, and fetch it.
 *
 *   npx tsx examples/vite-app.ts          # a tiny dependency-free app (works offline)
 *   npx tsx examples/vite-app.ts --vite   # a real Vite 8 app (the sandbox must reach the npm registry)
 */

import { createKit } from "@apex/daytona-kit";
import { errAsync, okAsync } from "neverthrow";

const useVite = process.argv.includes("--vite");
const PORT = Number(process.env.APP_PORT ?? 54180);

const tinyApp = [
  {
    path: "app/package.json",
    text: JSON.stringify({ name: "tiny-app", private: true, scripts: { build: "node build.js" } }, null, 2),
  },
  {
    path: "app/build.js",
    text:
      'const fs = require("node:fs");\n' +
      'fs.mkdirSync("dist", { recursive: true });\n' +
      'fs.writeFileSync("dist/index.html", "<h1>Built in a sandbox</h1><p>Try any route: it falls back here.</p>");\n',
  },
];
const viteApp = [
  {
    path: "app/package.json",
    text: JSON.stringify(
      {
        name: "vite-app",
        private: true,
        type: "module",
        scripts: { build: "vite build" },
        devDependencies: { vite: "8.3.8" },
      },
      null,
      2,
    ),
  },
  {
    path: "app/index.html",
    text: '<!doctype html><div id="app"></div><script type="module" src="/src/main.js"></script>',
  },
  {
    path: "app/src/main.js",
    text: 'document.getElementById("app").textContent = "Built with Vite in a sandbox";',
  },
];

await using kit = createKit();
const ensured = await kit.ensure({ projectId: "example-vite-app", image: "node:20-slim" });
if (ensured.isErr()) {
  console.error(`${ensured.error.kind}: ${ensured.error.message}`);
  process.exit(1);
}
const sandbox = ensured.value;

const result = await sandbox.fs
  .writeFiles(useVite ? viteApp : tinyApp)
  .andThen((report) => {
    const failure = report.failed[0];
    return failure ? errAsync(failure.error) : okAsync(report);
  })
  .andThen(() => sandbox.provision.node.install("app"))
  .andThen(() =>
    sandbox.provision.node.build("app", { onOutput: (line) => console.log(`  build | ${line}`) }),
  )
  .andThen((build) => {
    console.log(`built "${build.scriptCommand}" with a ${build.maxOldSpaceMiB} MiB heap limit`);
    return sandbox.provision.node.serveStatic("app/dist", { port: PORT });
  })
  .andThen((server) => sandbox.preview(server.port).map((link) => ({ server, link })));

if (result.isErr()) {
  // OutOfMemory and Unsupported carry what to do instead in their message. A failed run exits non-zero, after
  // `await using` has closed the kit and the sandbox was deleted below.
  console.error(`${result.error.kind}: ${result.error.message}`);
  process.exitCode = 1;
} else {
  const { server, link } = result.value;
  console.log(`serving (pid ${server.pid}, log ${server.logPath}) at ${link.url}`);
  const page = await fetch(`${link.url}/some/client/route`, {
    headers: { "x-daytona-preview-token": link.token },
  });
  console.log(`GET /some/client/route → ${page.status}: ${(await page.text()).slice(0, 80)}`);
  if (!page.ok) process.exitCode = 1;
}
console.log(`deleted: ${(await sandbox.delete()).isOk()}`);
