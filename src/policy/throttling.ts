/**
 * The kit's `throttling` option: coordinated backoff per Daytona throttler class and the shared retry quota.
 * @module
 */
import { createRetryQuota, type RetryQuota, type RetryQuotaOptions } from "./retry-quota.js";
import { createThrottleGate, type ThrottleGate } from "./throttle-gate.js";

/**
 * How the kit behaves when Daytona rate-limits it (429). Every field is optional; see docs/scaling.md.
 *
 * @example
 * ```ts
 * createKit({ throttling: { releaseSpacingMs: 100, retryQuota: { capacity: 200 } } });
 * createKit({ throttling: { enabled: false } }); // every call backs off alone, no shared budget
 * ```
 */
export interface ThrottlingOptions {
  /**
   * `false` turns coordinated backoff and the shared retry quota off: each call then retries a 429 on its own
   * (after `Retry-After`), as the `retry` policy says. Applies to the Daytona driver only.
   * @default true
   */
  readonly enabled?: boolean;
  /** Calls of one throttler class in flight before the class has had its first answer (1–1000). @default 4 */
  readonly coldStartConcurrency?: number;
  /**
   * Spacing in ms of the calls released after a pause and during the cold start (0–60 000), so waiting calls
   * leave one by one, not as a wave. @default 50
   */
  readonly releaseSpacingMs?: number;
  /** Random extra on top of a server's `Retry-After`, as a fraction of it (0–1). @default 0.2 */
  readonly jitterRatio?: number;
  /** Cap of that extra, in ms (0–60 000). @default 1_000 */
  readonly maxJitterMs?: number;
  /**
   * The retry budget shared by all calls (AWS SDK v3 "standard" numbers by default: 500 tokens, 5 per retry,
   * 10 per retry after a timeout, +1 per success); `false` for none.
   * @default {}
   */
  readonly retryQuota?: RetryQuotaOptions | false;
  /** The clock of the pauses. @default the `retry` policy's `now`, else `Date.now` */
  readonly now?: () => number;
  /** Waits `ms`. @default the `retry` policy's `sleep`, else a real timer */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Numbers in [0, 1) for the jitter. @default the `retry` policy's `random`, else `Math.random` */
  readonly random?: () => number;
}

/** The gate and quota a kit runs with, or `undefined` when throttling is off. */
export interface KitThrottling {
  readonly gate: ThrottleGate;
  readonly quota: RetryQuota | undefined;
}

/** Builds the gate and quota from already validated options; the retry policy's seams are the fallback. */
export function createKitThrottling(
  options: ThrottlingOptions | undefined,
  fallback: {
    readonly now?: (() => number) | undefined;
    readonly sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
    readonly random?: (() => number) | undefined;
  },
  lifetime: AbortSignal,
): KitThrottling | undefined {
  if (options?.enabled === false) return undefined;
  const now = options?.now ?? fallback.now;
  const sleep = options?.sleep ?? fallback.sleep;
  const random = options?.random ?? fallback.random;
  const gate = createThrottleGate({
    signal: lifetime,
    ...(now ? { now } : {}),
    ...(sleep ? { sleep } : {}),
    ...(random ? { random } : {}),
    ...(options?.coldStartConcurrency === undefined
      ? {}
      : { coldStartConcurrency: options.coldStartConcurrency }),
    ...(options?.releaseSpacingMs === undefined ? {} : { releaseSpacingMs: options.releaseSpacingMs }),
    ...(options?.jitterRatio === undefined ? {} : { jitterRatio: options.jitterRatio }),
    ...(options?.maxJitterMs === undefined ? {} : { maxJitterMs: options.maxJitterMs }),
  });
  const quotaOptions = options?.retryQuota;
  return { gate, quota: quotaOptions === false ? undefined : createRetryQuota(quotaOptions ?? {}) };
}
