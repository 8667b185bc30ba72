/**
 * Bounded waits for a sandbox state. Daytona has real stuck states (`starting` forever, `creating` for 600 s), so
 * every wait has a deadline and an AbortSignal, and `error`/`build_failed` end it at once.
 * @module
 */
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import type { SandboxDriver, SandboxInfo } from "../driver/types.js";
import { type KitError, kitError } from "../errors.js";
import { currentScope } from "../policy/deadline.js";
import { realSleep } from "../policy/sleep.js";

/** The clock a wait runs on; tests inject a fake one. */
export interface WaitClock {
  readonly now: () => number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** States in which a sandbox no longer counts as anyone's. */
export const GONE_STATES: ReadonlySet<string> = new Set(["destroyed", "destroying"]);

/** States that end a wait with `SandboxFailed`. */
export const FAILED_STATES: ReadonlySet<string> = new Set(["error", "build_failed"]);

/** Options of {@link waitForState}. */
export interface WaitForStateOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  /** First poll interval; it grows ×1.5 up to `maxPollMs`. @default 250 */
  readonly pollMs?: number | undefined;
  /** @default 2_000 */
  readonly maxPollMs?: number;
  readonly clock: WaitClock;
}

/** Polls `driver.get(id)` until the sandbox is in one of `wanted`, fails, or the deadline passes. */
export function waitForState(
  driver: SandboxDriver,
  id: string,
  wanted: ReadonlySet<string>,
  options: WaitForStateOptions,
): ResultAsync<SandboxInfo, KitError> {
  const { clock } = options;
  // The public call's scope ends the wait too (its deadline, dispose): no poll timer outlives the call.
  const scopeSignal = currentScope()?.signal;
  const signal =
    options.signal && scopeSignal
      ? AbortSignal.any([options.signal, scopeSignal])
      : (options.signal ?? scopeSignal);
  const deadline = clock.now() + options.timeoutMs;
  const operation = `wait for sandbox ${id} to be ${[...wanted].join("/")}`;
  const poll = (interval: number): ResultAsync<SandboxInfo, KitError> => {
    if (signal?.aborted) return errAsync(kitError.aborted(operation));
    return driver.get(id).andThen((info): ResultAsync<SandboxInfo, KitError> => {
      if (wanted.has(info.state)) return okAsync(info);
      if (FAILED_STATES.has(info.state)) return errAsync(failed(info));
      const left = deadline - clock.now();
      if (left <= 0) return errAsync(kitError.timeout(operation, options.timeoutMs));
      const pause = Math.min(interval, left);
      return sleepResult(clock, pause, signal, operation).andThen(() =>
        poll(Math.min(interval * 1.5, options.maxPollMs ?? 2_000)),
      );
    });
  };
  return poll(options.pollMs ?? 250);
}

/** The `SandboxFailed` error for a sandbox in `error`/`build_failed`. */
export function failed(info: SandboxInfo): KitError {
  return kitError.sandboxFailed(info.state, {
    sandboxId: info.id,
    reason: info.errorReason || undefined,
    recoverable: info.recoverable,
  });
}

function sleepResult(
  clock: WaitClock,
  ms: number,
  signal: AbortSignal | undefined,
  operation: string,
): ResultAsync<void, KitError> {
  return ResultAsync.fromPromise(clock.sleep(ms, signal), () => kitError.aborted(operation)).andThen(() =>
    signal?.aborted ? errAsync(kitError.aborted(operation)) : okAsync(undefined),
  );
}

/** The real clock: `Date.now` and an abortable timer. */
export const systemClock: WaitClock = { now: () => Date.now(), sleep: realSleep };
