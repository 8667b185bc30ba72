/**
 * Simulated time for tests and benches: sleeps wait on a virtual clock that jumps to the next due sleep once the
 * process has gone quiet, so a 10-minute rate-limit scenario runs in a second of real time and its timings are
 * exact simulated milliseconds, whatever the machine's load.
 * @module
 */
import { setImmediate as nextTurn } from "node:timers/promises";

/** A clock with `now` and an abortable `sleep`, shared by the emulator and the kit under test. */
export interface SimulatedClock {
  /** Simulated milliseconds. */
  now(): number;
  /** Resolves when simulated time reaches `now() + ms`; rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Sleeps not yet due. */
  readonly pending: number;
}

/** Options of {@link createSimulatedClock}. */
export interface SimulatedClockOptions {
  /** The starting time in simulated milliseconds. @default 0 */
  readonly start?: number;
  /**
   * Event-loop turns without any clock activity (a `now()` or a new sleep) that count as "quiet". More turns make
   * a premature jump less likely when work goes through many promise hops (msw, the SDK). @default 30
   */
  readonly quietTurns?: number;
}

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/**
 * A clock whose time moves only when everything is asleep: after `quietTurns` event-loop turns with no clock
 * activity, it advances to the earliest pending sleep and wakes every sleep due then (in the order they were
 * made). Real I/O is not simulated: use it with in-process servers (the emulator through msw).
 *
 * @example
 * ```ts
 * const clock = createSimulatedClock();
 * const emulator = createDaytonaEmulator({ clock, latencyMs: 50 });
 * const kit = createKit({ ..., throttling: { now: clock.now, sleep: clock.sleep } });
 * ```
 */
export function createSimulatedClock(options: SimulatedClockOptions = {}): SimulatedClock {
  let time = options.start ?? 0;
  const quietTurns = Math.max(1, options.quietTurns ?? 30);
  const timers: Timer[] = [];
  let activity = 0;
  let seq = 0;
  let pumping = false;

  const pump = async () => {
    pumping = true;
    try {
      while (timers.length > 0) {
        // Quiet means: a whole round of turns (and a real timer tick) passed with no one touching the clock.
        const seen = activity;
        for (let turn = 0; turn < quietTurns; turn++) await nextTurn();
        await new Promise<void>((resolve) => setTimeout(resolve, 1));
        if (seen !== activity || timers.length === 0) continue;
        timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const first = timers[0];
        if (first === undefined) break;
        time = Math.max(time, first.at);
        const due = timers.filter((timer) => timer.at <= time);
        timers.splice(0, due.length);
        activity += 1;
        for (const timer of due) timer.resolve();
      }
    } finally {
      pumping = false;
    }
  };

  return {
    now: () => {
      activity += 1;
      return time;
    },
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        activity += 1;
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const wait = Number.isFinite(ms) && ms > 0 ? ms : 0;
        const onAbort = () => {
          const index = timers.indexOf(timer);
          if (index >= 0) timers.splice(index, 1);
          reject(signal?.reason);
        };
        const timer: Timer = {
          at: time + wait,
          seq: seq++,
          resolve: () => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
          },
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        timers.push(timer);
        if (!pumping) void pump();
      }),
    get pending() {
      return timers.length;
    },
  };
}
