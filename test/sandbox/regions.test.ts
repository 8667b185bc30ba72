import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmulatedDaytona, startEmulatedDaytona } from "../support/emulated-daytona.js";
import { emulatedKit } from "../support/emulated-kit.js";

describe("region fallback when us is not available to the organization", () => {
  let env: EmulatedDaytona;
  beforeAll(() => {
    env = startEmulatedDaytona({ regions: { known: ["us", "eu"], available: ["eu"] } });
  });
  afterAll(() => env.close());

  it("creates in eu after the real 403 from us, and goes straight to eu next time", async () => {
    const { kit } = emulatedKit(env);
    const first = (await kit.ensure({ projectId: "r1" }))._unsafeUnwrap();
    expect(first.region).toBe("eu");
    expect(env.emulator.count("POST /sandbox")).toBe(2);
    const second = (await kit.ensure({ projectId: "r2" }))._unsafeUnwrap();
    expect(second.region).toBe("eu");
    expect(env.emulator.count("POST /sandbox")).toBe(3);
  });

  it("returns Auth on a 401 from us without touching eu", async () => {
    const { kit } = emulatedKit(env);
    const before = env.emulator.count("POST /sandbox");
    env.emulator.faults.inject("POST /sandbox", {
      status: 401,
      body: { statusCode: 401, message: "Unauthorized" },
    });
    expect((await kit.ensure({ projectId: "r3" }))._unsafeUnwrapErr().kind).toBe("Auth");
    expect(env.emulator.count("POST /sandbox") - before).toBe(1);
  });
});

describe("region fallback when no region is available", () => {
  let env: EmulatedDaytona;
  beforeAll(() => {
    env = startEmulatedDaytona({ regions: { known: ["us", "eu"], available: [] } });
  });
  afterAll(() => env.close());

  it("returns NoRegionAvailable with one entry per region, in order", async () => {
    const { kit } = emulatedKit(env);
    const failed = (await kit.ensure({ projectId: "nowhere" }))._unsafeUnwrapErr();
    expect(failed.kind).toBe("NoRegionAvailable");
    if (failed.kind !== "NoRegionAvailable") return;
    expect(failed.attempts.map((a) => [a.region, a.error.kind])).toEqual([
      ["us", "RegionUnavailable"],
      ["eu", "RegionUnavailable"],
    ]);
  });
});

describe("region fallback on an unknown region", () => {
  let env: EmulatedDaytona;
  beforeAll(() => {
    env = startEmulatedDaytona({ regions: { known: ["eu"], available: ["eu"] }, targets: ["mars", "eu"] });
  });
  afterAll(() => env.close());

  it("treats 404 Region not found as unavailable and moves on", async () => {
    const { kit } = emulatedKit(env, {}, 60_000, ["mars", "eu"]);
    expect((await kit.ensure({ projectId: "far" }))._unsafeUnwrap().region).toBe("eu");
  });
});
