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

/** Sliding windows: a request may start when fewer than `limit` were sent in the last `windowMs`. */
export function createClientLimiters(limits: ClientRateLimits, clock: Clock): ClientLimiters {
  const sent = new Map<string, { at: number }[]>();
  // One waiter at a time per class keeps the order of arrival.
  const tails = new Map<string, Promise<unknown>>();
  const takeNow = async (
    cls: string,
    window: RateWindow,
    signal?: AbortSignal,
  ): Promise<(() => void) | undefined> => {
    const slots = sent.get(cls) ?? [];
    sent.set(cls, slots);
    for (;;) {
      if (signal?.aborted) return undefined;
      const now = clock.now();
      const live = slots.filter((slot) => slot.at > now - window.windowMs);
      slots.splice(0, slots.length, ...live);
      if (slots.length < window.limit) {
        const slot = { at: now };
        slots.push(slot);
        // The window counts from the real send, which can only be later than the reservation.
        return () => {
          slot.at = Math.max(slot.at, clock.now());
        };
      }
      const oldest = Math.min(...slots.map((slot) => slot.at));
      try {
        await clock.sleep(oldest + window.windowMs - now, signal);
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
