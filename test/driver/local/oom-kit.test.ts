/**
 * Exit 137 through the whole stack on a real local sandbox: `OutOfMemory` only when the cgroup's OOM killer fired (as
 * on Daytona's 1 GiB sandboxes); `kill -9 $$` is `CommandFailed` with the signal, a deadline `Timeout`, a kill by our
 * own stop `Conflict`.
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
  it("ends a command that allocates past the sandbox's memory in OutOfMemory, and no other SIGKILL", async () => {
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
    // Other SIGKILLs (exit 137 too) are not memory: the cgroup's OOM-kill counter did not move.
    const killed = await sandbox.exec("echo before; kill -9 $$");
    expect(killed._unsafeUnwrapErr()).toMatchObject({
      kind: "CommandFailed",
      exitCode: 137,
      signal: "SIGKILL",
      output: "before\n",
    });
    const late = await sandbox.exec("sleep 30", { timeoutMs: 500 });
    expect(late._unsafeUnwrapErr()).toMatchObject({ kind: "Timeout", afterMs: 500 });
    // Killed by our own stop: Conflict, not OutOfMemory.
    const running = sandbox.exec("sleep 60", { timeoutMs: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect((await sandbox.stop()).isOk()).toBe(true);
    expect((await running)._unsafeUnwrapErr()).toMatchObject({ kind: "Conflict" });
  }, 120_000);
});
