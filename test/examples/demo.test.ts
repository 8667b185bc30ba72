/**
 * `npm run demo` on the local driver, as a user runs it: a child process prints the page title it fetched through
 * `preview()`; with `--keep` the printed URL keeps answering after that process has exited (the forwarder belongs to
 * the sandbox, not to the caller). The sandbox is deleted afterwards, and its forwarder with it.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { createLocalDriver } from "../../src/driver/local/index.js";
import { skipReason } from "../driver/local/helpers.js";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");

describe.skipIf(skipReason !== undefined)("the demo (local driver)", () => {
  const driver = createLocalDriver();
  const project = `demo-test-${randomBytes(3).toString("hex")}`;
  let sandboxId = "";

  afterAll(async () => {
    if (sandboxId) await driver.delete(sandboxId, { timeoutMs: 60_000 });
  }, 120_000);

  it("prints the page title through preview(), and with --keep the URL outlives the demo process", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DEMO_PROJECT: project };
    delete env.DAYTONA_API_KEY;
    delete env.DAYTONA_ENABLED;
    const { stdout } = await run(process.execPath, ["--import", "tsx", "examples/demo.ts", "--keep"], {
      cwd: root,
      env,
      timeout: 240_000,
    });
    sandboxId = /sandbox (lsb-[0-9a-f]{12}) is/.exec(stdout)?.[1] ?? "";
    expect(sandboxId).not.toBe("");
    expect(stdout).toContain("title: Hello from a daytona-kit sandbox");
    const url = /url: +(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
    expect(url).toBeDefined();

    // The demo process is gone; its preview still serves the page.
    const page = await fetch(url!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>Hello from a daytona-kit sandbox</title>");

    expect((await driver.delete(sandboxId, { timeoutMs: 60_000 })).isOk()).toBe(true);
    sandboxId = "";
    await expect(fetch(url!)).rejects.toThrow();
  }, 300_000);
});
