/**
 * Out of memory through the whole stack on a real local sandbox: the kit's exec maps the cgroup's SIGKILL (exit 137)
 * to `OutOfMemory`, as on Daytona's 1 GiB sandboxes.
 */
import { afterAll, describe, expect, it } from "vitest";
import { createKit } from "../../../src/kit.js";
import { cleanup, skipReason, testDriver } from "./helpers.js";

const { driver, labels } = testDriver("oom-kit");
const memory = driver.capabilities().memoryLimit;
const reason =
  skipReason ?? (memory.startsWith("not enforced") ? `memory limits unavailable: ${memory}` : undefined);
if (reason && !skipReason) console.warn(`[oom-kit skipped] ${reason}`);

afterAll(() => cleanup(driver, labels));

describe.skipIf(reason !== undefined)("out of memory on the local driver, through the kit", () => {
  it("ends a command that allocates past the sandbox's memory in OutOfMemory", async () => {
    const kit = createKit({ driver, env: {} });
    const sandbox = (
      await kit.ensure({
        projectId: `oom-${labels["daytona-kit.test"]}`,
        labels,
        resources: { memoryGiB: 0.25 },
      })
    )._unsafeUnwrap();
    const hog = await sandbox.exec(`python3 -c "b = bytearray(600 * 1024 * 1024); print(len(b))"`);
    expect(hog._unsafeUnwrapErr()).toMatchObject({ kind: "OutOfMemory", exitCode: 137 });
    const fits = await sandbox.exec(`python3 -c "b = bytearray(50 * 1024 * 1024); print(len(b))"`);
    expect(fits._unsafeUnwrap().output.trim()).toBe(String(50 * 1024 * 1024));
  });
});
