import { describe, expect, it } from "vitest";
import { createKeyedQueue } from "../../src/policy/keyed-queue.js";

/** A promise settled from outside. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("createKeyedQueue", () => {
  it("runs one task per key at a time, in order; other keys run alongside", async () => {
    const inTurn = createKeyedQueue();
    const started: string[] = [];
    const first = deferred<string>();
    const a1 = inTurn("a", () => {
      started.push("a1");
      return first.promise;
    });
    const a2 = inTurn("a", async () => {
      started.push("a2");
      return "a2";
    });
    const b1 = inTurn("b", async () => {
      started.push("b1");
      return "b1";
    });
    await tick();
    expect(started).toEqual(["a1", "b1"]);
    expect(await b1).toBe("b1");
    first.resolve("a1");
    expect(await Promise.all([a1, a2])).toEqual(["a1", "a2"]);
    expect(started).toEqual(["a1", "b1", "a2"]);
  });

  it("a failed task rejects its own caller only; the next task of the key still runs", async () => {
    const inTurn = createKeyedQueue();
    const failing = inTurn("a", () => Promise.reject(new Error("boom")));
    const next = inTurn("a", async () => "next");
    await expect(failing).rejects.toThrow("boom");
    expect(await next).toBe("next");
  });

  it("a task that throws synchronously is a rejection, not a throw at the call", async () => {
    const inTurn = createKeyedQueue();
    const thrown = inTurn("a", () => {
      throw new Error("sync");
    });
    await expect(thrown).rejects.toThrow("sync");
    expect(await inTurn("a", async () => 1)).toBe(1);
  });
});
