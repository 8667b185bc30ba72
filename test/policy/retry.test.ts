import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "../../src/driver/daytona/retry-after.js";
import { type KitError, kitError } from "../../src/errors.js";
import { type RetryInfo, retryResult } from "../../src/policy/retry.js";
import { fail, fakeClock, scripted, succeed } from "./fake-clock.js";

const transient = (status: number) => kitError.transient(`Daytona answered ${status}`, { status });

describe("retryResult", () => {
  it("waits exactly the 2 s of a 429's Retry-After before the next attempt, then returns the success", async () => {
    const clock = fakeClock();
    const retryAfterMs = parseRetryAfter({ "Retry-After": "2" }, clock.now());
    const op = scripted(clock, [
      fail(kitError.rateLimited("Rate limit exceeded", retryAfterMs)),
      succeed("sandbox"),
    ]);

    const result = await retryResult("create sandbox", op.run, { ...clock, random: () => 0.5 });

    expect(result._unsafeUnwrap()).toBe("sandbox");
    expect(clock.sleeps).toEqual([2_000]);
    expect(op.startedAt[1]! - op.startedAt[0]!).toBe(2_000);
    expect(op.attempts).toEqual([1, 2]);
  });

  it("retries 502 and 503 with growing full-jitter delays held under the cap", async () => {
    const clock = fakeClock();
    const op = scripted(clock, [
      fail(transient(502)),
      fail(transient(503)),
      fail(transient(502)),
      fail(transient(503)),
      fail(transient(502)),
      succeed(42),
    ]);
    const result = await retryResult("get sandbox", op.run, {
      ...clock,
      attempts: 6,
      baseDelayMs: 100,
      maxDelayMs: 1_000,
      random: () => 0.5,
    });

    expect(result._unsafeUnwrap()).toBe(42);
    // 0.5 × min(1000, 100·2^(n-1)) for n = 1..5
    expect(clock.sleeps).toEqual([50, 100, 200, 400, 500]);
  });

  it("never waits longer than maxDelayMs even when the jitter draws its maximum", async () => {
    const clock = fakeClock();
    const op = scripted(clock, [fail(transient(503))]);
    const result = await retryResult("get sandbox", op.run, {
      ...clock,
      attempts: 7,
      baseDelayMs: 100,
      maxDelayMs: 1_000,
      random: () => 1,
    });

    expect(result._unsafeUnwrapErr().kind).toBe("Transient");
    expect(clock.sleeps).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it("uses the throttled base of 500 ms after a RateLimited error without Retry-After", async () => {
    const clock = fakeClock();
    const op = scripted(clock, [
      fail(kitError.rateLimited("429")),
      fail(kitError.rateLimited("429")),
      succeed(1),
    ]);
    await retryResult("list sandboxes", op.run, { ...clock, random: () => 1 });

    expect(clock.sleeps).toEqual([500, 1_000]);
  });

  it("returns the last attempt's error, unchanged, when the attempts run out", async () => {
    const clock = fakeClock();
    const last = transient(503);
    const op = scripted(clock, [fail(transient(500)), fail(transient(502)), fail(last)]);
    const result = await retryResult("stop sandbox", op.run, { ...clock, random: () => 0 });

    expect(result._unsafeUnwrapErr()).toBe(last);
    expect(op.attempts).toEqual([1, 2, 3]);
    expect(clock.sleeps).toHaveLength(2);
  });

  it.each<[string, KitError]>([
    ["400 InvalidArgument", kitError.invalidArgument("image", "bad image", { status: 400 })],
    ["401 Auth", kitError.auth("API key rejected", { status: 401 })],
    ["403 Forbidden", kitError.forbidden("quota", 403)],
    ["404 NotFound", kitError.notFound("sandbox", "abc")],
    ["409 Conflict", kitError.conflict("sandbox is starting")],
    ["RegionUnavailable", kitError.regionUnavailable("us", "Region us is not available to the organization")],
    ["Aborted", kitError.aborted("create sandbox")],
    ["PayloadTooLarge", kitError.payloadTooLarge("/workspace/big.bin", 6_000_000, 5_242_880)],
  ])("attempts a %s error exactly once and returns it", async (_name, error) => {
    const clock = fakeClock();
    const op = scripted(clock, [fail(error), succeed("never reached")]);
    const result = await retryResult("call", op.run, clock);

    expect(result._unsafeUnwrapErr()).toBe(error);
    expect(op.attempts).toEqual([1]);
    expect(clock.sleeps).toEqual([]);
  });

  it("retries a Timeout when the call is idempotent (the default)", async () => {
    const clock = fakeClock();
    const op = scripted(clock, [fail(kitError.timeout("get sandbox", 10_000)), succeed("ok")]);
    const result = await retryResult("get sandbox", op.run, clock);

    expect(result._unsafeUnwrap()).toBe("ok");
    expect(op.attempts).toEqual([1, 2]);
  });

  it("does not retry a Timeout when the call is not idempotent", async () => {
    const clock = fakeClock();
    const timeout = kitError.timeout("create sandbox", 60_000);
    const op = scripted(clock, [fail(timeout), succeed("duplicate!")]);
    const result = await retryResult("create sandbox", op.run, { ...clock, idempotent: false });

    expect(result._unsafeUnwrapErr()).toBe(timeout);
    expect(op.attempts).toEqual([1]);
  });

  it("still retries RateLimited and Transient when the call is not idempotent", async () => {
    const clock = fakeClock();
    const op = scripted(clock, [fail(kitError.rateLimited("429")), fail(transient(503)), succeed("made")]);
    const result = await retryResult("create sandbox", op.run, { ...clock, idempotent: false });

    expect(result._unsafeUnwrap()).toBe("made");
    expect(op.attempts).toEqual([1, 2, 3]);
  });

  it("honours a Retry-After above the jitter but gives up on one above maxDelayMs", async () => {
    const clock = fakeClock();
    const longWait = kitError.rateLimited("429", 25_000);
    const op = scripted(clock, [fail(longWait), succeed("x")]);
    const result = await retryResult("create sandbox", op.run, clock);

    expect(result._unsafeUnwrapErr()).toBe(longWait);
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "RateLimited", retryAfterMs: 25_000 });
    expect(clock.sleeps).toEqual([]);
  });

  it("honours a 503's Retry-After", async () => {
    const clock = fakeClock();
    const op = scripted(clock, [
      fail(kitError.transient("503", { status: 503, retryAfterMs: 3_000 })),
      succeed(1),
    ]);
    await retryResult("get sandbox", op.run, { ...clock, random: () => 1 });

    expect(clock.sleeps).toEqual([3_000]);
  });

  it("tells onRetry the operation, the failed attempt, the delay and the error before each wait", async () => {
    const clock = fakeClock();
    const seen: RetryInfo[] = [];
    const op = scripted(clock, [
      fail(kitError.rateLimited("429", 1_000)),
      fail(transient(502)),
      succeed("ok"),
    ]);
    await retryResult("start sandbox", op.run, {
      ...clock,
      random: () => 1,
      onRetry: (info) => seen.push(info),
    });

    expect(
      seen.map(({ operation, attempt, delayMs, error }) => ({
        operation,
        attempt,
        delayMs,
        kind: error.kind,
      })),
    ).toEqual([
      { operation: "start sandbox", attempt: 1, delayMs: 1_000, kind: "RateLimited" },
      { operation: "start sandbox", attempt: 2, delayMs: 200, kind: "Transient" },
    ]);
    expect(seen.map((info) => info.delayMs)).toEqual(clock.sleeps);
  });

  it("ignores an onRetry that throws", async () => {
    const clock = fakeClock();
    const op = scripted(clock, [fail(transient(502)), succeed("ok")]);
    const result = await retryResult("get", op.run, {
      ...clock,
      onRetry: () => {
        throw new Error("logger down");
      },
    });

    expect(result._unsafeUnwrap()).toBe("ok");
  });

  it("maps a run that throws to Unexpected and does not retry it", async () => {
    const clock = fakeClock();
    let calls = 0;
    const result = await retryResult(
      "get",
      () => {
        calls += 1;
        throw new Error("bug");
      },
      clock,
    );

    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "Unexpected", retryable: false });
    expect(result._unsafeUnwrapErr().message).toContain("bug");
    expect(calls).toBe(1);
  });

  it("maps a sleep that fails for another reason than an abort to Unexpected", async () => {
    const op = scripted(fakeClock(), [fail(transient(502)), succeed("ok")]);
    const result = await retryResult("get", op.run, {
      sleep: () => Promise.reject(new Error("timer broke")),
    });

    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "Unexpected" });
    expect(op.attempts).toEqual([1]);
  });

  it.each([
    [{ attempts: 0 }, "attempts"],
    [{ attempts: 1.5 }, "attempts"],
    [{ attempts: Number.POSITIVE_INFINITY }, "attempts"],
    [{ baseDelayMs: -1 }, "baseDelayMs"],
    [{ maxDelayMs: Number.NaN }, "maxDelayMs"],
    [{ deadlineMs: Number.POSITIVE_INFINITY }, "deadlineMs"],
  ])("refuses the invalid policy %o with InvalidArgument and runs nothing", async (policy, argument) => {
    const op = scripted(fakeClock(), [succeed(1)]);
    const result = await retryResult("get", op.run, policy);

    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "InvalidArgument", argument });
    expect(op.attempts).toEqual([]);
  });

  it("runs once and does not wait with attempts: 1", async () => {
    const clock = fakeClock();
    const op = scripted(clock, [fail(transient(503)), succeed(1)]);
    const result = await retryResult("get", op.run, { ...clock, attempts: 1 });

    expect(result._unsafeUnwrapErr().kind).toBe("Transient");
    expect(op.attempts).toEqual([1]);
    expect(clock.sleeps).toEqual([]);
  });
});
