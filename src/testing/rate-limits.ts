/**
 * Daytona's per-throttler rate limits, emulated: every API request counts against the `authenticated` throttler,
 * creates also against `sandbox-create`, start/stop/delete also against `sandbox-lifecycle` (the scopes Daytona's
 * API declares on those routes). Past a limit the request is answered 429 with `Retry-After` and
 * `Retry-After-<throttler>`, as Daytona's throttler guard does. A "storm" answers every request 429.
 * @module
 */
import type { EmulatorRoute } from "./routes.js";

/** The throttler names of Daytona's API that the emulator enforces. */
export type EmulatedThrottler = "authenticated" | "sandbox-create" | "sandbox-lifecycle";

/** One throttler's limit: at most `limit` requests per window of `windowMs` (simulated or real) milliseconds. */
export interface ThrottlerLimit {
  readonly limit: number;
  readonly windowMs: number;
}

/** Limits per throttler; a throttler left out is not enforced. */
export type EmulatorRateLimits = Partial<Record<EmulatedThrottler, ThrottlerLimit>>;

/** Why a request was refused: the throttler and the seconds the client is told to wait. */
export interface ThrottleDecision {
  readonly throttler: EmulatedThrottler;
  readonly retryAfterSeconds: number;
}

interface Window {
  startedAt: number;
  hits: number;
}

/** The throttlers a route counts against, most specific last (Daytona's guard checks `authenticated` first). */
export function throttlersOf(route: EmulatorRoute): EmulatedThrottler[] {
  if (route === "GET /socket.io") return [];
  if (
    route.startsWith("POST /toolbox") ||
    route.startsWith("GET /toolbox") ||
    route.startsWith("DELETE /toolbox")
  ) {
    // The toolbox is served by the proxy, outside the API's throttler guard; a storm still covers it.
    return [];
  }
  if (route === "POST /sandbox") return ["authenticated", "sandbox-create"];
  if (
    route === "POST /sandbox/:id/start" ||
    route === "POST /sandbox/:id/stop" ||
    route === "DELETE /sandbox/:id"
  ) {
    return ["authenticated", "sandbox-lifecycle"];
  }
  return ["authenticated"];
}

/**
 * The emulator's rate limiter: fixed windows per throttler (a window opens at its first request and lasts
 * `windowMs`), counted on the emulator's clock. Exposed as `emulator.rateLimits`.
 *
 * @example
 * ```ts
 * const emulator = createDaytonaEmulator({ rateLimits: { "sandbox-create": { limit: 60, windowMs: 60_000 } } });
 * emulator.rateLimits.storm(10_000); // every request 429 with Retry-After 1 for 10 s
 * emulator.rateLimits.rejected("sandbox-create"); // 429s answered by that throttler so far
 * ```
 */
export class EmulatorRateLimiter {
  private limits: EmulatorRateLimits;
  private readonly windows = new Map<EmulatedThrottler, Window>();
  private readonly rejections = new Map<EmulatedThrottler, number>();
  private stormUntil = Number.NEGATIVE_INFINITY;
  private stormRetryAfterSeconds = 1;

  constructor(
    limits: EmulatorRateLimits,
    private readonly now: () => number,
  ) {
    this.limits = { ...limits };
  }

  /** Replaces one throttler's limit (`undefined` stops enforcing it); its window starts afresh. */
  set(throttler: EmulatedThrottler, limit: ThrottlerLimit | undefined): void {
    this.limits = { ...this.limits, [throttler]: limit };
    this.windows.delete(throttler);
  }

  /** Every request (API and toolbox) answers 429 with `Retry-After: retryAfterSeconds` for `durationMs` from now. */
  storm(durationMs: number, retryAfterSeconds = 1): void {
    this.stormUntil = this.now() + durationMs;
    this.stormRetryAfterSeconds = retryAfterSeconds;
  }

  /** 429s answered so far by one throttler (all when omitted), storms included. */
  rejected(throttler?: EmulatedThrottler): number {
    if (throttler !== undefined) return this.rejections.get(throttler) ?? 0;
    let total = 0;
    for (const count of this.rejections.values()) total += count;
    return total;
  }

  /** Forgets windows, counts and any storm; the configured limits stay. */
  clear(): void {
    this.windows.clear();
    this.rejections.clear();
    this.stormUntil = Number.NEGATIVE_INFINITY;
  }

  /** Counts one request of `route`; returns why it must be refused, or `undefined` to serve it. */
  check(route: EmulatorRoute): ThrottleDecision | undefined {
    if (route === "GET /socket.io") return undefined;
    const now = this.now();
    const throttlers = throttlersOf(route);
    if (now < this.stormUntil) {
      return this.reject({
        throttler: throttlers[throttlers.length - 1] ?? "authenticated",
        retryAfterSeconds: this.stormRetryAfterSeconds,
      });
    }
    // Daytona's guard runs the throttlers in order and stops at the first refusal; earlier ones keep the hit.
    for (const throttler of throttlers) {
      const limit = this.limits[throttler];
      if (limit === undefined) continue;
      let window = this.windows.get(throttler);
      if (window === undefined || now >= window.startedAt + limit.windowMs) {
        window = { startedAt: now, hits: 0 };
        this.windows.set(throttler, window);
      }
      if (window.hits >= limit.limit) {
        const leftMs = window.startedAt + limit.windowMs - now;
        return this.reject({ throttler, retryAfterSeconds: Math.max(1, Math.ceil(leftMs / 1000)) });
      }
      window.hits += 1;
    }
    return undefined;
  }

  private reject(decision: ThrottleDecision): ThrottleDecision {
    this.rejections.set(decision.throttler, (this.rejections.get(decision.throttler) ?? 0) + 1);
    return decision;
  }
}

/** The headers of a 429: the generic `Retry-After` and the throttler's own, as Daytona sends them. */
export function throttleHeaders(decision: ThrottleDecision): Record<string, string> {
  const seconds = String(decision.retryAfterSeconds);
  return { "Retry-After": seconds, [`Retry-After-${decision.throttler}`]: seconds };
}
