/** A clock whose sleeps return at once and move time forward: tests never wait in real time. */
export interface FakeClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Every sleep asked for, in order. */
  readonly sleeps: number[];
}

export function fakeClock(start = 0): FakeClock {
  let time = start;
  const sleeps: number[] = [];
  return {
    now: () => time,
    sleep: async (ms) => {
      sleeps.push(ms);
      time += ms;
    },
    sleeps,
  };
}
