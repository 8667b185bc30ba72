/**
 * Client-side rate limits per throttler class: at most `limit` requests of a class start in any window of
 * `windowMs`, so a fan-out stays under Daytona's limits instead of learning them from 429s. The limits ride in
 * an AsyncLocalStorage context, so they reach the driver calls of exactly the work that set them.
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { ThrottlerClass } from "./throttle-gate.js";

/** One class's client-side limit. */
export interface RateWindow {
  /** Requests allowed per window (a whole number ≥ 1). */
  readonly limit: number;
  /** The window in milliseconds. */
  readonly windowMs: number;
}

/** Client-side limits per throttler class. */
export type ClientRateLimits = Partial<
  Record<"authenticated" | "sandbox-create" | "sandbox-lifecycle", RateWindow>
>;

/**
 * Daytona's published limits per organisation (docs: "Rate Limits"): 50 000 authenticated requests, 600 sandbox
 * creations and 50 000 lifecycle operations per 60 s. Lower tiers have less; pass yours.
 */
export const DAYTONA_PUBLISHED_LIMITS: Readonly<Required<ClientRateLimits>> = Object.freeze({
  authenticated: Object.freeze({ limit: 50_000, windowMs: 60_000 }),
  "sandbox-create": Object.freeze({ limit: 600, windowMs: 60_000 }),
  "sandbox-lifecycle": Object.freeze({ limit: 50_000, windowMs: 60_000 }),
});

/** The limiters of one fan-out. */
export interface ClientLimiters {
  /**
   * Waits until a request of `cls` may start and reserves its place in the window; resolves with a function to
   * call when the request is really sent (the gate may hold it a little longer), or `undefined` when `signal`
   * aborted first.
   */
  take(cls: ThrottlerClass, signal?: AbortSignal): Promise<(() => void) | undefined>;
}

interface Clock {
  readonly now: () => number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Sliding windows: a request may start when fewer than `limit` were sent in the last `windowMs`. Each class keeps
 * its sends in reservation order and drops expired ones from the front, so a take costs O(1) amortised however
 * large the limit. A send stamped later than its reservation can only keep a slot longer: never over the limit.
 */
export function createClientLimiters(limits: ClientRateLimits, clock: Clock): ClientLimiters {
  const sent = new Map<string, SendQueue>();
  // One waiter at a time per class keeps the order of arrival.
  const tails = new Map<string, Promise<unknown>>();
  const takeNow = async (
    cls: string,
    window: RateWindow,
    signal?: AbortSignal,
  ): Promise<(() => void) | undefined> => {
    const queue = sent.get(cls) ?? new SendQueue();
    sent.set(cls, queue);
    for (;;) {
      if (signal?.aborted) return undefined;
      const now = clock.now();
      queue.dropUntil(now - window.windowMs);
      if (queue.size < window.limit) {
        const slot = queue.push(now);
        // The window counts from the real send, which can only be later than the reservation.
        return () => {
          slot.at = Math.max(slot.at, clock.now());
        };
      }
      try {
        await clock.sleep(Math.max(1, queue.oldest() + window.windowMs - now), signal);
      } catch {
        return undefined;
      }
    }
  };
  return {
    take(cls, signal) {
      const window = limits[cls as keyof ClientRateLimits];
      if (window === undefined) return Promise.resolve(() => undefined);
      const previous = tails.get(cls) ?? Promise.resolve();
      const mine = previous.then(() => takeNow(cls, window, signal));
      tails.set(cls, mine);
      return mine;
    },
  };
}

const storage = new AsyncLocalStorage<ClientLimiters>();

/** Runs `work` with `limiters` applying to every gated driver call it makes. */
export function withClientLimiters<T>(limiters: ClientLimiters, work: () => T): T {
  return storage.run(limiters, work);
}

/** The limiters of the work running now, if any. */
export function currentClientLimiters(): ClientLimiters | undefined {
  return storage.getStore();
}

/** Send times of one class in reservation order, with O(1) amortised removal from the front. */
class SendQueue {
  private readonly slots: { at: number }[] = [];
  private head = 0;

  get size(): number {
    return this.slots.length - this.head;
  }

  push(at: number): { at: number } {
    const slot = { at };
    this.slots.push(slot);
    return slot;
  }

  /** The front's send time (the earliest reservation still counted). */
  oldest(): number {
    return this.slots[this.head]?.at ?? Number.NEGATIVE_INFINITY;
  }

  /** Forgets sends at or before `cutoff`, from the front. */
  dropUntil(cutoff: number): void {
    while (this.head < this.slots.length && (this.slots[this.head]?.at ?? 0) <= cutoff) this.head += 1;
    // Compact once half the array is dead, so memory follows the live count.
    if (this.head > 1024 && this.head * 2 > this.slots.length) {
      this.slots.splice(0, this.head);
      this.head = 0;
    }
  }
}
