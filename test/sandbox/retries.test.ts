import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type EmulatedDaytona, startEmulatedDaytona } from "../support/emulated-daytona.js";
import { emulatedKit } from "../support/emulated-kit.js";

let env: EmulatedDaytona;
beforeAll(() => {
  env = startEmulatedDaytona();
});
afterEach(() => env.emulator.reset());
afterAll(() => env.close());

async function existingSandbox() {
  const { kit, clock } = emulatedKit(env);
  const sandbox = (await kit.ensure({ projectId: "retry-project" }))._unsafeUnwrap();
  clock.sleeps.length = 0;
  return { kit, clock, sandbox };
}

describe("retries of idempotent calls", () => {
  it("waits the Retry-After of a 429 plus the gate's jitter (fake time) and then succeeds", async () => {
    const { kit, clock, sandbox } = await existingSandbox();
    const before = env.emulator.count("GET /sandbox/:id");
    env.emulator.faults.inject("GET /sandbox/:id", {
      status: 429,
      body: { statusCode: 429, message: "Rate limit exceeded" },
      headers: { "Retry-After": "2" },
    });
    const got = await kit.get(sandbox.id);
    expect(got.isOk()).toBe(true);
    // The class's pause: Retry-After 2 s plus jitter (random 0.5 × 20% of the wait), never less than the server asked.
    expect(clock.sleeps).toEqual([2200]);
    expect(env.emulator.count("GET /sandbox/:id") - before).toBe(2);
  });

  it("retries 502 then 503 with growing jittered delays", async () => {
    const { kit, clock, sandbox } = await existingSandbox();
    env.emulator.faults.inject("GET /sandbox/:id", {
      status: 502,
      body: { statusCode: 502, message: "bad gateway" },
    });
    env.emulator.faults.inject("GET /sandbox/:id", {
      status: 503,
      body: { statusCode: 503, message: "unavailable" },
    });
    expect((await kit.get(sandbox.id)).isOk()).toBe(true);
    // random() = 0.5: half of 100 ms, then half of 200 ms.
    expect(clock.sleeps).toEqual([50, 100]);
  });

  for (const status of [400, 401, 404]) {
    it(`attempts a call answered ${status} exactly once`, async () => {
      const { kit, clock, sandbox } = await existingSandbox();
      const before = env.emulator.count("GET /sandbox/:id");
      env.emulator.faults.inject("GET /sandbox/:id", {
        status,
        body: { statusCode: status, message: `no ${status}` },
      });
      const got = await kit.get(sandbox.id);
      expect(got.isErr()).toBe(true);
      expect(env.emulator.count("GET /sandbox/:id") - before).toBe(1);
      expect(clock.sleeps).toEqual([]);
    });
  }

  it("gives up after three attempts of a persistent 503 and returns the typed error", async () => {
    const { kit, sandbox } = await existingSandbox();
    const before = env.emulator.count("GET /sandbox/:id");
    env.emulator.faults.inject("GET /sandbox/:id", {
      status: 503,
      times: 5,
      body: { statusCode: 503, message: "x" },
    });
    expect((await kit.get(sandbox.id))._unsafeUnwrapErr()).toMatchObject({ kind: "Transient", status: 503 });
    expect(env.emulator.count("GET /sandbox/:id") - before).toBe(3);
  });

  it("never retries exec, even on a 502 (a command may have run)", async () => {
    const { sandbox } = await existingSandbox();
    env.emulator.faults.inject("POST /toolbox/process/execute", {
      status: 502,
      body: { statusCode: 502, message: "bad gateway" },
    });
    expect((await sandbox.exec("echo once"))._unsafeUnwrapErr().kind).toBe("Transient");
    expect(env.emulator.count("POST /toolbox/process/execute")).toBe(1);
  });
});
