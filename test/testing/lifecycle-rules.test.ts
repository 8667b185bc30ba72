/**
 * The emulator and the memory driver share `lifecycle-rules.ts`: the same state refuses the same call. Each case
 * runs through the port on both (the Daytona driver with the real SDK against the emulator, and the memory
 * driver) and compares the KitError kinds.
 */

import type { Result } from "neverthrow";
import { afterAll, describe, expect, it } from "vitest";
import type { SandboxDriver } from "../../src/driver/types.js";
import type { KitError } from "../../src/errors.js";
import { createMemoryDriver, type SeedSandbox } from "../../src/testing/index.js";
import { startEmulatedDaytona } from "../support/emulated-daytona.js";

const daytona = startEmulatedDaytona();
afterAll(() => daytona.close());
const memory = createMemoryDriver();

interface Backend {
  readonly driver: SandboxDriver;
  seed(seed: SeedSandbox): string;
}
const backends: Record<string, Backend> = {
  emulator: { driver: daytona.driver, seed: (seed) => daytona.emulator.sandboxes.seed(seed).id },
  memory: { driver: memory, seed: (seed) => memory.seed(seed).id },
};
const wait = { timeoutMs: 5_000 };

/** The error kind (or "ok") each back end answers for `act` on a sandbox seeded with `seed`. */
async function kinds(
  seed: SeedSandbox,
  act: (driver: SandboxDriver, id: string) => PromiseLike<Result<unknown, KitError>>,
) {
  const answers: Record<string, string> = {};
  for (const [name, backend] of Object.entries(backends)) {
    const result = (await act(backend.driver, backend.seed(seed))) as {
      isErr(): boolean;
      error: { kind: string };
    };
    answers[name] = result.isErr() ? result.error.kind : "ok";
  }
  return answers;
}

describe("lifecycle rules shared by the emulator and the memory driver", () => {
  it.each([
    ["starting a deleted sandbox", {}, "NotFound"],
    ["stopping an errored sandbox", { state: "error" }, "InvalidArgument"],
    ["stopping a stopped sandbox", { state: "stopped" }, "Conflict"],
    ["starting a stopped sandbox", { state: "stopped" }, "ok"],
  ] as const)("%s answers the same kind on both", async (name, seed, expected) => {
    const answers = await kinds(seed as SeedSandbox, async (driver, id) => {
      if (name === "starting a deleted sandbox") {
        await driver.delete(id, wait);
        return driver.start(id, wait);
      }
      return name.startsWith("stopping") ? driver.stop(id, wait) : driver.start(id, wait);
    });
    expect(answers).toEqual({ emulator: expected, memory: expected });
  });

  it("refuses files and exec on a stopped sandbox with Conflict on both (the proxy's 400 'not running')", async () => {
    const files = await kinds({ state: "stopped" }, async (driver, id) => await driver.listFiles(id, "/tmp"));
    expect(files).toEqual({ emulator: "Conflict", memory: "Conflict" });
    const exec = await kinds(
      { state: "stopped" },
      async (driver, id) => await driver.exec(id, { command: "true", timeoutMs: 5_000 }),
    );
    expect(exec).toEqual({ emulator: "Conflict", memory: "Conflict" });
  });
});
