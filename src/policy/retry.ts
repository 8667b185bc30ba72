/**
 * Retrying a `ResultAsync` operation: classification and backoff from `./backoff.ts`, the loop from p-retry.
 * @module
 */
import { err, errAsync, ok, type Result, ResultAsync } from "neverthrow";
import pRetry, { type RetryContext } from "p-retry";
import { guarded, unexpectedThrow } from "../boundary.js";
import { type KitError, kitError } from "../errors.js";
import {
  DEFAULT_RETRY_POLICY,
  isRetryable,
  type RetryInfo,
  type RetryPolicy,
  retryDelayMs,
} from "./backoff.js";
import { type CallScope, currentScope } from "./deadline.js";
import type { RetryQuota } from "./retry-quota.js";
import { realSleep, type SleepOutcome, sleepUnlessAborted } from "./sleep.js";

export type { BackoffPolicy, RetryInfo, RetryPolicy } from "./backoff.js";
export { DEFAULT_RETRY_POLICY, isRetryable, retryDelayMs } from "./backoff.js";

/** Options of {@link retryResult}: a {@link RetryPolicy} plus per-call facts. */
export interface RetryOptions extends RetryPolicy {
  /** Aborting it stops the retries: before an attempt or during a wait, the result is `Aborted` at once. */
  signal?: AbortSignal;
  /**
   * Whether running the operation twice is harmless. When false, a `Timeout` is not retried (the first call may
   * have done the work).
   * @default true
   */
  idempotent?: boolean;
  /**
   * Narrows what is retried beyond the default classification (`RateLimited`, `Transient`, idempotent
   * `Timeout`): an error is retried only when this also says yes (e.g. exec retries only failures the server
   * certainly did not act on).
   */
  retryIf?: (error: KitError) => boolean;
  /** A retry budget shared with other calls: each retry spends from it; none is made once it is empty. */
  quota?: RetryQuota | undefined;
}

type Settings = Required<Omit<RetryPolicy, "deadlineMs" | "onRetry">> & {
  readonly deadlineMs: number | undefined;
  readonly onRetry: RetryPolicy["onRetry"] | undefined;
};

/**
 * p-retry moves failures around as thrown `Error`s; a `KitError` rides inside this carrier so the original value
 * (kind, fields, frozen identity) comes back out untouched at the end.
 */
class ErrCarrier extends Error {
  constructor(readonly error: KitError) {
    super(error.message);
    this.name = "ErrCarrier";
  }
}

/**
 * Runs `run(attempt)` until it succeeds, fails with an error that is not retryable, the attempts are used up,
 * the deadline leaves no room for the next wait, or `signal` aborts.
 *
 * - Retried: `RateLimited`, `Transient`, and `Timeout` when `idempotent`.
 * - Waits: full-jitter backoff (honouring `Retry-After`). A `Retry-After` above `maxDelayMs` or
 *   beyond the remaining deadline ends the retries with that error instead of waiting.
 * - Returns the first success, or the LAST attempt's error; `Aborted` when the signal fires before an attempt or
 *   during a wait. A success is never discarded because the signal fired just after it.
 * - A `run` that throws (instead of returning `Err`) gives `Unexpected`, not retried.
 * - An invalid policy (e.g. `attempts: 0`) gives `InvalidArgument` without running anything.
 *
 * @param operation - a short name for messages and `onRetry` (e.g. `"start sandbox"`)
 * @param run - one attempt; receives the attempt number, counting from 1
 * @example
 * ```ts
 * const sandbox = await retryResult("get sandbox", () => driver.get(id), { signal, deadlineMs: 60_000 });
 * ```
 */
export function retryResult<T>(
  operation: string,
  run: (attempt: number) => ResultAsync<T, KitError>,
  options: RetryOptions = {},
): ResultAsync<T, KitError> {
  const settings = resolveSettings(options);
  if (settings.isErr()) return errAsync(settings.error);
  // The public call's scope bounds the retries too: its signal stops them, its deadline caps every wait.
  const scope = currentScope();
  const signals = [options.signal, scope?.signal].filter((s): s is AbortSignal => s !== undefined);
  const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
  const retryIf = options.retryIf ?? (() => true);
  return new ResultAsync(
    retryLoop(
      operation,
      run,
      settings.value,
      signal,
      options.idempotent ?? true,
      scope,
      retryIf,
      options.quota,
    ),
  );
}

async function retryLoop<T>(
  operation: string,
  run: (attempt: number) => ResultAsync<T, KitError>,
  settings: Settings,
  signal: AbortSignal | undefined,
  idempotent: boolean,
  scope: CallScope | undefined,
  retryIf: (error: KitError) => boolean,
  quota: RetryQuota | undefined,
): Promise<Result<T, KitError>> {
  if (signal?.aborted) return err(kitError.aborted(operation, signal.reason));
  const startedAt = settings.now();
  let success: { value: T } | undefined;
  let spent: number | undefined;

  const attemptOnce = async (attempt: number): Promise<T> => {
    const result = await runSafely(operation, run, attempt);
    if (result.isErr()) throw new ErrCarrier(result.error);
    quota?.succeeded(spent);
    success = { value: result.value };
    return result.value;
  };

  // Why the wait lives in `shouldRetry`: p-retry 7 calls `onFailedAttempt` BEFORE it checks the retries left
  // and `shouldRetry`, so sleeping there would also sleep after the final or a non-retryable failure. It calls
  // `shouldRetry` only when another attempt is allowed, and awaits it; so that is where we decide, report and
  // wait with the injectable clock. p-retry's own timer is zeroed (minTimeout/maxTimeout 0, no randomize) and its
  // `maxRetryTime` unused, because both run on the real clock and tests must not wait.
  const decideAndWait = async ({ error: thrown, attemptNumber }: RetryContext): Promise<boolean> => {
    if (!(thrown instanceof ErrCarrier)) return false;
    const error = thrown.error;
    if (!isRetryable(error, idempotent) || !safeCall(() => retryIf(error))) return false;
    if (signal?.aborted) throw new ErrCarrier(kitError.aborted(operation, signal.reason));
    const delayMs = retryDelayMs(attemptNumber, error, settings);
    if (delayMs > settings.maxDelayMs) return false;
    if (settings.deadlineMs !== undefined) {
      const remainingMs = settings.deadlineMs - (settings.now() - startedAt);
      if (delayMs >= remainingMs) return false;
    }
    if (scope !== undefined && delayMs >= scope.remainingMs()) return false;
    if (quota !== undefined) {
      const cost = quota.acquire(error);
      if (cost === undefined) return false;
      spent = cost;
    }
    notify(settings.onRetry, { operation, attempt: attemptNumber, delayMs, error });
    let outcome: SleepOutcome;
    try {
      outcome = await sleepUnlessAborted(settings.sleep, delayMs, signal);
    } catch (cause) {
      throw new ErrCarrier(unexpectedThrow(`${operation}: the retry wait`, cause));
    }
    if (outcome.kind === "aborted") throw new ErrCarrier(kitError.aborted(operation, signal?.reason));
    return true;
  };

  try {
    const value = await pRetry(attemptOnce, {
      retries: settings.attempts - 1,
      minTimeout: 0,
      maxTimeout: 0,
      randomize: false,
      signal,
      shouldRetry: decideAndWait,
    });
    return ok(value);
  } catch (thrown) {
    if (success !== undefined) return ok(success.value);
    if (thrown instanceof ErrCarrier) return err(thrown.error);
    // p-retry throws the signal's reason itself when it sees the abort between its steps.
    if (signal?.aborted) return err(kitError.aborted(operation, signal.reason));
    return err(unexpectedThrow(`${operation}: retrying`, thrown));
  }
}

/** One attempt, with a throw or a rejected promise from `run` turned into an error. */
function runSafely<T>(
  operation: string,
  run: (attempt: number) => ResultAsync<T, KitError>,
  attempt: number,
): ResultAsync<T, KitError> {
  return guarded(operation, () => run(attempt));
}

function safeCall(predicate: () => boolean): boolean {
  try {
    return predicate() === true;
  } catch {
    return false;
  }
}

function notify(onRetry: RetryPolicy["onRetry"], info: RetryInfo): void {
  if (onRetry === undefined) return;
  try {
    onRetry(info);
  } catch {
    // An observer must not change the outcome of the operation it observes.
  }
}

function resolveSettings(policy: RetryPolicy): Result<Settings, KitError> {
  const settings: Settings = {
    attempts: policy.attempts ?? DEFAULT_RETRY_POLICY.attempts,
    baseDelayMs: policy.baseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
    throttledBaseDelayMs: policy.throttledBaseDelayMs ?? DEFAULT_RETRY_POLICY.throttledBaseDelayMs,
    maxDelayMs: policy.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
    deadlineMs: policy.deadlineMs,
    random: policy.random ?? Math.random,
    sleep: policy.sleep ?? realSleep,
    now: policy.now ?? Date.now,
    onRetry: policy.onRetry,
  };
  const unlimited = settings.attempts === Number.POSITIVE_INFINITY && settings.deadlineMs !== undefined;
  if (!unlimited && !(Number.isInteger(settings.attempts) && settings.attempts >= 1)) {
    return err(
      kitError.invalidArgument(
        "attempts",
        `attempts must be a whole number ≥ 1 (Infinity only with deadlineMs), got ${settings.attempts}.`,
      ),
    );
  }
  for (const name of ["baseDelayMs", "throttledBaseDelayMs", "maxDelayMs", "deadlineMs"] as const) {
    const value = settings[name];
    if (value === undefined) continue;
    if (!(Number.isFinite(value) && value >= 0)) {
      return err(
        kitError.invalidArgument(name, `${name} must be a finite number of milliseconds ≥ 0, got ${value}.`),
      );
    }
  }
  return ok(settings);
}
