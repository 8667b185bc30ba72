import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type KitError, kitError } from "../../src/errors.js";
import { DEFAULT_RETRY_POLICY, isRetryable, retryDelayMs, retryResult } from "../../src/policy/retry.js";
import { fail, fakeClock, scripted } from "./fake-clock.js";

const transient = (status: number) => kitError.transient(`Daytona answered ${status}`, { status });

describe("DEFAULT_RETRY_POLICY", () => {
  it("holds the documented defaults and cannot be changed", () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({
      attempts: 3,
      baseDelayMs: 100,
      throttledBaseDelayMs: 500,
      maxDelayMs: 20_000,
    });
    expect(Object.isFrozen(DEFAULT_RETRY_POLICY)).toBe(true);
  });
});

describe("isRetryable", () => {
  it.each<[string, KitError, boolean, boolean]>([
    ["RateLimited", kitError.rateLimited("429", 1_000), true, true],
    ["Transient 502", transient(502), true, true],
    ["Transient without status (connection reset)", kitError.transient("ECONNRESET"), true, true],
    ["Timeout", kitError.timeout("get sandbox", 5_000), true, false],
    ["InvalidArgument", kitError.invalidArgument("x", "bad", { status: 422 }), false, false],
    ["Auth", kitError.auth("no key"), false, false],
    ["Forbidden", kitError.forbidden("nope", 403), false, false],
    ["NotFound", kitError.notFound("sandbox", "a"), false, false],
    ["Conflict", kitError.conflict("busy"), false, false],
    ["RegionUnavailable", kitError.regionUnavailable("us", "unavailable"), false, false],
    ["NoRegionAvailable", kitError.noRegionAvailable([]), false, false],
    ["Aborted", kitError.aborted("x"), false, false],
    ["PathOutsideRoot", kitError.pathOutsideRoot("../etc", "/workspace"), false, false],
    ["Unexpected", kitError.unexpected("?"), false, false],
  ])("classifies %s: idempotent %s, non-idempotent %s", (_name, error, idempotent, nonIdempotent) => {
    expect(isRetryable(error, true)).toBe(idempotent);
    expect(isRetryable(error, false)).toBe(nonIdempotent);
  });

  it("never retries what the error itself marks as not retryable", () => {
    const finalTimeout = kitError.timeout("wait", 1_000, undefined, false);
    expect(isRetryable(finalTimeout, true)).toBe(false);
  });
});

describe("retryDelayMs", () => {
  it("doubles the jitter ceiling per attempt from the base of 100 ms", () => {
    const delays = [1, 2, 3, 4].map((n) => retryDelayMs(n, transient(503), { random: () => 1 }));
    expect(delays).toEqual([100, 200, 400, 800]);
  });

  it("draws full jitter: the random fraction of the ceiling, rounded down", () => {
    expect(retryDelayMs(3, transient(503), { random: () => 0.25 })).toBe(100);
    expect(retryDelayMs(3, transient(503), { random: () => 0 })).toBe(0);
  });

  it("caps the ceiling at maxDelayMs, also for huge attempt numbers", () => {
    expect(retryDelayMs(20, transient(503), { random: () => 1 })).toBe(20_000);
    expect(retryDelayMs(5_000, transient(503), { random: () => 1, maxDelayMs: 750 })).toBe(750);
  });

  it("gives 0, not NaN, for a base of 0 at an attempt number past 2^1024", () => {
    expect(
      retryDelayMs(1_025, kitError.timeout("op"), { baseDelayMs: 0, maxDelayMs: 0, random: () => 1 }),
    ).toBe(0);
    expect(retryDelayMs(1_025, transient(503), { baseDelayMs: 0, random: () => 1 })).toBe(0);
  });

  it("starts from 500 ms after a RateLimited error", () => {
    expect(retryDelayMs(1, kitError.rateLimited("429"), { random: () => 1 })).toBe(500);
    expect(retryDelayMs(2, kitError.rateLimited("429"), { random: () => 1, throttledBaseDelayMs: 50 })).toBe(
      100,
    );
  });

  it("never goes below the server's Retry-After, even above the cap", () => {
    expect(retryDelayMs(1, kitError.rateLimited("429", 2_000), { random: () => 0.5 })).toBe(2_000);
    expect(retryDelayMs(1, kitError.rateLimited("429", 60_000), { random: () => 1 })).toBe(60_000);
    expect(retryDelayMs(6, kitError.rateLimited("429", 10), { random: () => 1 })).toBe(16_000);
  });

  it("keeps a broken random source from producing a negative or NaN delay", () => {
    expect(retryDelayMs(2, transient(503), { random: () => Number.NaN })).toBe(0);
    expect(retryDelayMs(2, transient(503), { random: () => -3 })).toBe(0);
    expect(retryDelayMs(2, transient(503), { random: () => 7 })).toBe(200);
  });
});

const retryableError = fc.oneof(
  fc.constantFrom(500, 502, 503, 504).map(transient),
  fc
    .option(fc.integer({ min: 0, max: 120_000 }), { nil: undefined })
    .map((ms) => kitError.rateLimited("429", ms)),
  fc
    .integer({ min: 0, max: 120_000 })
    .map((ms) => kitError.transient("503", { status: 503, retryAfterMs: ms })),
  fc.constant(kitError.timeout("op", 1_000)),
);
const policy = fc.record({
  baseDelayMs: fc.integer({ min: 0, max: 10_000 }),
  throttledBaseDelayMs: fc.integer({ min: 0, max: 10_000 }),
  maxDelayMs: fc.integer({ min: 0, max: 60_000 }),
  random: fc.double({ min: 0, max: 1, noNaN: true }).map((r) => () => r),
});

describe("retryDelayMs properties", () => {
  it("is never negative, never above the cap except for an honoured Retry-After, never below a Retry-After", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2_000 }), retryableError, policy, (attempt, error, p) => {
        const delay = retryDelayMs(attempt, error, p);
        const serverWait = "retryAfterMs" in error ? error.retryAfterMs : undefined;
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(Math.max(p.maxDelayMs, serverWait ?? 0));
        if (serverWait !== undefined) expect(delay).toBeGreaterThanOrEqual(serverWait);
      }),
    );
  });

  it("makes retryResult wait only between 0 and maxDelayMs, whatever the errors", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(retryableError, { minLength: 1, maxLength: 8 }),
        policy,
        async (errors, p) => {
          const clock = fakeClock();
          const op = scripted(clock, errors.map(fail));
          await retryResult("prop", op.run, { ...p, ...clock, attempts: errors.length });
          for (const wait of clock.sleeps) {
            expect(wait).toBeGreaterThanOrEqual(0);
            expect(wait).toBeLessThanOrEqual(p.maxDelayMs);
          }
          expect(op.attempts.length).toBe(clock.sleeps.length + 1);
        },
      ),
    );
  });
});
