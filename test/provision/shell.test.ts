/**
 * The recipes' shell snippets run for real here, in temp dirs with the host's sh (no sandbox needed).
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allInstalledCheck } from "../../src/provision/apt.js";
import { createProvisioner } from "../../src/provision/index.js";
import { STATIC_SERVER_SCRIPT } from "../../src/provision/node/static-server-script.js";
import { KILL_STRAY_NODE_SCRIPT } from "../../src/provision/node/stray-processes.js";
import { createFakeExec, createFakeWriter } from "./fake-exec.js";

const sh = (script: string, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) =>
  spawnSync("sh", ["-c", script], { encoding: "utf8", ...options });

const has = (command: string) => sh(`command -v ${command}`).status === 0;

const canUnshare =
  process.platform === "linux" &&
  process.getuid?.() === 0 &&
  spawnSync("unshare", ["--pid", "--fork", "--mount-proc", "true"]).status === 0;

describe.skipIf(!canUnshare)("killing stray node processes (inside a private PID namespace)", () => {
  it("kills node processes but never its own shell, its parents, or a process that only mentions node", () => {
    const dir = mkdtempSync(join(tmpdir(), "kit-walker-"));
    writeFileSync(join(dir, "walker.sh"), KILL_STRAY_NODE_SCRIPT);
    // Everything runs in a fresh PID namespace, so nothing outside this test can be touched.
    const script = `
      node -e "setInterval(() => {}, 1000)" & n1=$!
      sh -c "sleep 30; echo node is mentioned here" & s1=$!
      sleep 0.5
      sh -c 'echo "this shell mentions node"; . ${dir}/walker.sh'; echo "walker-exit=$?"
      sleep 0.2
      kill -0 $n1 2>/dev/null && echo node=alive || echo node=dead
      kill -0 $s1 2>/dev/null && echo mention=alive || echo mention=dead
      kill $s1
    `;
    const output = execFileSync("unshare", ["--pid", "--fork", "--mount-proc", "sh", "-c", script], {
      encoding: "utf8",
    });
    rmSync(dir, { recursive: true, force: true });
    expect(output).toContain("killed 1 stray node process(es)");
    expect(output).toContain("walker-exit=0");
    expect(output).toContain("node=dead");
    expect(output).toContain("mention=alive");
  });
});

describe.skipIf(!has("dpkg-query"))("the dpkg-query check", () => {
  it("passes for installed packages and fails when one is missing", () => {
    expect(sh(allInstalledCheck(["dpkg", "coreutils"])).status).toBe(0);
    expect(sh(allInstalledCheck(["dpkg", "surely-not-a-package-kit"])).status).not.toBe(0);
  });
});

describe.skipIf(!has("git"))("the git steps", () => {
  it("configure the author, init the repo with a .gitignore, and pass their own checks afterwards", () => {
    const home = mkdtempSync(join(tmpdir(), "kit-git-"));
    const writer = createFakeWriter();
    const provision = createProvisioner({ exec: createFakeExec().exec, writeText: writer.writeText });
    const steps = provision.plan
      .git({ name: "Dara O'Brien", email: "dara@example.org", init: "repo" })
      ._unsafeUnwrap();
    const env = { ...process.env, HOME: home, GIT_CONFIG_NOSYSTEM: "1" };
    const ours = steps.filter((step) => step.name.startsWith("git."));
    for (const step of ours) expect(sh(step.check ?? "false", { cwd: home, env }).status).not.toBe(0);
    for (const step of ours) expect(sh(step.command, { cwd: home, env }).status).toBe(0);
    // Idempotent: a second run changes nothing.
    for (const step of ours) expect(sh(step.command, { cwd: home, env }).status).toBe(0);
    for (const step of ours) expect(sh(step.check ?? "false", { cwd: home, env }).status).toBe(0);
    expect(sh("git config --global user.name", { env }).stdout.trim()).toBe("Dara O'Brien");
    expect(readFileSync(join(home, "repo/.gitignore"), "utf8")).toBe(
      "node_modules\ndist\n.env\n.daytona-kit/\n",
    );
    expect(sh("git -C repo symbolic-ref --short HEAD", { cwd: home, env }).stdout.trim()).toBe("main");
    rmSync(home, { recursive: true, force: true });
  });

  it("appends to an existing .gitignore without gluing onto its last line", () => {
    const home = mkdtempSync(join(tmpdir(), "kit-git-"));
    mkdirSync(join(home, "repo"));
    writeFileSync(join(home, "repo/.gitignore"), "coverage\ndist");
    const provision = createProvisioner({
      exec: createFakeExec().exec,
      writeText: createFakeWriter().writeText,
    });
    const init = provision.plan
      .git({ init: "repo" })
      ._unsafeUnwrap()
      .find((step) => step.name === "git.init");
    expect(sh(init?.command ?? "false", { cwd: home, env: { ...process.env, HOME: home } }).status).toBe(0);
    expect(readFileSync(join(home, "repo/.gitignore"), "utf8")).toBe(
      "coverage\ndist\nnode_modules\n.env\n.daytona-kit/\n",
    );
    rmSync(home, { recursive: true, force: true });
  });
});

async function freePort(): Promise<number> {
  return await new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

describe("the static SPA server script", () => {
  let dir = "";
  let port = 0;
  let child: ReturnType<typeof spawn> | undefined;
  const get = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${port}${path}`, init);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "kit-static-"));
    mkdirSync(join(dir, "dist/assets"), { recursive: true });
    writeFileSync(join(dir, "server.cjs"), STATIC_SERVER_SCRIPT);
    writeFileSync(join(dir, "dist/index.html"), "<h1>app</h1>");
    writeFileSync(join(dir, "dist/assets/app.js"), "console.log(1)");
    writeFileSync(join(dir, "dist/assets/site.webmanifest"), "{}");
    writeFileSync(join(dir, "secret.txt"), "outside the root");
    symlinkSync(join(dir, "secret.txt"), join(dir, "dist/leak.txt"));
    port = await freePort();
    child = spawn(process.execPath, [join(dir, "server.cjs"), join(dir, "dist"), String(port), "127.0.0.1"], {
      stdio: "ignore",
    });
    for (let i = 0; i < 100; i++) {
      if (
        await get("/").then(
          () => true,
          () => false,
        )
      )
        return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  afterAll(() => {
    child?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves index.html at / with an HTML type and no-cache", async () => {
    const response = await get("/");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    expect(await response.text()).toBe("<h1>app</h1>");
  });

  it("serves assets with their MIME type", async () => {
    const js = await get("/assets/app.js");
    expect(js.headers.get("content-type")).toBe("application/javascript; charset=utf-8");
    expect(await js.text()).toBe("console.log(1)");
    const manifest = await get("/assets/site.webmanifest?v=2");
    expect(manifest.headers.get("content-type")).toBe("application/manifest+json; charset=utf-8");
  });

  it("falls back to index.html for client-side routes (no extension)", async () => {
    const response = await get("/settings/profile");
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("<h1>app</h1>");
  });

  it("answers 404 for a missing asset instead of HTML", async () => {
    const response = await get("/assets/missing.js");
    expect(response.status).toBe(404);
  });

  it("never serves a file outside the root, by dot-dots or by symlink", async () => {
    const encoded = await get("/%2e%2e/secret.txt");
    expect(await encoded.text()).not.toContain("outside the root");
    const linked = await get("/leak.txt");
    expect(linked.status).toBe(404);
  });

  it("answers HEAD without a body and refuses other methods", async () => {
    const head = await get("/assets/app.js", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe("14");
    expect((await get("/", { method: "POST" })).status).toBe(405);
  });
});
