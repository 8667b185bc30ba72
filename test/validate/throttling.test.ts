import { describe, expect, it } from "vitest";
import { createKit } from "../../src/kit.js";

const checked = (throttling: unknown) =>
  createKit({ driver: "local", env: {}, throttling } as never)
    .check()
    .match(
      () => "ok",
      (error) => `${error.kind}:${error.kind === "InvalidArgument" ? error.argument : ""}`,
    );

describe("the throttling option", () => {
  it("accepts omitted, empty, disabled and in-range settings", () => {
    expect(checked(undefined)).toBe("ok");
    expect(checked({})).toBe("ok");
    expect(checked({ enabled: false })).toBe("ok");
    expect(
      checked({
        coldStartConcurrency: 1,
        releaseSpacingMs: 0,
        jitterRatio: 1,
        maxJitterMs: 60_000,
        retryQuota: { capacity: 0, retryCost: 5, timeoutCost: 10, successIncrement: 1 },
        now: () => 0,
        sleep: async () => undefined,
        random: () => 0.5,
      }),
    ).toBe("ok");
    expect(checked({ retryQuota: false })).toBe("ok");
  });

  const hostile: [string, unknown, string][] = [
    ["null", null, "throttling"],
    ["a string", "on", "throttling"],
    ["an array", [], "throttling"],
    ["an unknown key", { spacing: 5 }, "throttling.spacing"],
    ["a non-boolean enabled", { enabled: "yes" }, "throttling.enabled"],
    ["coldStartConcurrency 0", { coldStartConcurrency: 0 }, "throttling.coldStartConcurrency"],
    ["coldStartConcurrency NaN", { coldStartConcurrency: Number.NaN }, "throttling.coldStartConcurrency"],
    ["coldStartConcurrency 1.5", { coldStartConcurrency: 1.5 }, "throttling.coldStartConcurrency"],
    ["a huge releaseSpacingMs", { releaseSpacingMs: 1e12 }, "throttling.releaseSpacingMs"],
    ["a negative maxJitterMs", { maxJitterMs: -1 }, "throttling.maxJitterMs"],
    ["jitterRatio Infinity", { jitterRatio: Number.POSITIVE_INFINITY }, "throttling.jitterRatio"],
    ["retryQuota true", { retryQuota: true }, "throttling.retryQuota"],
    ["a negative quota capacity", { retryQuota: { capacity: -5 } }, "throttling.retryQuota.capacity"],
    ["an unknown quota key", { retryQuota: { tokens: 5 } }, "throttling.retryQuota.tokens"],
    ["a non-function sleep", { sleep: 5 }, "throttling.sleep"],
  ];
  for (const [name, value, argument] of hostile) {
    it(`refuses ${name} as InvalidArgument of ${argument}`, () => {
      expect(checked(value)).toBe(`InvalidArgument:${argument}`);
    });
  }
});
