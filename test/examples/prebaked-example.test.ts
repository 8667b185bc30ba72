/**
 * `examples/prebaked.ts` on the local driver, as a user runs it: builds (or reuses) the image, ensures a sandbox
 * from it with PostgreSQL, Redis and jq answering inside, and with `--cleanup` deletes its image. Its spec (with
 * jq) names an image of its own, so deleting it touches no other test's image.
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

describe.skipIf(skipReason !== undefined)("examples/prebaked.ts (local driver)", () => {
  const project = `prebaked-example-${randomBytes(3).toString("hex")}`;

  afterAll(async () => {
    // The example deletes its sandbox; one left by a failed run is removed here.
    const driver = createLocalDriver();
    const left = await driver.list({ labels: { "apex.project": project } });
    if (left.isOk()) for (const box of left.value) await driver.delete(box.id, { timeoutMs: 60_000 });
    await driver.dispose();
  }, 120_000);

  it("prebakes, ensures from the image with the services answering, and deletes the image", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PREBAKED_PROJECT: project };
    delete env.DAYTONA_API_KEY;
    delete env.DAYTONA_ENABLED;
    const { stdout } = await run(process.execPath, ["--import", "tsx", "examples/prebaked.ts", "--cleanup"], {
      cwd: root,
      env,
      timeout: 840_000,
    });
    expect(stdout).toMatch(/^image: apex-prebaked-[0-9a-f]{16} on python:3\.12-slim-bookworm$/m);
    expect(stdout).toContain("per sandbox: git.config, postgres.start, postgres.database, redis.start");
    expect(stdout).toMatch(/^prebake: (built|reused) in /m);
    expect(stdout).toContain("postgres: postgresql://postgres@localhost:5432/app");
    expect(stdout).toContain("redis: redis://127.0.0.1:6379");
    expect(stdout).toMatch(/^inside: app \| PONG \| jq-1\.\d/m);
    expect(stdout).toContain("image deleted: true");
  }, 900_000);
});
