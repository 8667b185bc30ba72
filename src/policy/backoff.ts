/**
 * The pure half of retrying: which errors are worth another try, and how long to wait before it.
 * @module
 */
import type { KitError } from "../errors.js";

/** What {@link RetryPolicy.onRetry} is told before each wait. */
export interface RetryInfo {
  /** The name the caller gave the operation (for logs). */
  readonly operation: string;
  /** The attempt that just failed, counting from 1; the next one is `attempt + 1`. */
  readonly attempt: number;
  /** How long the retry will wait before the next attempt. */
  readonly delayMs: number;
  /** The error of the failed attempt (`error.kind` tells why). */
  readonly error: KitError;
}

/**
 * How an operation is retried. Every field is optional; missing ones take the defaults given on each field.
 *
 * @example
 * ```ts
 * const policy: RetryPolicy = { attempts: 5, deadlineMs: 30_000, onRetry: (i) => log.warn(i) };
 * ```
 */
export interface RetryPolicy {
  /**
   * How many times the operation may run in total, the first try included. `1` disables retries.
   * `Infinity` is accepted only together with `deadlineMs`.
   * @default 3
   */
  attempts?: number;
  /**
   * The backoff base: before attempt `n + 1` the wait is a random value in `[0, min(maxDelayMs, base × 2^(n-1))]`
   * (AWS "full jitter").
   * @default 100
   */
  baseDelayMs?: number;
  /**
   * The backoff base used instead of `baseDelayMs` after a `RateLimited` (429) error.
   * @default 500
   */
  throttledBaseDelayMs?: number;
  /**
   * The cap on any single wait. A server's `Retry-After` larger than this is not waited for: the retry stops and
   * the `RateLimited` / `Transient` error (with its `retryAfterMs`) is returned, so the caller can decide.
   * @default 20_000
   */
  maxDelayMs?: number;
  /**
   * The overall budget, measured with `now` from the first attempt. No wait runs past it: when the next wait
   * would end at or after the deadline, retrying stops and the LAST error is returned (not a `Timeout`: the last
   * error says why the operation failed, e.g. `RateLimited` with the server's `retryAfterMs`). An attempt already
   * running is not cut short; give each attempt its own timeout.
   * @default undefined (no overall budget)
   */
  deadlineMs?: number;
  /**
   * A source of numbers in `[0, 1)` for the jitter (inject a fixed one in tests).
   * @default Math.random
   */
  random?: () => number;
  /**
   * Waits `ms` milliseconds; should reject promptly when `signal` aborts (an abort is honoured even if it does not).
   * @default a real timer (`node:timers/promises`)
   */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * The clock for `deadlineMs`, in milliseconds.
   * @default Date.now
   */
  now?: () => number;
  /**
   * Called just before each wait. Errors it throws are ignored: an observer never changes the outcome.
   * @default undefined
   */
  onRetry?: (info: RetryInfo) => void;
}

/** The numeric defaults of {@link RetryPolicy} (AWS SDK v3 "standard" numbers). */
export const DEFAULT_RETRY_POLICY: Readonly<{
  attempts: number;
  baseDelayMs: number;
  throttledBaseDelayMs: number;
  maxDelayMs: number;
}> = Object.freeze({ attempts: 3, baseDelayMs: 100, throttledBaseDelayMs: 500, maxDelayMs: 20_000 });

/** The fields of {@link RetryPolicy} that {@link retryDelayMs} reads. */
export type BackoffPolicy = Pick<
  RetryPolicy,
  "baseDelayMs" | "throttledBaseDelayMs" | "maxDelayMs" | "random"
>;

/**
 * Whether a failed call may be tried again.
 *
 * The error's own `retryable` flag decides (true for `RateLimited`, `Transient`, `Timeout`; false for
 * `InvalidArgument`, `Auth`, `Forbidden`, `NotFound`, `Conflict`, `RegionUnavailable`, `Aborted`, …), with one
 * narrowing: a `Timeout` is retried only when the call is idempotent, because the server may have done the work
 * before the client gave up.
 *
 * @example
 * ```ts
 * isRetryable(kitError.timeout("create sandbox", 60_000), false); // false: it may have been created
 * isRetryable(kitError.rateLimited("429"), false); // true: a 429 was not processed
 * ```
 */
export function isRetryable(error: KitError, idempotent: boolean): boolean {
  if (!error.retryable) return false;
  if (error.kind === "Timeout") return idempotent;
  return true;
}

/**
 * The wait before the attempt after `attempt` failed with `error`, in whole milliseconds.
 *
 * Full jitter: `floor(random() × min(maxDelayMs, base × 2^(attempt-1)))`, where `base` is `throttledBaseDelayMs`
 * after a `RateLimited` error and `baseDelayMs` otherwise. When the error carries the server's `retryAfterMs`,
 * the wait is never shorter than it — even above `maxDelayMs`; the retry loop then declines to wait that long
 * (see {@link RetryPolicy.maxDelayMs}). So the result is at most `max(maxDelayMs, retryAfterMs)` and never negative.
 *
 * @param attempt - the attempt that just failed, counting from 1
 * @example
 * ```ts
 * retryDelayMs(1, kitError.transient("502", { status: 502 }), { random: () => 1 }); // 100
 * retryDelayMs(3, kitError.transient("502", { status: 502 }), { random: () => 1 }); // 400
 * retryDelayMs(1, kitError.rateLimited("429", 2_000), { random: () => 0.5 }); // 2000 (Retry-After wins over 250)
 * ```
 */
export function retryDelayMs(attempt: number, error: KitError, policy: BackoffPolicy = {}): number {
  const base =
    error.kind === "RateLimited"
      ? (policy.throttledBaseDelayMs ?? DEFAULT_RETRY_POLICY.throttledBaseDelayMs)
      : (policy.baseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs);
  const cap = policy.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs;
  // The exponent stops at 64: 2^64 × any positive base is past every sane cap, and an unbounded one reaches
  // 2^1024 = Infinity, which turns a base of 0 into NaN.
  const exponent = Math.min(64, Math.max(0, Math.floor(Number.isFinite(attempt) ? attempt : 1) - 1));
  const ceiling = Math.max(0, Math.min(cap, base * 2 ** exponent));
  const jitter = Math.floor(unitInterval((policy.random ?? Math.random)()) * ceiling);
  const serverWait = serverRetryAfterMs(error);
  return serverWait === undefined ? jitter : Math.max(jitter, serverWait);
}

/** The wait the server asked for, carried by `RateLimited` and `Transient` (503 with `Retry-After`). */
export function serverRetryAfterMs(error: KitError): number | undefined {
  if (error.kind !== "RateLimited" && error.kind !== "Transient") return undefined;
  const wait = error.retryAfterMs;
  return wait !== undefined && Number.isFinite(wait) && wait >= 0 ? Math.ceil(wait) : undefined;
}

/** Clamps an injected random number into [0, 1]; NaN counts as 0 so a bad source cannot poison the delay. */
function unitInterval(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.min(1, Math.max(0, value));
}
