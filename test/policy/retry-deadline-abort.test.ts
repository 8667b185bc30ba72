import { errAsync, okAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import { kitError } from "../../src/errors.js";
import { retryResult } from "../../src/policy/retry.js";
import { fail, fakeClock, scripted, succeed } from "./fake-clock.js";

const transient = (status: number) => kitError.transient(`Daytona answered ${status}`, { status });

describe("retryResult deadline and abort", () => {
  it("stops before a wait that would end past the deadline and returns the last error", async () => {
    const clock = fakeClock();
    const last = transient(502);
    // Each attempt takes 300 ms; waits are 400, 800, … (random 1, base 400).
    const op = scripted(clock, [fail(transient(503)), fail(last), succeed("too late")], 300);
    const start = clock.now();
    const result = await retryResult("get sandbox", op.run, {
      ...clock,
      attempts: 10,
      baseDelayMs: 400,
      deadlineMs: 1_500,
      random: () => 1,
    });

    // t=0 attempt 1 (ends 300), wait 400 → t=700 attempt 2 (ends 1000), a wait of 800 would end at 1800 > 1500.
    expect(result._unsafeUnwrapErr()).toBe(last);
    expect(op.startedAt.map((t) => t - start)).toEqual([0, 700]);
    expect(clock.sleeps).toEqual([400]);
    expect(clock.now() - start).toBeLessThanOrEqual(1_500);
  });

  it("does not wait for a Retry-After longer than the remaining deadline", async () => {
    const clock = fakeClock();
    const limited = kitError.rateLimited("429", 30_000);
    const op = scripted(clock, [fail(limited), succeed("x")]);
    const result = await retryResult("create sandbox", op.run, { ...clock, deadlineMs: 10_000 });

    expect(result._unsafeUnwrapErr()).toBe(limited);
    expect(op.attempts).toEqual([1]);
    expect(clock.sleeps).toEqual([]);
  });

  it("keeps retrying with unlimited attempts until the deadline", async () => {
    const clock = fakeClock();
    const op = scripted(clock, [fail(transient(503))]);
    const result = await retryResult("wait for started", op.run, {
      ...clock,
      attempts: Number.POSITIVE_INFINITY,
      baseDelayMs: 100,
      maxDelayMs: 100,
      deadlineMs: 1_000,
      random: () => 1,
    });

    expect(result._unsafeUnwrapErr().kind).toBe("Transient");
    // Waits of 100 ms fit while they end before t=1000: nine waits, ten attempts.
    expect(op.attempts).toHaveLength(10);
    expect(clock.sleeps.every((d) => d === 100)).toBe(true);
  });

  it("returns Aborted without any attempt when the signal is already aborted", async () => {
    const clock = fakeClock();
    const op = scripted(clock, [succeed(1)]);
    const controller = new AbortController();
    controller.abort(new Error("shutting down"));
    const result = await retryResult("get sandbox", op.run, { ...clock, signal: controller.signal });

    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "Aborted", operation: "get sandbox" });
    expect(op.attempts).toEqual([]);
  });

  it("returns Aborted at once when the signal fires during a wait, without further attempts", async () => {
    const clock = fakeClock();
    const controller = new AbortController();
    const op = scripted(clock, [fail(transient(503)), succeed("never")]);
    const sleepsStarted: number[] = [];
    // A wait that would never end on its own: only the abort can finish it.
    const sleep = (ms: number) => {
      sleepsStarted.push(ms);
      queueMicrotask(() => controller.abort());
      return new Promise<void>(() => {});
    };
    const result = await retryResult("get sandbox", op.run, {
      now: clock.now,
      sleep,
      signal: controller.signal,
      random: () => 1,
    });

    expect(result._unsafeUnwrapErr().kind).toBe("Aborted");
    expect(sleepsStarted).toEqual([100]);
    expect(op.attempts).toEqual([1]);
  });

  it("returns Aborted when the signal fires during an attempt that then fails retryably", async () => {
    const clock = fakeClock();
    const controller = new AbortController();
    const attempts: number[] = [];
    const result = await retryResult(
      "get sandbox",
      (attempt) => {
        attempts.push(attempt);
        controller.abort();
        return errAsync(transient(502));
      },
      { ...clock, signal: controller.signal },
    );

    expect(result._unsafeUnwrapErr().kind).toBe("Aborted");
    expect(attempts).toEqual([1]);
    expect(clock.sleeps).toEqual([]);
  });

  it("keeps a success even when the signal fires right after it", async () => {
    const controller = new AbortController();
    const result = await retryResult(
      "create sandbox",
      () => {
        controller.abort();
        return okAsync("sb-1");
      },
      { signal: controller.signal },
    );

    expect(result._unsafeUnwrap()).toBe("sb-1");
  });
});
