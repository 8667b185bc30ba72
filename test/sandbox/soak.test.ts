/**
 * Soak: 1,000 lifecycle operations over 50 projects with 20 % injected transient faults. Every operation must end
 * Ok or with a typed error, no project may ever hold two sandboxes, and the registry must agree with the emulator.
 */
import pLimit from "p-limit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isKitError, type KitError } from "../../src/errors.js";
import type { EmulatorRoute } from "../../src/testing/index.js";
import { type EmulatedDaytona, startEmulatedDaytona } from "../support/emulated-daytona.js";
import { emulatedKit } from "../support/emulated-kit.js";

let env: EmulatedDaytona;
beforeAll(() => {
  env = startEmulatedDaytona();
});
afterAll(() => env.close());

/** A small deterministic generator, so a failure can be replayed. */
function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const LIFECYCLE_ROUTES: EmulatorRoute[] = [
  "POST /sandbox",
  "GET /sandbox/:id",
  "GET /sandbox",
  "POST /sandbox/:id/start",
  "POST /sandbox/:id/stop",
  "DELETE /sandbox/:id",
];

describe("soak", () => {
  it("keeps one sandbox per project through 1,000 operations with 20 % transient faults", async () => {
    const { kit } = emulatedKit(env);
    env.emulator.faults.random({
      rate: 0.2,
      seed: 7,
      routes: LIFECYCLE_ROUTES,
      kinds: [
        {
          status: 429,
          body: { statusCode: 429, message: "Rate limit exceeded" },
          headers: { "Retry-After": "1" },
        },
        { status: 502, body: { statusCode: 502, message: "Bad Gateway" } },
        { status: 503, body: { statusCode: 503, message: "Service Unavailable" } },
        { connectionError: true },
        { latencyMs: 5 },
      ],
    });
    const random = seeded(42);
    const limit = pLimit(10);
    const outcomes: { op: string; ok: boolean; error?: KitError }[] = [];
    // 1,000 operations, in a seeded order. Each project's operations run one after another (one owner per
    // project, as in a service); the 50 projects run concurrently, 10 at a time.
    const queues = new Map<string, string[]>();
    for (let i = 0; i < 1_000; i++) {
      const project = `soak-${Math.floor(random() * 50)}`;
      const pick = random();
      const op =
        pick < 0.5 ? "ensure" : pick < 0.65 ? "stop" : pick < 0.8 ? "start" : pick < 0.9 ? "get" : "delete";
      queues.set(project, [...(queues.get(project) ?? []), op]);
    }
    const runOne = async (project: string, op: string) => {
      const result =
        op === "ensure"
          ? await kit.ensure({ projectId: project }).map(() => undefined)
          : await kit
              .ensure({ projectId: project })
              .andThen((sandbox) =>
                op === "stop"
                  ? sandbox.stop().map(() => undefined)
                  : op === "start"
                    ? sandbox.start().map(() => undefined)
                    : op === "get"
                      ? sandbox.refresh().map(() => undefined)
                      : sandbox.delete(),
              );
      outcomes.push(result.isOk() ? { op, ok: true } : { op, ok: false, error: result.error });
    };
    const operations = [...queues].map(([project, ops]) =>
      limit(async () => {
        for (const op of ops) await runOne(project, op);
      }),
    );
    await Promise.all(operations);
    env.emulator.faults.clear();

    expect(outcomes).toHaveLength(1_000);
    for (const outcome of outcomes) if (!outcome.ok) expect(isKitError(outcome.error)).toBe(true);
    const succeeded = outcomes.filter((o) => o.ok).length;
    expect(succeeded).toBeGreaterThan(900);

    const live = [...env.emulator.state.sandboxes.values()].filter((s) => s.state !== "destroyed");
    const perProject = new Map<string, number>();
    for (const s of live) {
      const project = s.labels["apex.project"] ?? "";
      perProject.set(project, (perProject.get(project) ?? 0) + 1);
    }
    expect([...perProject.values()].every((n) => n === 1)).toBe(true);

    for (const [project, id] of kit.registryEntries()) {
      const record = env.emulator.state.sandboxes.get(id);
      expect(record?.labels["apex.project"]).toBe(project);
      expect(record?.state).not.toBe("destroyed");
    }
    console.log(
      `soak: ${succeeded}/1000 ok, failures by kind: ${JSON.stringify(
        outcomes
          .filter((o) => !o.ok)
          .reduce<Record<string, number>>((acc, o) => {
            const kind = o.error?.kind ?? "?";
            acc[kind] = (acc[kind] ?? 0) + 1;
            return acc;
          }, {}),
      )}, requests: ${env.emulator.requests.length}`,
    );
  }, 120_000);
});
