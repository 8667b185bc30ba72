import { DaytonaRateLimitError } from "@daytonaio/sdk";
import { describe, expect, it } from "vitest";
import { EmulatorRateLimiter, throttlersOf } from "../../src/testing/index.js";
import { createSimulatedClock } from "../../src/testing/simulated-clock.js";
import { useEmulator } from "./fixture.js";

const env = useEmulator();

/** A manual clock: tests move it explicitly. */
function manualClock(start = 0) {
  let time = start;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

describe("the emulator's rate limiter", () => {
  it("counts creates against authenticated and sandbox-create, lifecycle against sandbox-lifecycle", () => {
    expect(throttlersOf("POST /sandbox")).toEqual(["authenticated", "sandbox-create"]);
    expect(throttlersOf("POST /sandbox/:id/start")).toEqual(["authenticated", "sandbox-lifecycle"]);
    expect(throttlersOf("DELETE /sandbox/:id")).toEqual(["authenticated", "sandbox-lifecycle"]);
    expect(throttlersOf("GET /sandbox")).toEqual(["authenticated"]);
    expect(throttlersOf("POST /toolbox/process/execute")).toEqual([]);
  });

  it("refuses the request past the limit until the window ends, with the seconds left", () => {
    const clock = manualClock();
    const limiter = new EmulatorRateLimiter({ "sandbox-create": { limit: 2, windowMs: 60_000 } }, clock.now);
    expect(limiter.check("POST /sandbox")).toBeUndefined();
    clock.advance(1_000);
    expect(limiter.check("POST /sandbox")).toBeUndefined();
    clock.advance(500);
    expect(limiter.check("POST /sandbox")).toEqual({ throttler: "sandbox-create", retryAfterSeconds: 59 });
    expect(limiter.check("GET /sandbox")).toBeUndefined(); // other throttlers are independent
    clock.advance(58_500); // the window opened at 0 closes at 60 000
    expect(limiter.check("POST /sandbox")).toBeUndefined();
    expect(limiter.rejected("sandbox-create")).toBe(1);
    expect(limiter.rejected()).toBe(1);
  });

  it("checks authenticated first: a create refused by it never counts against sandbox-create", () => {
    const clock = manualClock();
    const limiter = new EmulatorRateLimiter(
      { authenticated: { limit: 1, windowMs: 1_000 }, "sandbox-create": { limit: 1, windowMs: 1_000 } },
      clock.now,
    );
    expect(limiter.check("GET /sandbox")).toBeUndefined();
    expect(limiter.check("POST /sandbox")?.throttler).toBe("authenticated");
    clock.advance(1_000);
    expect(limiter.check("POST /sandbox")).toBeUndefined();
  });

  it("answers every request 429 during a storm, then serves again", () => {
    const clock = manualClock();
    const limiter = new EmulatorRateLimiter({}, clock.now);
    limiter.storm(10_000);
    expect(limiter.check("GET /sandbox")).toEqual({ throttler: "authenticated", retryAfterSeconds: 1 });
    expect(limiter.check("POST /sandbox")).toEqual({ throttler: "sandbox-create", retryAfterSeconds: 1 });
    expect(limiter.check("POST /toolbox/files/folder")?.throttler).toBe("authenticated");
    clock.advance(10_000);
    expect(limiter.check("POST /sandbox")).toBeUndefined();
    expect(limiter.rejected()).toBe(3);
  });

  it("sends Retry-After and Retry-After-<throttler> through the real SDK, logged with the throttler", async () => {
    const emulator = env.withOptions({ rateLimits: { "sandbox-create": { limit: 1, windowMs: 60_000 } } });
    const daytona = env.client();
    await daytona.create();
    const failure = await daytona.create().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DaytonaRateLimitError);
    const headers = (failure as DaytonaRateLimitError).headers as Record<string, string>;
    expect(Number(headers["retry-after-sandbox-create"])).toBeGreaterThan(0);
    expect(headers["retry-after"]).toBe(headers["retry-after-sandbox-create"]);
    const creates = emulator.requests.filter((r) => r.route === "POST /sandbox");
    expect(creates.map((r) => [r.status, r.throttledBy])).toEqual([
      [200, undefined],
      [429, "sandbox-create"],
    ]);
    expect(emulator.sandboxes.list()).toHaveLength(1);
  });

  it("logs requests on the injected clock", async () => {
    const clock = createSimulatedClock({ start: 5_000 });
    const emulator = env.withOptions({ clock, latencyMs: 250 });
    const daytona = env.client();
    await daytona.create();
    expect(clock.now()).toBe(5_250); // the latency passed in simulated time
    expect(emulator.requests.map((r) => [r.route, r.at])).toEqual([["POST /sandbox", 5_000]]);
  });
});

describe("the simulated clock", () => {
  it("wakes sleeps in time order and jumps straight to each", async () => {
    const clock = createSimulatedClock();
    const woke: [string, number][] = [];
    await Promise.all([
      clock.sleep(300).then(() => woke.push(["b", clock.now()])),
      clock.sleep(100).then(() => woke.push(["a", clock.now()])),
      clock.sleep(300).then(() => woke.push(["c", clock.now()])),
    ]);
    expect(woke).toEqual([
      ["a", 100],
      ["b", 300],
      ["c", 300],
    ]);
    expect(clock.pending).toBe(0);
  });

  it("rejects an aborted sleep with the signal's reason and forgets it", async () => {
    const clock = createSimulatedClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(1_000, controller.signal);
    controller.abort(new Error("stop"));
    await expect(sleeping).rejects.toThrow("stop");
    expect(clock.pending).toBe(0);
  });
});
