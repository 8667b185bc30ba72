/**
 * The acceptance scenario of coordinated backoff, in simulated time: every request is answered 429 with
 * Retry-After 1 for 10 s while 20 `ensure` calls of new projects run at once. The kit must not retry in lockstep:
 * while throttled it sends at most one request per Retry-After window per throttler class, never a wave, and all
 * 20 projects get exactly one sandbox once the storm ends.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKitWithSeams } from "../../src/kit.js";
import { createSimulatedClock, type RequestLogEntry, throttlersOf } from "../../src/testing/index.js";
import { seededRandom as seeded } from "../../src/testing/seeded-random.js";
import { type EmulatedDaytona, startEmulatedDaytona } from "../support/emulated-daytona.js";

const STORM_MS = 10_000;
const clock = createSimulatedClock();
let env: EmulatedDaytona;
beforeAll(() => {
  env = startEmulatedDaytona({ clock, latencyMs: 20 });
});
afterAll(() => env.close());

/** The largest number of requests whose arrival times fall within `windowMs` of each other. */
function largestBurst(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let largest = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last++) {
    while ((sorted[last] ?? 0) - (sorted[first] ?? 0) >= windowMs) first += 1;
    largest = Math.max(largest, last - first + 1);
  }
  return largest;
}

/** The throttler class a logged request counts against most specifically. */
const classOf = (entry: RequestLogEntry) => throttlersOf(entry.route).at(-1) ?? "authenticated";

describe("a 429 storm against 20 concurrent ensures (simulated time)", () => {
  it("waits it out together: one request per window per class while throttled, no waves, 20 sandboxes", async () => {
    const kit = createKitWithSeams(
      {
        driver: env.driver,
        env: {},
        retry: { now: clock.now, sleep: clock.sleep, random: seeded(7) },
        throttling: { now: clock.now, sleep: clock.sleep, random: seeded(11) },
        timeouts: { ensureMs: 600_000 },
      },
      { clock, pollMs: 50 },
    );
    const startedAt = clock.now();
    env.emulator.rateLimits.storm(STORM_MS, 1);
    const projects = Array.from({ length: 20 }, (_, i) => `storm-${i}`);

    const results = await Promise.all(projects.map((projectId) => kit.ensure({ projectId })));

    expect(results.map((r) => (r.isOk() ? "ok" : r.error.kind))).toEqual(projects.map(() => "ok"));
    const live = env.emulator.sandboxes.list();
    const perProject = projects.map((p) => live.filter((s) => s.labels["apex.project"] === p).length);
    expect(perProject).toEqual(projects.map(() => 1)); // 0 duplicates
    expect(env.emulator.count("POST /sandbox")).toBe(20);

    const log = env.emulator.requests.map((r) => ({ ...r, t: r.at - startedAt }));
    const throttled = log.filter((r) => r.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled.every((r) => r.t < STORM_MS)).toBe(true);
    // While throttled, per class: no two requests within one Retry-After window (1 s).
    for (const cls of new Set(throttled.map(classOf))) {
      const times = log.filter((r) => r.t < STORM_MS && classOf(r) === cls).map((r) => r.t);
      expect({ cls, burst: largestBurst(times, 1_000) }).toEqual({ cls, burst: 1 });
    }
    // No wave over the whole run: at most 5 requests within any 100 ms.
    expect(
      largestBurst(
        log.map((r) => r.t),
        100,
      ),
    ).toBeLessThanOrEqual(5);
    // Nothing was sent in lockstep: the storm cost about one request per second, not 20.
    expect(throttled.length).toBeLessThanOrEqual(Math.ceil(STORM_MS / 1_000) + 1);
    await kit.dispose();
  });
});
