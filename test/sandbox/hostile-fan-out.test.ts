/**
 * kit.fanOut as a hostile JavaScript caller uses it: wrong types everywhere, throwing getters, Proxies, huge and
 * duplicated inputs, aborts before and during the run, work that throws, lies about Results or never settles, and
 * dispose() mid-run. Every case must end in Results (never a throw, never a hang) with one entry per input id.
 */
import { err, ok } from "neverthrow";
import { describe, expect, it } from "vitest";
import { createKitWithSeams, type Kit } from "../../src/kit.js";
import type { FanOutReport } from "../../src/sandbox/fan-out.js";
import { createMemoryDriver } from "../../src/testing/index.js";

// biome-ignore lint/suspicious/noExplicitAny: a JavaScript caller passes anything.
type Anything = any;

function memoryKit(): Kit {
  return createKitWithSeams({ driver: createMemoryDriver(), env: {} }, { pollMs: 1 });
}

/** Calls fanOut the way plain JS may, and requires it to return (not throw) a Result. */
async function fanOut(kit: Kit, ids: Anything, work: Anything, options?: Anything) {
  const call = (kit.fanOut as Anything)(ids, work, options);
  return await call;
}

function kinds(report: FanOutReport<unknown>) {
  return report.results.map((entry) => (entry.result.isOk() ? "ok" : entry.result.error.kind));
}

describe("fanOut arguments from a hostile caller", () => {
  const bad: [string, Anything, Anything, Anything, string][] = [
    ["null ids", null, () => 1, undefined, "projectIds"],
    ["a string for ids", "p-a", () => 1, undefined, "projectIds"],
    ["an array-like object", { length: 1, 0: "p-a" }, () => 1, undefined, "projectIds"],
    ["no work", ["p-a"], undefined, undefined, "work"],
    ["a string for work", ["p-a"], "npm test", undefined, "work"],
    ["null options", ["p-a"], () => 1, null, "options"],
    ["array options", ["p-a"], () => 1, [], "options"],
    ["NaN concurrency", ["p-a"], () => 1, { concurrency: Number.NaN }, "concurrency"],
    ["-1 concurrency", ["p-a"], () => 1, { concurrency: -1 }, "concurrency"],
    ["Infinity concurrency", ["p-a"], () => 1, { concurrency: Number.POSITIVE_INFINITY }, "concurrency"],
    ["1e308 concurrency", ["p-a"], () => 1, { concurrency: 1e308 }, "concurrency"],
    ["string concurrency", ["p-a"], () => 1, { concurrency: "8" }, "concurrency"],
    ["fractional concurrency", ["p-a"], () => 1, { concurrency: 2.5 }, "concurrency"],
    ["a fake signal", ["p-a"], () => 1, { signal: { aborted: true } }, "signal"],
    ["a string onProgress", ["p-a"], () => 1, { onProgress: "log" }, "onProgress"],
    ["rateLimits null", ["p-a"], () => 1, { rateLimits: null }, "rateLimits"],
    [
      "an unknown class",
      ["p-a"],
      () => 1,
      { rateLimits: { sandbox: { limit: 1, windowMs: 1 } } },
      "rateLimits",
    ],
    [
      "an inherited name as a class",
      ["p-a"],
      () => 1,
      { rateLimits: { toString: { limit: 1, windowMs: 1 } } },
      "rateLimits",
    ],
    [
      "a NaN limit",
      ["p-a"],
      () => 1,
      { rateLimits: { authenticated: { limit: Number.NaN, windowMs: 1 } } },
      "rateLimits",
    ],
    ["a null window", ["p-a"], () => 1, { rateLimits: { "sandbox-create": null } }, "rateLimits"],
    [
      "1e308 windowMs",
      ["p-a"],
      () => 1,
      { rateLimits: { authenticated: { limit: 1, windowMs: 1e308 } } },
      "rateLimits",
    ],
  ];
  it.each(bad)("%s is InvalidArgument naming %s", async (_name, ids, work, options, field) => {
    const result = await fanOut(memoryKit(), ids, work, options);
    expect(result.isErr()).toBe(true);
    expect(result._unsafeUnwrapErr().kind).toBe("InvalidArgument");
    expect(`${result._unsafeUnwrapErr().field ?? ""} ${result._unsafeUnwrapErr().message}`).toContain(field);
  });

  it("an options getter that throws is an Err, not a throw", async () => {
    const options = {
      get concurrency(): number {
        throw new Error("getter says no");
      },
    };
    const result = await fanOut(memoryKit(), ["p-a"], () => 1, options);
    expect(result._unsafeUnwrapErr().kind).toBe("InvalidArgument");
    expect(result._unsafeUnwrapErr().message).toContain("getter says no");
  });

  it("an options Proxy that throws on every read is an Err, not a throw", async () => {
    const options = new Proxy(
      {},
      {
        get() {
          throw new Error("proxy trap");
        },
      },
    );
    const result = await fanOut(memoryKit(), ["p-a"], () => 1, options);
    expect(result._unsafeUnwrapErr().kind).toBe("InvalidArgument");
  });

  it("an ids Proxy that throws when read is an Err, not a throw or a rejected promise", async () => {
    const ids = new Proxy(["p-a", "p-b"], {
      get(target, key) {
        if (key === "0" || key === "1") throw new Error("id trap");
        return Reflect.get(target, key);
      },
    });
    const result = await fanOut(memoryKit(), ids, () => 1);
    expect(result._unsafeUnwrapErr().kind).toBe("InvalidArgument");
  });
});

describe("fanOut entries from a hostile caller", () => {
  it("every bad id is its own InvalidArgument entry; the good ones still run", async () => {
    const ids = [
      null,
      undefined,
      Number.NaN,
      -1,
      1e308,
      {},
      [],
      "",
      "p-good",
      Symbol("x"),
      { toString: () => "p-a" },
    ];
    const report = (await fanOut(memoryKit(), ids, () => "ran"))._unsafeUnwrap();
    expect(report.results).toHaveLength(ids.length);
    expect(kinds(report)).toEqual([
      ...ids.slice(0, 8).map(() => "InvalidArgument"),
      "ok",
      "InvalidArgument",
      "InvalidArgument",
    ]);
    expect(report.summary).toMatchObject({ total: ids.length, succeeded: 1, failed: ids.length - 1 });
  });

  it("duplicate ids: one ensure and one work, every entry has the Result", async () => {
    let runs = 0;
    const ids = ["p-a", "p-a", "p-b", "p-a"];
    const report = (
      await fanOut(memoryKit(), ids, () => {
        runs += 1;
        return runs;
      })
    )._unsafeUnwrap();
    expect(runs).toBe(2);
    expect(report.results.map((e: Anything) => e.projectId)).toEqual(ids);
    expect(report.summary.succeeded).toBe(4);
  });

  it("100k project ids, mostly duplicates and invalid ones, all get an entry in order", async () => {
    const ids = Array.from({ length: 100_000 }, (_, i) =>
      i % 1000 === 0 ? `p-${i % 3}` : i % 2 ? 7 : "bad id!",
    );
    let progress = 0;
    const report = (
      await fanOut(memoryKit(), ids, () => true, { concurrency: 1000, onProgress: () => (progress += 1) })
    )._unsafeUnwrap();
    expect(report.results).toHaveLength(100_000);
    expect(report.results[99_999]?.projectId).toBe(7);
    expect(report.summary).toMatchObject({ total: 100_000, succeeded: 100, failed: 99_900 });
    expect(report.summary.byKind).toEqual({ InvalidArgument: 99_900 });
    expect(progress).toBeGreaterThanOrEqual(100_000);
  });

  it("work that throws synchronously, throws a non-Error, or rejects with undefined fails alone", async () => {
    const report = (
      await fanOut(
        memoryKit(),
        ["p-a", "p-b", "p-c", "p-d"],
        (_s: unknown, { projectId }: { projectId: string }) => {
          if (projectId === "p-a") throw new Error("sync");
          if (projectId === "p-b") throw Object.create(null);
          if (projectId === "p-c") return Promise.reject(undefined);
          return "fine";
        },
      )
    )._unsafeUnwrap();
    expect(kinds(report)).toEqual(["Unexpected", "Unexpected", "Unexpected", "ok"]);
  });

  it("work returning non-Results (undefined, a thenable, a fake Result, an Err of a non-KitError) is reported sanely", async () => {
    const report = (
      await fanOut(
        memoryKit(),
        ["p-a", "p-b", "p-c", "p-d", "p-e"],
        (_s: unknown, { projectId }: { projectId: string }) => {
          if (projectId === "p-a") return undefined;
          // biome-ignore lint/suspicious/noThenProperty: a thenable is exactly what a hostile caller returns.
          if (projectId === "p-b") return { then: (resolve: (v: number) => void) => resolve(5) };
          if (projectId === "p-c") return { isOk: () => true, isErr: () => false };
          if (projectId === "p-d") return err(new Error("not a KitError"));
          return ok("real");
        },
      )
    )._unsafeUnwrap();
    expect(report.results).toHaveLength(5);
    const byId = Object.fromEntries(report.results.map((e: Anything) => [e.projectId, e.result]));
    expect(byId["p-a"]?._unsafeUnwrap()).toBeUndefined();
    expect(byId["p-b"]?._unsafeUnwrap()).toBe(5);
    expect(byId["p-e"]?._unsafeUnwrap()).toBe("real");
    // A failure always carries a KitError kind, so the summary never counts "undefined".
    expect(byId["p-d"]?._unsafeUnwrapErr().kind).toBe("Unexpected");
    expect(Object.keys(report.summary.byKind).every((kind) => kind !== "undefined")).toBe(true);
  });

  it("an onProgress that throws, or is a Proxy, changes nothing", async () => {
    const report = (
      await fanOut(memoryKit(), ["p-a", "p-b"], () => 1, {
        onProgress: () => {
          throw new Error("observer");
        },
      })
    )._unsafeUnwrap();
    expect(report.summary.succeeded).toBe(2);
  });
});

describe("fanOut aborts and disposal", () => {
  it("a signal already aborted: every entry Aborted, work never runs", async () => {
    let ran = 0;
    const report = (
      await fanOut(memoryKit(), ["p-a", "p-b", "p-a"], () => (ran += 1), {
        signal: AbortSignal.abort("stop"),
      })
    )._unsafeUnwrap();
    expect(ran).toBe(0);
    expect(kinds(report)).toEqual(["Aborted", "Aborted", "Aborted"]);
  });

  it("abort during the run ends work that never settles, and projects not started, as Aborted", async () => {
    const controller = new AbortController();
    let started = 0;
    const pending = fanOut(
      memoryKit(),
      ["p-a", "p-b", "p-c", "p-d"],
      () => {
        started += 1;
        if (started === 2) controller.abort("enough");
        return new Promise(() => undefined); // never settles
      },
      { concurrency: 2, signal: controller.signal },
    );
    const report = (await pending)._unsafeUnwrap();
    expect(report.results).toHaveLength(4);
    expect(kinds(report)).toEqual(["Aborted", "Aborted", "Aborted", "Aborted"]);
  });

  it("dispose() while fanOut runs work that never settles: the fan-out ends, every entry Aborted", async () => {
    const kit = memoryKit();
    let started = 0;
    const pending = fanOut(kit, ["p-a", "p-b", "p-c"], () => {
      started += 1;
      if (started === 1) void kit.dispose();
      return new Promise(() => undefined);
    });
    const report = (await pending)._unsafeUnwrap();
    expect(report.results).toHaveLength(3);
    expect(new Set(kinds(report))).toEqual(new Set(["Aborted"]));
  });
});
