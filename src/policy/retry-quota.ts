/**
 * A retry budget shared by every call of a kit, as AWS SDK v3's "standard" retry mode has it: each retry spends
 * tokens, each success earns some back, and an empty bucket means "do not retry, return the error". When the
 * server is failing for everyone, the kit stops multiplying its requests instead of every call retrying alone.
 * @module
 */
import type { KitError } from "../errors.js";

/** The numbers of a {@link RetryQuota}. */
export interface RetryQuotaOptions {
  /** Tokens in a full bucket (the bucket starts full). @default 500 */
  readonly capacity?: number;
  /** Tokens one retry spends. @default 5 */
  readonly retryCost?: number;
  /** Tokens a retry after a `Timeout` spends (a timeout says more about the server's health). @default 10 */
  readonly timeoutCost?: number;
  /** Tokens a success earns when it needed no retry. @default 1 */
  readonly successIncrement?: number;
}

/** The defaults of {@link RetryQuotaOptions} (AWS SDK v3 standard mode). */
export const DEFAULT_RETRY_QUOTA: Readonly<Required<RetryQuotaOptions>> = Object.freeze({
  capacity: 500,
  retryCost: 5,
  timeoutCost: 10,
  successIncrement: 1,
});

/** The shared bucket. */
export interface RetryQuota {
  /** Spends the cost of retrying after `error`; returns the tokens spent, or `undefined` when too few are left. */
  acquire(error: KitError): number | undefined;
  /** A call succeeded: gives back `spent` (the cost of its last retry) or, without one, the success increment. */
  succeeded(spent?: number): void;
  /** Tokens left. */
  available(): number;
}

/**
 * Creates a retry quota.
 *
 * @example
 * ```ts
 * const quota = createRetryQuota();
 * const cost = quota.acquire(error); // undefined: the budget is spent, return the error
 * if (cost !== undefined) { await retry(); quota.succeeded(cost); }
 * ```
 */
export function createRetryQuota(options: RetryQuotaOptions = {}): RetryQuota {
  const settings = { ...DEFAULT_RETRY_QUOTA, ...definedOnly(options) };
  let tokens = settings.capacity;
  return {
    acquire(error) {
      const cost = error.kind === "Timeout" ? settings.timeoutCost : settings.retryCost;
      if (tokens < cost) return undefined;
      tokens -= cost;
      return cost;
    },
    succeeded(spent) {
      tokens = Math.min(settings.capacity, tokens + (spent ?? settings.successIncrement));
    },
    available: () => tokens,
  };
}

function definedOnly(options: RetryQuotaOptions): RetryQuotaOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
