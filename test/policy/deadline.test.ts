import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import { type KitError, kitError } from "../../src/errors.js";
import { clampTimerMs, currentScope, MAX_TIMER_MS, withScope } from "../../src/policy/deadline.js";
import { realSleep } from "../../src/policy/sleep.js";

const never = (): ResultAsync<never, KitError> => new ResultAsync(new Promise(() => {}));

describe("clampTimerMs", () => {
  it("keeps every delay inside what Node's timers honour", () => {
    expect(clampTimerMs(2 ** 31)).toBe(MAX_TIMER_MS);
    expect(clampTimerMs(Number.POSITIVE_INFINITY)).toBe(MAX_TIMER_MS);
    expect(clampTimerMs(1e12)).toBe(MAX_TIMER_MS);
    expect(clampTimerMs(Number.NaN)).toBe(0);
    expect(clampTimerMs(-5)).toBe(0);
    expect(clampTimerMs(1.2)).toBe(2);
  });
});

describe("withScope", () => {
  it("ends work that never settles with Timeout naming the call and its real budget", async () => {
    const started = Date.now();
    const result = await withScope({ operation: "ensure sandbox for project p", timeoutMs: 5 }, never);
    expect(result._unsafeUnwrapErr()).toMatchObject({
      kind: "Timeout",
      operation: "ensure sandbox for project p",
      afterMs: 5,
    });
    expect(result._unsafeUnwrapErr().message).toContain("after 5 ms");
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("does not fire early for a budget above 2^31-1 ms", async () => {
    const result = withScope({ operation: "long", timeoutMs: 30 * 24 * 3600e3 }, () =>
      ResultAsync.fromSafePromise(realSleep(30).then(() => "done")),
    );
    expect((await result)._unsafeUnwrap()).toBe("done");
  });

  it("settles Aborted the moment a signal fires, and Aborted at once when it already has", async () => {
    const controller = new AbortController();
    const running = withScope({ operation: "list", timeoutMs: 60_000, signals: [controller.signal] }, never);
    controller.abort();
    expect((await running)._unsafeUnwrapErr()).toMatchObject({ kind: "Aborted", operation: "list" });
    let ran = false;
    const late = await withScope({ operation: "get", signals: [controller.signal] }, () => {
      ran = true;
      return okAsync(1);
    });
    expect(late._unsafeUnwrapErr().kind).toBe("Aborted");
    expect(ran).toBe(false);
  });

  it("exposes the scope to everything inside, and nested scopes never outlive the outer deadline", async () => {
    const seen = await withScope({ operation: "outer", timeoutMs: 50 }, () =>
      withScope({ operation: "inner", timeoutMs: 60_000 }, () => {
        const inner = currentScope();
        return okAsync(inner?.remainingMs() ?? Number.NaN);
      }),
    );
    expect(seen._unsafeUnwrap()).toBeLessThanOrEqual(50);
    const outer = await withScope({ operation: "outer", timeoutMs: 20 }, () =>
      withScope({ operation: "inner", timeoutMs: 60_000 }, never),
    );
    expect(outer._unsafeUnwrapErr()).toMatchObject({ kind: "Timeout", operation: "outer", afterMs: 20 });
    expect(currentScope()).toBeUndefined();
  });

  it("a nested scope cut short by the outer deadline times out as the outer call, whichever timer fires first", async () => {
    const limited = await withScope({ operation: "outer", timeoutMs: 5_000 }, () =>
      withScope({ operation: "inner", timeoutMs: 60_000 }, () => okAsync(currentScope()?.timeoutError())),
    );
    expect(limited._unsafeUnwrap()).toMatchObject({ kind: "Timeout", operation: "outer", afterMs: 5_000 });
    const own = await withScope({ operation: "outer", timeoutMs: 60_000 }, () =>
      withScope({ operation: "inner", timeoutMs: 20 }, never),
    );
    expect(own._unsafeUnwrapErr()).toMatchObject({ kind: "Timeout", operation: "inner", afterMs: 20 });
  });

  it("an error arriving after the deadline, before the scope's timer fired, settles as the scope's Timeout", async () => {
    // The work blocks the event loop past the deadline, then fails with a request-level timeout (as an HTTP
    // client's own timer would): the scope's timer has had no chance to run, yet the call is the scope's Timeout.
    const result = await withScope({ operation: "ensure tiny", timeoutMs: 5 }, () =>
      okAsync(undefined).andThen(() => {
        const until = Date.now() + 30;
        while (Date.now() < until) {
          // busy: no timer can fire
        }
        return errAsync(kitError.timeout("request"));
      }),
    );
    expect(result._unsafeUnwrapErr()).toMatchObject({
      kind: "Timeout",
      operation: "ensure tiny",
      afterMs: 5,
    });
  });

  it("passes a result through untouched and turns a throw into Unexpected", async () => {
    expect((await withScope({ operation: "x", timeoutMs: 1_000 }, () => okAsync(7)))._unsafeUnwrap()).toBe(7);
    const failed = await withScope({ operation: "x", timeoutMs: 1_000 }, () =>
      errAsync(kitError.conflict("c")),
    );
    expect(failed._unsafeUnwrapErr().kind).toBe("Conflict");
    const thrown = await withScope({ operation: "x", timeoutMs: 1_000 }, () => {
      throw new Error("boom");
    });
    expect(thrown._unsafeUnwrapErr().kind).toBe("Unexpected");
  });
});
