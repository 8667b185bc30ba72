import { describe, expect, it } from "vitest";
import { realSleep, sleepUnlessAborted } from "../../src/policy/sleep.js";

describe("realSleep (the default sleep)", () => {
  it("resolves after a zero wait", async () => {
    await expect(realSleep(0)).resolves.toBeUndefined();
  });

  it("rejects as soon as its signal aborts, long before the timer", async () => {
    const controller = new AbortController();
    const waiting = realSleep(3_600_000, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: "AbortError" });
  });
});

describe("sleepUnlessAborted", () => {
  it("reports slept when the sleep finishes and the signal is quiet", async () => {
    const waits: number[] = [];
    const outcome = await sleepUnlessAborted(
      async (ms) => {
        waits.push(ms);
      },
      250,
      new AbortController().signal,
    );
    expect(outcome).toEqual({ kind: "slept" });
    expect(waits).toEqual([250]);
  });

  it("reports aborted without calling sleep when the signal already fired", async () => {
    const controller = new AbortController();
    controller.abort();
    let called = false;
    const outcome = await sleepUnlessAborted(
      async () => {
        called = true;
      },
      250,
      controller.signal,
    );
    expect(outcome).toEqual({ kind: "aborted" });
    expect(called).toBe(false);
  });

  it("reports aborted the moment the signal fires, even if the sleep ignores it", async () => {
    const controller = new AbortController();
    const outcome = sleepUnlessAborted(() => new Promise<void>(() => {}), 60_000, controller.signal);
    controller.abort();
    expect(await outcome).toEqual({ kind: "aborted" });
  });

  it("passes on a sleep failure that is not an abort", async () => {
    const broken = () => Promise.reject(new Error("timer broke"));
    await expect(sleepUnlessAborted(broken, 10, new AbortController().signal)).rejects.toThrow("timer broke");
    await expect(sleepUnlessAborted(broken, 10, undefined)).rejects.toThrow("timer broke");
  });

  it("passes on a sleep that throws synchronously", async () => {
    const throwing = () => {
      throw new Error("no timers here");
    };
    await expect(sleepUnlessAborted(throwing, 10, new AbortController().signal)).rejects.toThrow(
      "no timers here",
    );
  });
});
