/** A clock whose sleeps return at once and move time forward: tests never wait in real time. */
export interface FakeClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Every sleep asked for, in order. */
  readonly sleeps: number[];
  /** Moves time forward without a sleep (an attempt that takes time). */
  advance(ms: number): void;
}

export function fakeClock(start = 0): FakeClock {
  let time = start;
  const sleeps: number[] = [];
  return {
    now: () => time,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      time += ms;
    },
    sleeps,
    advance: (ms) => {
      time += ms;
    },
  };
}
