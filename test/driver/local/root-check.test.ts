import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkSandboxRoot } from "../../../src/driver/local/root-check.js";

describe.skipIf(process.platform !== "linux")("checkSandboxRoot", () => {
  const dir = mkdtempSync(join(tmpdir(), "dk-root-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses a process whose root is the host's, not the sandbox's", async () => {
    const checked = await checkSandboxRoot(process.pid, dir);
    expect(checked._unsafeUnwrapErr().kind).toBe("Conflict");
    expect(checked._unsafeUnwrapErr().message).toContain("not inside the sandbox's root");
  });

  it("accepts a process whose root is the given root", async () => {
    expect((await checkSandboxRoot(process.pid, "/")).isOk()).toBe(true);
  });

  it("refuses a pid that does not exist", async () => {
    const checked = await checkSandboxRoot(2 ** 22 + 1, "/");
    expect(checked._unsafeUnwrapErr().kind).toBe("Conflict");
    expect(checked._unsafeUnwrapErr().message).toContain("gone");
  });
});
