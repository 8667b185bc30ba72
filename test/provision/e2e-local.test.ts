/**
 * End to end on a REAL local sandbox (Debian bookworm with Node 20): PostgreSQL on its default port reached from the
 * host with `pg`, Redis with the `redis` client (both through the sandbox's preview forwarders: the sandbox has its
 * own network, so its 127.0.0.1 is not the host's), git commits with the configured author, a Node app installed, built under the heap
 * limit and served with SPA fallback, and `all()` batching / idempotency counted on the recorded commands.
 *
 * Skipped with a reason where local sandboxes cannot run (not Linux, not root, no debootstrap).
 * The real Vite app installs vite@8.3.8 inside the sandbox from the npm registry (the sandbox trusts the host's CA
 * bundle, so a TLS-inspecting proxy on the host works too). Where the registry is out of reach, opt out with
 * DAYTONA_KIT_E2E_VITE=0.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalDriver, type LocalDriver } from "../../src/driver/local/index.js";
import { createExec } from "../../src/exec/exec.js";
import type { Exec } from "../../src/exec/types.js";
import { createSandboxFs } from "../../src/fs/fs.js";
import type { SandboxFs } from "../../src/fs/types.js";
import { createProvisioner, type ProvisionEvent, type Provisioner } from "../../src/provision/index.js";
import { skipReason } from "../driver/local/helpers.js";

// Default ports: each local sandbox has its own network namespace, as on Daytona.
const PG_PORT = 5432;
const REDIS_PORT = 6379;
const STATIC_PORT = 3000;
const VITE_PORT = 4173;
const services = {
  git: { init: "/workspace/repo" },
  postgres: { database: "myapp" },
  redis: {},
} as const;

describe.skipIf(skipReason !== undefined)(`provisioners on a local sandbox ${skipReason ?? ""}`, () => {
  let driver: LocalDriver;
  let sandboxId = "";
  let fs: SandboxFs;
  let provision: Provisioner;
  let exec: Exec;
  const commands: string[] = [];

  beforeAll(async () => {
    driver = createLocalDriver({ onProgress: (line) => process.stderr.write(`[image] ${line}\n`) });
    const labels = { "daytona-kit.test": `provision-e2e-${randomBytes(3).toString("hex")}` };
    const created = await driver.create({ image: "node:20-slim", labels, timeoutMs: 600_000 });
    if (created.isErr()) throw new Error(`local sandbox: ${created.error.message}`);
    sandboxId = created.value.id;
    const realExec = createExec({ driver, sandboxId });
    exec = (command, options) => {
      commands.push(command);
      return realExec(command, options);
    };
    fs = createSandboxFs({ driver, sandboxId, exec: realExec });
    provision = createProvisioner({
      exec,
      writeText: (path, text) => fs.writeText(path, text),
      memoryGiB: 1,
    });
  }, 600_000);

  /** `url` (a service URL valid inside the sandbox) rewritten to the host side of the sandbox's forwarder. */
  const fromHost = async (url: string): Promise<string> => {
    const inside = new URL(url);
    const link = (await driver.previewLink(sandboxId, Number(inside.port)))._unsafeUnwrap();
    const outside = new URL(link.url);
    inside.hostname = outside.hostname;
    inside.port = outside.port;
    return inside.toString();
  };

  afterAll(async () => {
    if (sandboxId) await driver.delete(sandboxId, { timeoutMs: 60_000 });
    await driver?.dispose();
  }, 120_000);

  it("all() on a fresh sandbox runs exactly one apt-get update and one apt-get install", async () => {
    commands.length = 0;
    const events: ProvisionEvent[] = [];
    const result = await provision.all({ ...services, onEvent: (event) => events.push(event) });
    expect(result.isOk(), result.isErr() ? result.error.message : "").toBe(true);
    expect(commands.filter((command) => /^apt-get update/.test(command))).toHaveLength(1);
    expect(commands.filter((command) => command.includes("apt-get install"))).toHaveLength(1);
    const ran = events.filter((event) => event.type === "step-done").map((event) => event.step);
    expect(ran).toContain("apt.update");
    expect(ran).toContain("apt.install");
    const value = result._unsafeUnwrap();
    expect(value.postgres?.url).toBe(`postgresql://postgres@localhost:${PG_PORT}/myapp`);
    expect(value.postgres?.version).toMatch(/^\d+$/);
    expect(value.redis?.url).toBe(`redis://127.0.0.1:${REDIS_PORT}`);
    expect(value.git?.version).toMatch(/^2\./);
  }, 600_000);

  it("all() again installs nothing and takes at most two exec round trips", async () => {
    commands.length = 0;
    const events: ProvisionEvent[] = [];
    const result = await provision.all({ ...services, onEvent: (event) => events.push(event) });
    expect(result.isOk(), result.isErr() ? result.error.message : "").toBe(true);
    expect(commands.length).toBeLessThanOrEqual(2);
    expect(commands.some((command) => command.includes("apt-get install"))).toBe(false);
    expect(events.every((event) => event.type === "skipped")).toBe(true);
    const value = result._unsafeUnwrap();
    expect([value.git?.changed, value.postgres?.changed, value.redis?.changed]).toEqual([
      false,
      false,
      false,
    ]);
  }, 120_000);

  it("PostgreSQL answers the returned URL through its forwarded port: CREATE TABLE, INSERT, SELECT", async () => {
    const db = (await provision.postgres(services.postgres))._unsafeUnwrap();
    const client = new pg.Client({ connectionString: await fromHost(db.url) });
    await client.connect();
    try {
      await client.query("CREATE TABLE IF NOT EXISTS notes (id serial PRIMARY KEY, body text NOT NULL)");
      await client.query("INSERT INTO notes (body) VALUES ($1), ($2)", ["hello", "wörld"]);
      const rows = await client.query<{ body: string }>("SELECT body FROM notes ORDER BY id");
      expect(rows.rows.map((row) => row.body)).toEqual(["hello", "wörld"]);
      const encoding = await client.query<{ server_encoding: string }>("SHOW server_encoding");
      expect(encoding.rows[0]?.server_encoding).toBe("UTF8");
    } finally {
      await client.end();
    }
  }, 60_000);

  it("PostgreSQL listens on localhost only and trusts only local lines", async () => {
    const conf = await exec(
      `grep -hE '^(listen_addresses|port)' /etc/postgresql/*/main/postgresql.conf; ` +
        `grep -vE '^[[:space:]]*(#|$)' /etc/postgresql/*/main/pg_hba.conf`,
    );
    const text = conf._unsafeUnwrap().output;
    expect(text).toContain("listen_addresses = 'localhost'");
    expect(text).toContain(`port = ${PG_PORT}`);
    for (const line of text.split("\n").filter((l) => /^host/.test(l))) {
      expect(line).toMatch(/127\.0\.0\.1\/32|::1\/128/);
    }
  }, 60_000);

  it("Redis answers SET/GET from the host through its forwarded port", async () => {
    const { url } = (await provision.redis(services.redis))._unsafeUnwrap();
    const client = createClient({ url: await fromHost(url) });
    await client.connect();
    try {
      await client.set("greeting", "hej");
      expect(await client.get("greeting")).toBe("hej");
    } finally {
      await client.quit();
    }
  }, 60_000);

  it("a commit inside the sandbox carries the configured author", async () => {
    await fs.writeText("repo/README.md", "# hi\n");
    const log = await exec(
      "git add README.md && git commit -q -m 'first commit' && git log -1 --format='%an <%ae>'",
      { cwd: "/workspace/repo" },
    );
    expect(log._unsafeUnwrap().output.trim()).toBe("Apex <apex@apex.dev>");
    const ignored = await exec("cat .gitignore", { cwd: "/workspace/repo" });
    expect(ignored._unsafeUnwrap().output).toContain("node_modules\n");
  }, 60_000);

  it("mongo is Unsupported on this slim image and installs nothing", async () => {
    commands.length = 0;
    const error = (await provision.mongo())._unsafeUnwrapErr();
    expect(error.kind).toBe("Unsupported");
    expect(commands).toHaveLength(1);
  }, 60_000);

  it("a Node app installs, builds under the heap limit and is served with SPA fallback", async () => {
    const written = await fs.writeFiles([
      {
        path: "app/package.json",
        text: JSON.stringify({
          name: "tiny-app",
          private: true,
          scripts: { build: "node build.js" },
          dependencies: { "tiny-lib": "file:./tiny-lib" },
        }),
      },
      { path: "app/tiny-lib/package.json", text: JSON.stringify({ name: "tiny-lib", version: "1.0.0" }) },
      { path: "app/tiny-lib/index.js", text: 'module.exports = "<h1>tiny app</h1>";' },
      {
        path: "app/build.js",
        text: [
          'const fs = require("node:fs");',
          'const heap = require("node:v8").getHeapStatistics().heap_size_limit / 1048576;',
          'console.log("heap-limit-mib=" + Math.round(heap));',
          'fs.mkdirSync("dist/assets", { recursive: true });',
          'fs.writeFileSync("dist/index.html", require("tiny-lib") + \'<script src="/assets/app.js"></script>\');',
          'fs.writeFileSync("dist/assets/app.js", "console.log(42)");',
        ].join("\n"),
      },
    ]);
    expect(written.isOk()).toBe(true);

    const installed = (await provision.node.install("/workspace/app"))._unsafeUnwrap();
    expect(installed.changed).toBe(true);
    expect((await provision.node.install("/workspace/app"))._unsafeUnwrap().changed).toBe(false);

    const lines: string[] = [];
    const built = await provision.node.build("/workspace/app", { onOutput: (line) => lines.push(line) });
    expect(built._unsafeUnwrap().maxOldSpaceMiB).toBe(768);
    const heap = Number(/heap-limit-mib=(\d+)/.exec(lines.join("\n"))?.[1]);
    // V8's limit is old space (768) plus the young generation: well under the 1 GiB sandbox.
    expect(heap).toBeGreaterThanOrEqual(768);
    expect(heap).toBeLessThan(900);

    const served = (
      await provision.node.serveStatic("/workspace/app/dist", { port: STATIC_PORT, host: "127.0.0.1" })
    )._unsafeUnwrap();
    expect(served.url).toBe(`http://127.0.0.1:${STATIC_PORT}`);
    const site = await fromHost(served.url);
    const home = await fetch(site);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain("<h1>tiny app</h1>");
    const route = await fetch(new URL("/dashboard/settings", site));
    expect(route.status).toBe(200);
    expect(await route.text()).toContain("<h1>tiny app</h1>");
    const asset = await fetch(new URL("/assets/app.js", site));
    expect(asset.headers.get("content-type")).toBe("application/javascript; charset=utf-8");

    commands.length = 0;
    const again = (
      await provision.node.serveStatic("/workspace/app/dist", { port: STATIC_PORT, host: "127.0.0.1" })
    )._unsafeUnwrap();
    expect(again).toMatchObject({ changed: false, pid: served.pid });
    expect(commands).toHaveLength(1);
  }, 300_000);

  it.skipIf(process.env.DAYTONA_KIT_E2E_VITE === "0")(
    "a real Vite 8 app installs from the registry, builds under the memory flag and is served",
    async () => {
      await fs.writeFiles([
        {
          path: "vite-app/package.json",
          text: JSON.stringify({
            name: "vite-app",
            private: true,
            type: "module",
            scripts: { build: "vite build" },
            devDependencies: { vite: "8.3.8" },
          }),
        },
        {
          path: "vite-app/index.html",
          text: '<!doctype html><div id="app"></div><script type="module" src="/src/main.js"></script>',
        },
        { path: "vite-app/src/main.js", text: 'document.getElementById("app").textContent = "vite";' },
      ]);
      expect((await provision.node.install("/workspace/vite-app")).isOk()).toBe(true);
      expect((await provision.node.build("/workspace/vite-app")).isOk()).toBe(true);
      const served = await provision.node.serveStatic("/workspace/vite-app/dist", {
        port: VITE_PORT,
        host: "127.0.0.1",
      });
      const page = await fetch(new URL("/any/route", await fromHost(served._unsafeUnwrap().url)));
      expect(await page.text()).toContain('<div id="app">');
    },
    600_000,
  );
});
