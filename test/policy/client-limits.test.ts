import { describe, expect, it } from "vitest";
import { createClientLimiters } from "../../src/policy/client-limits.js";
import { fakeClock } from "../support/fake-clock.js";

describe("client-side rate limits (sliding window per throttler class)", () => {
  it("starts at most `limit` requests in any window, in arrival order", async () => {
    const clock = fakeClock();
    const limiters = createClientLimiters({ "sandbox-create": { limit: 3, windowMs: 1_000 } }, clock);
    const startedAt: number[] = [];
    for (let i = 0; i < 7; i++) {
      const stamp = await limiters.take("sandbox-create");
      expect(stamp).toBeTypeOf("function");
      stamp?.();
      startedAt.push(clock.now());
    }
    expect(startedAt).toEqual([0, 0, 0, 1_000, 1_000, 1_000, 2_000]);
  });

  it("counts a window from the real send when it came after the reservation", async () => {
    const clock = fakeClock();
    const limiters = createClientLimiters({ authenticated: { limit: 1, windowMs: 1_000 } }, clock);
    const stamp = await limiters.take("authenticated");
    clock.advance(400);
    stamp?.();
    await limiters.take("authenticated");
    expect(clock.now()).toBe(1_400);
  });

  it("leaves classes without a limit alone, and ends a wait when the signal aborts", async () => {
    const clock = fakeClock();
    const limiters = createClientLimiters({ "sandbox-create": { limit: 1, windowMs: 60_000 } }, clock);
    expect(await limiters.take("sandbox-lifecycle")).toBeTypeOf("function");
    await limiters.take("sandbox-create");
    const aborted = new AbortController();
    aborted.abort();
    expect(await limiters.take("sandbox-create", aborted.signal)).toBeUndefined();
  });

  it("stays linear with a huge limit: 200,000 requests in one window, then the next waits for the window", async () => {
    // A limiter that rescanned every send per request (or spread them into Math.min) hangs or overflows here.
    const clock = fakeClock();
    const limiters = createClientLimiters({ authenticated: { limit: 200_000, windowMs: 1_000 } }, clock);
    for (let i = 0; i < 200_000; i++) await limiters.take("authenticated");
    expect(clock.now()).toBe(0);
    await limiters.take("authenticated");
    expect(clock.now()).toBe(1_000);
  });
});
