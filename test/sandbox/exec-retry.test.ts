import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mapDaytonaError } from "../../src/driver/daytona/map-error.js";
import { certainlyNotProcessed } from "../../src/driver/retrying.js";
import { kitError } from "../../src/errors.js";
import { type EmulatedDaytona, startEmulatedDaytona } from "../support/emulated-daytona.js";
import { emulatedKit } from "../support/emulated-kit.js";

let env: EmulatedDaytona;
beforeAll(() => {
  env = startEmulatedDaytona();
});
afterEach(() => env.emulator.reset());
afterAll(() => env.close());

const EXECUTE = "POST /toolbox/process/execute";

async function sandbox() {
  const { kit, clock } = emulatedKit(env);
  const box = (await kit.ensure({ projectId: "exec-retry" }))._unsafeUnwrap();
  // The root exists (as after any write), so only the command's own requests are counted.
  (await box.fs.mkdir("."))._unsafeUnwrap();
  return { box, clock };
}

describe("exec is retried only when the server certainly did not run it", () => {
  it("a 429 is retried after its Retry-After, and the command runs once", async () => {
    const { box, clock } = await sandbox();
    const before = env.emulator.count(EXECUTE);
    env.emulator.faults.inject(EXECUTE, { status: 429, headers: { "Retry-After": "1" } });
    const result = await box.exec("echo hi");
    expect(result._unsafeUnwrap().output.trim()).toBe("hi");
    expect(env.emulator.count(EXECUTE) - before).toBe(2);
    expect(clock.sleeps).toContain(1_000);
    expect(env.emulator.commands(box.id).filter((c) => c.command.includes("echo hi"))).toHaveLength(1);
  });

  for (const fault of [
    { status: 500 },
    { status: 502 },
    { status: 503 },
    { status: 504 },
    { connectionError: true },
  ]) {
    it(`${JSON.stringify(fault)} is not retried: the command may have run`, async () => {
      const { box } = await sandbox();
      const before = env.emulator.count(EXECUTE);
      env.emulator.faults.inject(EXECUTE, { ...fault, applyFirst: true });
      const result = await box.exec("echo once");
      expect(result.isErr()).toBe(true);
      expect(env.emulator.count(EXECUTE) - before).toBe(1);
    });
  }
});

describe("certainlyNotProcessed", () => {
  it("says yes for a 429 and a connection refused, no for everything that may follow a run", () => {
    expect(certainlyNotProcessed(kitError.rateLimited("429"))).toBe(true);
    const refused = mapDaytonaError(
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { name: "DaytonaConnectionError" }),
      { operation: "exec" },
    );
    expect(refused.kind).toBe("Transient");
    expect(certainlyNotProcessed(refused)).toBe(true);
    const reset = mapDaytonaError(
      Object.assign(new Error("socket hang up"), { name: "DaytonaConnectionError", code: "ECONNRESET" }),
      { operation: "exec" },
    );
    expect(certainlyNotProcessed(reset)).toBe(false);
    expect(certainlyNotProcessed(kitError.transient("bad gateway", { status: 502 }))).toBe(false);
    expect(certainlyNotProcessed(kitError.timeout("exec", 1_000))).toBe(false);
    expect(certainlyNotProcessed(kitError.serverTimeout("exec", 504))).toBe(false);
  });
});
