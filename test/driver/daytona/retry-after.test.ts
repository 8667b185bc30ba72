import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "../../../src/driver/daytona/retry-after.js";

const NOW = Date.parse("2026-10-21T07:28:00Z");

describe("parseRetryAfter", () => {
  it("reads delay-seconds as milliseconds", () => {
    expect(parseRetryAfter({ "retry-after": "2" }, NOW)).toBe(2_000);
    expect(parseRetryAfter({ "retry-after": "0" }, NOW)).toBe(0);
    expect(parseRetryAfter({ "retry-after": " 120 " }, NOW)).toBe(120_000);
  });

  it("rounds fractional seconds up to whole milliseconds", () => {
    expect(parseRetryAfter({ "retry-after": "1.5" }, NOW)).toBe(1_500);
    expect(parseRetryAfter({ "retry-after": "0.0001" }, NOW)).toBe(1);
  });

  it("reads an IMF-fixdate as the time left until it", () => {
    expect(parseRetryAfter({ "retry-after": "Wed, 21 Oct 2026 07:28:30 GMT" }, NOW)).toBe(30_000);
  });

  it("reads the obsolete RFC 850 and asctime date forms as UTC", () => {
    expect(parseRetryAfter({ "retry-after": "Wednesday, 21-Oct-26 07:29:00 GMT" }, NOW)).toBe(60_000);
    expect(parseRetryAfter({ "retry-after": "Wed Oct 21 07:28:05 2026" }, NOW)).toBe(5_000);
    expect(parseRetryAfter({ "retry-after": "Wed Oct  1 00:00:00 2036" }, NOW)).toBe(
      Date.parse("2036-10-01T00:00:00Z") - NOW,
    );
  });

  it("takes the largest of Retry-After and every Retry-After-* throttler header", () => {
    const headers = {
      "retry-after": "1",
      "retry-after-sandbox-create": "7",
      "retry-after-sandbox-lifecycle": "3",
      "retry-after-authenticated": "Wed, 21 Oct 2026 07:28:05 GMT",
    };
    expect(parseRetryAfter(headers, NOW)).toBe(7_000);
  });

  it("reads a throttler header alone, without a plain Retry-After", () => {
    expect(parseRetryAfter({ "Retry-After-sandbox-create": "4" }, NOW)).toBe(4_000);
  });

  it("matches header names case-insensitively", () => {
    expect(parseRetryAfter({ "RETRY-AFTER": "2" }, NOW)).toBe(2_000);
    expect(parseRetryAfter({ "Retry-After-Sandbox-Create": "9", "retry-after": "2" }, NOW)).toBe(9_000);
  });

  it("reads repeated headers given as arrays or joined with commas, taking the largest", () => {
    expect(parseRetryAfter({ "retry-after-sandbox-create": ["2", "6", "soon"] }, NOW)).toBe(6_000);
    expect(parseRetryAfter({ "retry-after-sandbox-create": "2, 6" }, NOW)).toBe(6_000);
  });

  it("ignores unrelated headers that merely start alike", () => {
    expect(parseRetryAfter({ "retry-afterwards": "9", "retry-after-": "9", "x-retry-after": "9" }, NOW)).toBe(
      undefined,
    );
  });

  it.each([
    "soon",
    "",
    "-5",
    "1e3",
    "0x10",
    "Infinity",
    "garbage 1",
    "2026-10-21T07:29:00Z",
    "Wed, 31 Feb 2026 07:28:30 GMT",
    "Wed, 21 Oct 2026 25:28:30 GMT",
    "Wed, 21 Oct 2026 07:28:30 PST",
  ])("ignores the unusable value %j", (value) => {
    expect(parseRetryAfter({ "retry-after": value }, NOW)).toBe(undefined);
    expect(parseRetryAfter({ "retry-after": value, "retry-after-sandbox-create": "3" }, NOW)).toBe(3_000);
  });

  it("ignores a date already in the past", () => {
    expect(parseRetryAfter({ "retry-after": "Wed, 21 Oct 2026 07:27:00 GMT" }, NOW)).toBe(undefined);
  });

  it("answers undefined for no headers, no Retry-After, or undefined values", () => {
    expect(parseRetryAfter(undefined, NOW)).toBe(undefined);
    expect(parseRetryAfter({}, NOW)).toBe(undefined);
    expect(parseRetryAfter({ "content-type": "application/json", "retry-after": undefined }, NOW)).toBe(
      undefined,
    );
  });
});
