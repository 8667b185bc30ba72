/**
 * Waiting that an AbortSignal can interrupt, whatever sleep function was injected.
 * @module
 */
import { setTimeout as delay } from "node:timers/promises";
import { clampTimerMs, MAX_TIMER_MS } from "./deadline.js";

/**
 * The default sleep of the retry policy: a real timer that rejects as soon as `signal` aborts.
 *
 * @example
 * ```ts
 * await realSleep(250, controller.signal);
 * ```
 */
export async function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  // Node fires a timer above 2^31-1 ms at once: longer waits are taken in steps.
  let left = Number.isFinite(ms) ? ms : MAX_TIMER_MS;
  do {
    const step = clampTimerMs(left);
    await delay(step, undefined, signal ? { signal } : undefined);
    left -= step;
  } while (left > 0);
}

/** How {@link sleepUnlessAborted} ended. */
export type SleepOutcome = { readonly kind: "slept" } | { readonly kind: "aborted" };

/**
 * Runs `sleep(ms, signal)` but settles the moment `signal` aborts, even when the injected sleep ignores the
 * signal: an abort must end the wait immediately, not when a slow or fake timer gets round to it.
 * A sleep that rejects for any other reason rejects this promise with the same reason.
 */
export function sleepUnlessAborted(
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<SleepOutcome> {
  if (signal === undefined) {
    // Through a `then` so a sleep that throws synchronously still becomes a rejection.
    return Promise.resolve()
      .then(() => sleep(ms))
      .then(() => ({ kind: "slept" }));
  }
  if (signal.aborted) return Promise.resolve({ kind: "aborted" });
  return new Promise<SleepOutcome>((resolve, reject) => {
    const onAbort = () => resolve({ kind: "aborted" });
    signal.addEventListener("abort", onAbort, { once: true });
    const settle = (outcome: () => void) => {
      signal.removeEventListener("abort", onAbort);
      outcome();
    };
    let sleeping: Promise<void>;
    try {
      sleeping = sleep(ms, signal);
    } catch (thrown) {
      settle(() => reject(thrown));
      return;
    }
    sleeping.then(
      () => settle(() => resolve(signal.aborted ? { kind: "aborted" } : { kind: "slept" })),
      (reason: unknown) => settle(() => (signal.aborted ? resolve({ kind: "aborted" }) : reject(reason))),
    );
  });
}
