import { describe, expect, it } from "vitest";
import { kitError } from "../../src/errors.js";
import { createRetryQuota, DEFAULT_RETRY_QUOTA } from "../../src/policy/retry-quota.js";

const limited = kitError.rateLimited("429", 1_000);
const timedOut = kitError.timeout("get sandbox", 5_000);

describe("the shared retry quota (AWS SDK v3 standard numbers)", () => {
  it("spends 5 per retry and 10 per retry after a timeout, from 500", () => {
    const quota = createRetryQuota();
    expect(DEFAULT_RETRY_QUOTA).toEqual({
      capacity: 500,
      retryCost: 5,
      timeoutCost: 10,
      successIncrement: 1,
    });
    expect(quota.acquire(limited)).toBe(5);
    expect(quota.acquire(timedOut)).toBe(10);
    expect(quota.available()).toBe(485);
  });

  it("refuses a retry once the bucket is empty: a storm cannot multiply requests", () => {
    const quota = createRetryQuota({ capacity: 12 });
    expect([quota.acquire(limited), quota.acquire(limited), quota.acquire(limited)]).toEqual([
      5,
      5,
      undefined,
    ]);
    expect(quota.available()).toBe(2);
  });

  it("gives back the last retry's cost on success, else 1, never past capacity", () => {
    const quota = createRetryQuota({ capacity: 20 });
    const spent = quota.acquire(timedOut);
    quota.succeeded(spent);
    expect(quota.available()).toBe(20);
    quota.acquire(limited);
    quota.succeeded();
    expect(quota.available()).toBe(16);
    for (let i = 0; i < 10; i++) quota.succeeded();
    expect(quota.available()).toBe(20);
  });
});
