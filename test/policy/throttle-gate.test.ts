import { describe, expect, it } from "vitest";
import {
  createThrottleGate,
  type GatePermit,
  type GateRefusal,
  isPermit,
} from "../../src/policy/throttle-gate.js";
import { createSimulatedClock } from "../../src/testing/simulated-clock.js";

function setup(options: { coldStartConcurrency?: number } = {}) {
  const clock = createSimulatedClock();
  const gate = createThrottleGate({ now: clock.now, sleep: clock.sleep, random: () => 0.5, ...options });
  const starts: [string, number][] = [];
  const enter = async (name: string, classes = ["authenticated"], signal?: AbortSignal) => {
    const permit = await gate.acquire(classes, signal ? { signal } : {});
    if (isPermit(permit)) starts.push([name, clock.now()]);
    return permit;
  };
  return { clock, gate, starts, enter };
}

const permitOf = (value: GatePermit | GateRefusal | undefined): GatePermit => {
  if (value === undefined) throw new Error("no permit");
  if (!isPermit(value)) throw new Error(`refused: ${value.kind}`);
  return value;
};

describe("the throttle gate", () => {
  it("starts calls at once when the class is open", async () => {
    const { enter, starts } = setup();
    permitOf(await enter("first")).release({ kind: "answered" });
    await Promise.all([enter("a"), enter("b"), enter("c")]);
    expect(starts.map(([, at]) => at)).toEqual([0, 0, 0, 0]);
  });

  it("after a 429 sends one probe per Retry-After window, then releases the others spread out", async () => {
    const { enter, starts, clock } = setup();
    const first = permitOf(await enter("first"));
    first.release({ kind: "answered" });
    const hit = permitOf(await enter("hit"));
    hit.release({ kind: "throttled", waits: { authenticated: 1_000 } });
    // 1 000 ms + jitter (0.5 × 20% of it = 100 ms); the probe meets another 429.
    const waiting = ["w1", "w2", "w3"].map((name) => enter(name));
    const probe = permitOf(await waiting[0]);
    expect(clock.now()).toBe(1_100);
    probe.release({ kind: "throttled", waits: { authenticated: 1_000 } });
    const second = permitOf(await waiting[1]);
    expect(clock.now()).toBe(2_200);
    second.release({ kind: "answered" });
    permitOf(await waiting[2]).release({ kind: "answered" });
    expect(starts.slice(2)).toEqual([
      ["w1", 1_100],
      ["w2", 2_200],
      ["w3", 2_250], // released 50 ms after the probe, not with it
    ]);
  });

  it("pauses only the classes the server named", async () => {
    const { enter, starts } = setup();
    permitOf(await enter("create", ["sandbox-create", "authenticated"])).release({
      kind: "throttled",
      waits: { "sandbox-create": 30_000 },
    });
    permitOf(await enter("read")).release({ kind: "answered" });
    // The read waits only for the cold start's spacing of `authenticated` (50 ms), not for sandbox-create's 30 s.
    expect(starts).toEqual([
      ["create", 0],
      ["read", 50],
    ]);
  });

  it("keeps at most coldStartConcurrency calls in flight before the first answer, spaced out", async () => {
    const { enter, starts, clock } = setup({ coldStartConcurrency: 2 });
    const permits = Array.from({ length: 4 }, (_, i) => enter(`c${i}`));
    const [p0, p1] = [permitOf(await permits[0]), permitOf(await permits[1])];
    expect(starts).toEqual([
      ["c0", 0],
      ["c1", 50],
    ]);
    await clock.sleep(1_000); // nothing else starts while both are in flight
    expect(starts).toHaveLength(2);
    p0.release({ kind: "answered" });
    p1.release({ kind: "answered" });
    await Promise.all(permits);
    expect(starts.slice(2)).toEqual([
      ["c2", 1_050],
      ["c3", 1_100],
    ]);
  });

  it("an aborted waiter leaves the queue and the next one goes", async () => {
    const { enter, gate, starts } = setup();
    permitOf(await enter("hit")).release({ kind: "throttled", waits: { authenticated: 500 } });
    const controller = new AbortController();
    const aborted = enter("aborted", ["authenticated"], controller.signal);
    const next = enter("next");
    controller.abort();
    expect(await aborted).toEqual({ kind: "aborted" });
    permitOf(await next).release({ kind: "answered" });
    expect(starts.map(([name]) => name)).toEqual(["hit", "next"]);
    expect(gate.pausedForMs("authenticated")).toBe(0);
  });

  it("refuses at once when the pause outlasts the caller's deadline", async () => {
    const { enter, gate } = setup();
    permitOf(await enter("hit")).release({ kind: "throttled", waits: { authenticated: 60_000 } });
    expect(await gate.acquire(["authenticated"], { deadlineMs: 5_000 })).toEqual({
      kind: "paused",
      waitMs: 60_500, // 60 s plus the jitter: 0.5 × min(1 s, 20% of 60 s)
    });
  });
});
