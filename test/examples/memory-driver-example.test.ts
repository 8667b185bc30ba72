/** `examples/memory-driver.ts` runs as a user runs it (a child process through tsx) and prints what it promises. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");

describe("examples/memory-driver.ts", () => {
  it("deploys on the memory driver, reports an injected fault and a stopped sandbox by kind", async () => {
    const { stdout } = await run(process.execPath, ["--import", "tsx", "examples/memory-driver.ts"], {
      cwd: root,
      timeout: 120_000,
    });
    expect(stdout).toContain("deploy: deployed");
    expect(stdout).toContain('"port": 3000');
    expect(stdout).toContain("deploy with a failing upload: Transient");
    expect(stdout).toContain("exec on a stopped sandbox: Conflict");
  }, 150_000);
});
