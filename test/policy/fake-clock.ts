/**
 * A fake clock and sleep for the retry tests: sleeping advances the clock instantly and records the delay,
 * so no test ever waits in real time.
 */
import { err, errAsync, ok, okAsync, type Result, type ResultAsync } from "neverthrow";
import type { KitError } from "../../src/errors.js";
import { fakeClock as baseFakeClock, type FakeClock } from "../support/fake-clock.js";

export type { FakeClock } from "../support/fake-clock.js";

/** The shared fake clock, started at a realistic epoch so HTTP-date arithmetic looks like real life. */
export function fakeClock(startMs = 1_700_000_000_000): FakeClock {
  return baseFakeClock(startMs);
}

export interface ScriptedRun<T> {
  run: (attempt: number) => ResultAsync<T, KitError>;
  /** The attempt numbers `run` was called with. */
  readonly attempts: number[];
  /** The fake time at which each attempt started. */
  readonly startedAt: number[];
}

/**
 * An operation that answers from a script, one entry per attempt (the last entry repeats), noting when each
 * attempt started on `clock`; `attemptMs` is how much fake time each attempt takes.
 */
export function scripted<T>(
  clock: FakeClock,
  script: ReadonlyArray<Result<T, KitError>>,
  attemptMs = 0,
): ScriptedRun<T> {
  const attempts: number[] = [];
  const startedAt: number[] = [];
  return {
    attempts,
    startedAt,
    run: (attempt) => {
      attempts.push(attempt);
      startedAt.push(clock.now());
      clock.advance(attemptMs);
      const answer = script[Math.min(attempts.length, script.length) - 1];
      if (answer === undefined) throw new Error("empty script");
      return answer.isOk() ? okAsync(answer.value) : errAsync(answer.error);
    },
  };
}

export const fail = (error: KitError): Result<never, KitError> => err(error);
export const succeed = <T>(value: T): Result<T, never> => ok(value);
