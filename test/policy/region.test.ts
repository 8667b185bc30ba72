import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import { type KitError, kitError } from "../../src/errors.js";
import { createRegionFallback } from "../../src/policy/region.js";

const unavailable = (region: string) =>
  kitError.regionUnavailable(
    region,
    `Region ${region} is not available to the organization for class container`,
  );

/** An attempt function answering per region from a table, recording the regions it was called with. */
function byRegion<T>(answers: Record<string, () => ResultAsync<T, KitError>>) {
  const calls: string[] = [];
  const attempt = (target: string) => {
    calls.push(target);
    const answer = answers[target];
    if (answer === undefined) throw new Error(`unexpected region ${target}`);
    return answer();
  };
  return { attempt, calls };
}

/** A promise settled from outside, to hold an attempt in flight. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("createRegionFallback", () => {
  it("uses eu when us is unavailable, and remembers it so the next run calls only eu", async () => {
    const regions = createRegionFallback(["us", "eu"]);
    const first = byRegion({ us: () => errAsync(unavailable("us")), eu: () => okAsync("sb-eu-1") });

    const created = await regions.run(first.attempt);

    expect(created._unsafeUnwrap()).toEqual({ value: "sb-eu-1", target: "eu" });
    expect(first.calls).toEqual(["us", "eu"]);
    expect(regions.preferred()).toBe("eu");

    const second = byRegion({ us: () => errAsync(unavailable("us")), eu: () => okAsync("sb-eu-2") });
    const again = await regions.run(second.attempt);

    expect(again._unsafeUnwrap()).toEqual({ value: "sb-eu-2", target: "eu" });
    expect(second.calls).toEqual(["eu"]);
  });

  it("returns NoRegionAvailable with one entry per region, in order, when all are unavailable", async () => {
    const regions = createRegionFallback(["us", "eu"]);
    const usError = unavailable("us");
    const euError = unavailable("eu");
    const { attempt, calls } = byRegion({ us: () => errAsync(usError), eu: () => errAsync(euError) });

    const result = await regions.run(attempt);

    const error = result._unsafeUnwrapErr();
    expect(error.kind).toBe("NoRegionAvailable");
    expect(error.kind === "NoRegionAvailable" && error.attempts).toEqual([
      { region: "us", error: usError },
      { region: "eu", error: euError },
    ]);
    expect(error.retryable).toBe(false);
    expect(calls).toEqual(["us", "eu"]);
    expect(regions.preferred()).toBe(undefined);
  });

  it("returns an Auth error from us at once without calling eu", async () => {
    const regions = createRegionFallback(["us", "eu"]);
    const auth = kitError.auth("API key rejected", { status: 401 });
    const { attempt, calls } = byRegion({ us: () => errAsync(auth), eu: () => okAsync("never") });

    const result = await regions.run(attempt);

    expect(result._unsafeUnwrapErr()).toBe(auth);
    expect(calls).toEqual(["us"]);
    expect(regions.preferred()).toBe(undefined);
  });

  it.each<[string, KitError]>([
    ["RateLimited", kitError.rateLimited("Rate limit exceeded", 2_000)],
    ["Forbidden (quota)", kitError.forbidden("CPU request 8 exceeds maximum allowed per sandbox", 403)],
    ["InvalidArgument", kitError.invalidArgument("image", "bad", { status: 400 })],
    ["Transient", kitError.transient("502", { status: 502 })],
    ["Aborted", kitError.aborted("create sandbox")],
  ])("returns %s from us without falling back to eu", async (_name, error) => {
    const regions = createRegionFallback(["us", "eu"]);
    const { attempt, calls } = byRegion({ us: () => errAsync(error), eu: () => okAsync("never") });

    const result = await regions.run(attempt);

    expect(result._unsafeUnwrapErr()).toBe(error);
    expect(calls).toEqual(["us"]);
  });

  it("falls back to the other regions when the remembered one becomes unavailable, and remembers the new one", async () => {
    const regions = createRegionFallback(["us", "eu", "asia"]);
    await regions.run(byRegion({ us: () => errAsync(unavailable("us")), eu: () => okAsync(1) }).attempt);
    expect(regions.preferred()).toBe("eu");

    const later = byRegion({
      eu: () => errAsync(unavailable("eu")),
      us: () => errAsync(unavailable("us")),
      asia: () => okAsync(2),
    });
    const result = await regions.run(later.attempt);

    expect(result._unsafeUnwrap()).toEqual({ value: 2, target: "asia" });
    expect(later.calls).toEqual(["eu", "us", "asia"]);
    expect(regions.preferred()).toBe("asia");
  });

  it("lists the tried regions in the order tried when the remembered one is first", async () => {
    const regions = createRegionFallback(["us", "eu"]);
    await regions.run(byRegion({ us: () => errAsync(unavailable("us")), eu: () => okAsync(1) }).attempt);

    const result = await regions.run(
      byRegion({ us: () => errAsync(unavailable("us")), eu: () => errAsync(unavailable("eu")) }).attempt,
    );

    const error = result._unsafeUnwrapErr();
    expect(error.kind === "NoRegionAvailable" && error.attempts.map((a) => a.region)).toEqual(["eu", "us"]);
  });

  it("forgets the remembered region on reset", async () => {
    const regions = createRegionFallback(["us", "eu"]);
    await regions.run(byRegion({ us: () => errAsync(unavailable("us")), eu: () => okAsync(1) }).attempt);
    regions.reset();

    expect(regions.preferred()).toBe(undefined);
    const next = byRegion({ us: () => okAsync(2), eu: () => okAsync(3) });
    expect((await regions.run(next.attempt))._unsafeUnwrap()).toEqual({ value: 2, target: "us" });
    expect(next.calls).toEqual(["us"]);
  });

  it("keeps the configured targets, de-duplicated and frozen", () => {
    const regions = createRegionFallback(["us", "eu", "us"]);

    expect(regions.targets).toEqual(["us", "eu"]);
    expect(Object.isFrozen(regions.targets)).toBe(true);
  });

  it("returns InvalidArgument from run when it has no targets, calling nothing", async () => {
    const regions = createRegionFallback([]);
    const { attempt, calls } = byRegion({});

    const result = await regions.run(attempt);

    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "InvalidArgument", argument: "targets" });
    expect(calls).toEqual([]);
  });

  it("maps an attempt that throws to Unexpected and stops there", async () => {
    const regions = createRegionFallback(["us", "eu"]);
    const calls: string[] = [];

    const result = await regions.run((target) => {
      calls.push(target);
      throw new Error("driver bug");
    });

    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "Unexpected" });
    expect(result._unsafeUnwrapErr().message).toContain("driver bug");
    expect(calls).toEqual(["us"]);
  });

  it("keeps two runs in flight independent: each walks its own order and gets its own answer", async () => {
    const regions = createRegionFallback(["us", "eu"]);
    const usForA = deferred<void>();
    const usForB = deferred<void>();
    const callsA: string[] = [];
    const callsB: string[] = [];
    const hold = (gate: Promise<void>, answer: () => ResultAsync<string, KitError>) =>
      new ResultAsync(gate.then(() => answer()));

    const runA = regions.run((target) => {
      callsA.push(target);
      return target === "us" ? hold(usForA.promise, () => errAsync(unavailable("us"))) : okAsync("A in eu");
    });
    const runB = regions.run((target) => {
      callsB.push(target);
      return target === "us" ? hold(usForB.promise, () => okAsync("B in us")) : okAsync("B in eu");
    });

    // Both runs are waiting on us; A learns us is unavailable first, which must not skip us for B.
    expect(callsA).toEqual(["us"]);
    expect(callsB).toEqual(["us"]);
    usForA.resolve();
    const a = await runA;
    usForB.resolve();
    const b = await runB;

    expect(a._unsafeUnwrap()).toEqual({ value: "A in eu", target: "eu" });
    expect(callsA).toEqual(["us", "eu"]);
    expect(b._unsafeUnwrap()).toEqual({ value: "B in us", target: "us" });
    expect(callsB).toEqual(["us"]);
    // The latest success wins the memory.
    expect(regions.preferred()).toBe("us");
  });

  it("runs many concurrent fallbacks that each see both regions unavailable and report both", async () => {
    const regions = createRegionFallback(["us", "eu"]);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        regions.run((target) => new ResultAsync(Promise.resolve().then(() => errAsync(unavailable(target))))),
      ),
    );

    for (const result of results) {
      const error = result._unsafeUnwrapErr();
      expect(error.kind === "NoRegionAvailable" && error.attempts.map((a) => a.region)).toEqual(["us", "eu"]);
    }
  });
});
