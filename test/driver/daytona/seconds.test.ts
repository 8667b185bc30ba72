import { describe, expect, it } from "vitest";
import { MAX_SDK_SECONDS, toSdkSeconds } from "../../../src/driver/daytona/translate.js";

describe("toSdkSeconds", () => {
  it("rounds up, never to 0 (the SDK's 'no timeout')", () => {
    expect(toSdkSeconds(1)).toBe(1);
    expect(toSdkSeconds(1_001)).toBe(2);
    expect(toSdkSeconds(0)).toBe(1);
    expect(toSdkSeconds(Number.NaN)).toBe(1);
  });

  it("never gives the SDK a number of seconds whose milliseconds overflow a Node timer", () => {
    for (const ms of [2 ** 31 - 1, 2 ** 31, 30 * 24 * 3600e3, 1e12, Number.POSITIVE_INFINITY]) {
      const seconds = toSdkSeconds(ms);
      expect(seconds).toBe(MAX_SDK_SECONDS);
      expect(seconds * 1000).toBeLessThanOrEqual(2 ** 31 - 1);
    }
  });
});
