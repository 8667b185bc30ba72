/**
 * Opt-in region fallback (`fallbackOn: ["unavailable"]`): `us` answers 503 for 30 s of (fake) time. With the option
 * the sandbox is created in `eu` once us's retries are spent; by default the kit stays in us and reports the error.
 */
import { errAsync } from "neverthrow";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { KitOptions } from "../../src/config.js";
import type { SandboxDriver } from "../../src/driver/types.js";
import { kitError } from "../../src/errors.js";
import { createKitWithSeams } from "../../src/kit.js";
import { type EmulatedDaytona, startEmulatedDaytona } from "../support/emulated-daytona.js";
import { type FakeClock, fakeClock } from "../support/fake-clock.js";

const OUTAGE_MS = 30_000;

let env: EmulatedDaytona;
beforeAll(() => {
  env = startEmulatedDaytona();
});
afterEach(() => env.emulator.reset());
afterAll(() => env.close());

/** The emulated driver, except that creates in us answer 503 until the fake clock passes the outage. */
function usDownFor30s(clock: FakeClock): { driver: SandboxDriver; creates: Record<string, number> } {
  const creates: Record<string, number> = {};
  const driver: SandboxDriver = {
    ...env.driver,
    create: (spec) => {
      const target = spec.target ?? "us";
      creates[target] = (creates[target] ?? 0) + 1;
      if (target === "us" && clock.now() < OUTAGE_MS) {
        return errAsync(kitError.transient("Service Unavailable", { status: 503 }));
      }
      return env.driver.create(spec);
    },
  };
  return { driver, creates };
}

function kitWith(options: Partial<KitOptions>) {
  const clock = fakeClock();
  const { driver, creates } = usDownFor30s(clock);
  const kit = createKitWithSeams(
    {
      driver,
      targets: ["us", "eu"],
      retry: { now: clock.now, sleep: clock.sleep, random: () => 0.5 },
      timeouts: { ensureMs: 120_000 },
      env: {},
      ...options,
    },
    { clock, pollMs: 50 },
  );
  return { kit, creates, clock };
}

const live = (projectId: string) =>
  [...env.emulator.state.sandboxes.values()].filter(
    (s) => s.labels["apex.project"] === projectId && s.state !== "destroyed",
  );

describe("fallbackOn", () => {
  it('["unavailable"]: us 503 → created in eu after us\'s retries, one sandbox', async () => {
    const { kit, creates, clock } = kitWith({ fallbackOn: ["unavailable"] });
    const sandbox = (await kit.ensure({ projectId: "avail" }))._unsafeUnwrap();
    expect(sandbox.region).toBe("eu");
    expect(creates).toEqual({ us: 3, eu: 1 });
    // Still inside the outage: eu was chosen because us failed, not because us came back.
    expect(clock.now()).toBeLessThan(OUTAGE_MS);
    expect(live("avail").map((s) => s.target)).toEqual(["eu"]);
  });

  it("default: stays in us and returns the 503 after the retries; eu is never tried, nothing is created", async () => {
    const { kit, creates } = kitWith({});
    const failed = (await kit.ensure({ projectId: "resident" }))._unsafeUnwrapErr();
    expect(failed.kind).toBe("Transient");
    expect(creates).toEqual({ us: 3 });
    expect(live("resident")).toHaveLength(0);
  });

  it('["unavailable"] with every region down: NoRegionAvailable naming each region\'s last error', async () => {
    const clock = fakeClock();
    const kit = createKitWithSeams(
      {
        driver: { ...env.driver, create: () => errAsync(kitError.transient("Bad Gateway", { status: 502 })) },
        targets: ["us", "eu"],
        fallbackOn: ["unavailable"],
        retry: { now: clock.now, sleep: clock.sleep, random: () => 0.5 },
        env: {},
      },
      { clock, pollMs: 50 },
    );
    const failed = (await kit.ensure({ projectId: "nowhere" }))._unsafeUnwrapErr();
    expect(failed.kind).toBe("NoRegionAvailable");
    if (failed.kind !== "NoRegionAvailable") return;
    expect(failed.attempts.map((a) => [a.region, a.error.kind])).toEqual([
      ["us", "Transient"],
      ["eu", "Transient"],
    ]);
  });
});
