import { errAsync } from "neverthrow";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { kitError } from "../../src/errors.js";
import { createKitWithSeams, type Kit } from "../../src/kit.js";
import type { FanOutProgress } from "../../src/sandbox/fan-out.js";
import { createSimulatedClock } from "../../src/testing/index.js";
import { type EmulatedDaytona, startEmulatedDaytona } from "../support/emulated-daytona.js";

const clock = createSimulatedClock();
let env: EmulatedDaytona;
beforeAll(() => {
  env = startEmulatedDaytona({ clock });
});
// Kits are not disposed: they share the driver, which env.close() disposes once.
afterEach(() => env.emulator.reset());
afterAll(() => env.close());

function simulatedKit(): Kit {
  const seams = { now: clock.now, sleep: clock.sleep, random: () => 0.5 };
  const kit = createKitWithSeams(
    { driver: env.driver, env: {}, retry: seams, throttling: seams, timeouts: { ensureMs: 600_000 } },
    { clock, pollMs: 50 },
  );
  return kit;
}

const sandboxesOf = (projectId: string) =>
  env.emulator.sandboxes.list().filter((s) => s.labels["apex.project"] === projectId).length;

describe("kit.fanOut", () => {
  it("ensures every project, runs the work in each, and reports in input order with progress", async () => {
    const kit = simulatedKit();
    const events: FanOutProgress[] = [];
    const projects = ["p-c", "p-a", "p-b", "p-d", "p-e"];
    const report = await kit.fanOut(projects, (sandbox, { projectId }) => `${projectId}@${sandbox.id}`, {
      concurrency: 2,
      onProgress: (event) => events.push(event),
    });
    const { results, summary } = report._unsafeUnwrap();
    expect(results.map((r) => r.projectId)).toEqual(projects);
    for (const { projectId, result } of results) expect(result._unsafeUnwrap()).toMatch(`${projectId}@`);
    expect(summary).toEqual({ total: 5, succeeded: 5, failed: 0, byKind: {} });
    expect(projects.map(sandboxesOf)).toEqual([1, 1, 1, 1, 1]);
    expect(events.filter((e) => e.state === "started")).toHaveLength(5);
    expect(events.filter((e) => e.state === "succeeded").map((e) => e.done)).toEqual([1, 2, 3, 4, 5]);
    expect(events.every((e) => e.total === 5)).toBe(true);
  });

  it("keeps going past failures: an invalid id, a throwing work and an Err work fail alone", async () => {
    const kit = simulatedKit();
    const report = await kit.fanOut(
      ["ok-1", "not a valid id!", "throws", "errs", "ok-2"],
      (_sandbox, { projectId }) => {
        if (projectId === "throws") throw new Error("boom");
        if (projectId === "errs") return errAsync(kitError.conflict("busy"));
        return projectId.length;
      },
    );
    const { results, summary } = report._unsafeUnwrap();
    expect(results.map((r) => (r.result.isOk() ? r.result.value : r.result.error.kind))).toEqual([
      4,
      "InvalidArgument",
      "Unexpected",
      "Conflict",
      4,
    ]);
    expect(summary).toEqual({
      total: 5,
      succeeded: 2,
      failed: 3,
      byKind: { InvalidArgument: 1, Unexpected: 1, Conflict: 1 },
    });
  });

  it("works once per distinct project when an id is repeated, and reports every entry", async () => {
    const kit = simulatedKit();
    const ran: string[] = [];
    const done: number[] = [];
    const report = await kit.fanOut(
      ["dup", "other", "dup"],
      (_sandbox, { projectId }) => {
        ran.push(projectId);
        return projectId;
      },
      { onProgress: (event) => event.state !== "started" && done.push(event.done) },
    );
    const { results, summary } = report._unsafeUnwrap();
    expect(results.map((r) => [r.projectId, r.result._unsafeUnwrap()])).toEqual([
      ["dup", "dup"],
      ["other", "other"],
      ["dup", "dup"],
    ]);
    expect(ran.sort()).toEqual(["dup", "other"]);
    expect([sandboxesOf("dup"), sandboxesOf("other")]).toEqual([1, 1]);
    expect(summary.total).toBe(3);
    expect(done).toEqual([1, 2, 3]); // every entry ends once, the repeated one too
  });

  it("returns an empty report for an empty list, sending nothing", async () => {
    const kit = simulatedKit();
    const report = await kit.fanOut([], () => 1);
    expect(report._unsafeUnwrap()).toEqual({
      results: [],
      summary: { total: 0, succeeded: 0, failed: 0, byKind: {} },
    });
    expect(env.emulator.count()).toBe(0);
  });

  const badCalls: [string, unknown, unknown, unknown, string][] = [
    ["concurrency null", ["a"], () => 1, { concurrency: null }, "concurrency"],
    ["concurrency NaN", ["a"], () => 1, { concurrency: Number.NaN }, "concurrency"],
    ["concurrency 0", ["a"], () => 1, { concurrency: 0 }, "concurrency"],
    ["concurrency 2.5", ["a"], () => 1, { concurrency: 2.5 }, "concurrency"],
    ["a huge concurrency", ["a"], () => 1, { concurrency: 1e12 }, "concurrency"],
    ["concurrency Infinity", ["a"], () => 1, { concurrency: Number.POSITIVE_INFINITY }, "concurrency"],
    ["projectIds not an array", "a", () => 1, {}, "projectIds"],
    ["projectIds null", null, () => 1, {}, "projectIds"],
    ["work not a function", ["a"], "run", {}, "work"],
    ["options null", ["a"], () => 1, null, "options"],
    [
      "a bad rate limit",
      ["a"],
      () => 1,
      { rateLimits: { "sandbox-create": { limit: 0, windowMs: 1 } } },
      "rateLimits.sandbox-create",
    ],
    [
      "an unknown throttler",
      ["a"],
      () => 1,
      { rateLimits: { anonymous: { limit: 1, windowMs: 1 } } },
      "rateLimits.anonymous",
    ],
    ["a signal that is not one", ["a"], () => 1, { signal: {} }, "signal"],
  ];
  for (const [name, ids, work, options, argument] of badCalls) {
    it(`refuses ${name} with InvalidArgument (${argument}) before sending anything`, async () => {
      const kit = simulatedKit();
      const report = await (kit.fanOut as (...args: unknown[]) => ReturnType<Kit["fanOut"]>)(
        ids,
        work,
        options,
      );
      expect(report._unsafeUnwrapErr()).toMatchObject({ kind: "InvalidArgument", argument });
      expect(env.emulator.count()).toBe(0);
    });
  }

  it("on abort, ends the projects not started yet Aborted and loses none", async () => {
    const kit = simulatedKit();
    const controller = new AbortController();
    const projects = ["ab-0", "ab-1", "ab-2", "ab-3", "ab-4"];
    const report = await kit.fanOut(
      projects,
      (_sandbox, { index }) => {
        if (index === 1) controller.abort();
        return index;
      },
      { concurrency: 1, signal: controller.signal },
    );
    const { results, summary } = report._unsafeUnwrap();
    expect(results.map((r) => r.projectId)).toEqual(projects);
    expect(results.map((r) => (r.result.isOk() ? r.result.value : r.result.error.kind))).toEqual([
      0,
      1,
      "Aborted",
      "Aborted",
      "Aborted",
    ]);
    expect(summary.byKind).toEqual({ Aborted: 3 });
    expect(["ab-2", "ab-3", "ab-4"].map(sandboxesOf)).toEqual([0, 0, 0]);
  });

  it("keeps creates under its client-side limit per throttler class (simulated time)", async () => {
    const kit = simulatedKit();
    const startedAt = clock.now();
    const projects = Array.from({ length: 5 }, (_, i) => `rl-${i}`);
    const report = await kit.fanOut(projects, () => true, {
      concurrency: 5,
      rateLimits: { "sandbox-create": { limit: 2, windowMs: 60_000 } },
    });
    expect(report._unsafeUnwrap().summary.succeeded).toBe(5);
    const creates = env.emulator.requests
      .filter((r) => r.route === "POST /sandbox")
      .map((r) => r.at - startedAt);
    expect(creates).toHaveLength(5);
    // Any two creates more than two apart in order are at least a window apart.
    const sorted = [...creates].sort((a, b) => a - b);
    for (let i = 2; i < sorted.length; i++) {
      expect((sorted[i] ?? 0) - (sorted[i - 2] ?? 0)).toBeGreaterThanOrEqual(60_000);
    }
    expect(env.emulator.rateLimits.rejected()).toBe(0);
  });
});
