import { ResultAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import type { SandboxDriver } from "../../src/driver/types.js";
import { createExec } from "../../src/exec/exec.js";

describe("exec with the largest accepted timeout", () => {
  it("timeoutMs 2^31-1 runs the command instead of timing out at once", async () => {
    let seen: number | undefined;
    const driver = {
      exec: (_id: string, request: { timeoutMs: number }) => {
        seen = request.timeoutMs;
        // The command takes a moment: an overflowed timer (Node fires it after 1 ms) would end the call first.
        return ResultAsync.fromSafePromise(
          new Promise<{ exitCode: number; output: string }>((resolve) =>
            setTimeout(() => resolve({ exitCode: 0, output: "started\n" }), 50),
          ),
        );
      },
    } as unknown as SandboxDriver;
    const exec = createExec({ driver, sandboxId: "s1", defaultCwd: "/workspace", defaultTimeoutMs: 60_000 });
    const result = await exec("touch started", { timeoutMs: 2 ** 31 - 1 });
    expect(result._unsafeUnwrap().exitCode).toBe(0);
    expect(seen).toBe(2 ** 31 - 1);
  });
});
