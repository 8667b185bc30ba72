import type { EmulatorRoute } from "./routes.js";
import type { RequestLogEntry } from "./types.js";

/**
 * The ordered log of every request the emulator answered, plus in-flight counters per route (current and peak),
 * so tests can assert exact round trips and bounded concurrency.
 */
export class RequestLog {
  /** Every request, in arrival order. */
  readonly entries: RequestLogEntry[] = [];
  private readonly current = new Map<EmulatorRoute, number>();
  private readonly peak = new Map<EmulatorRoute, number>();
  private currentTotal = 0;
  private peakTotal = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Records an arriving request and counts it as in flight. */
  begin(route: EmulatorRoute, request: Request, sandboxId: string | undefined): RequestLogEntry {
    const entry: RequestLogEntry = {
      method: request.method,
      route,
      url: request.url,
      status: 0,
      sandboxId,
      at: this.now(),
      fault: undefined,
      throttledBy: undefined,
    };
    this.entries.push(entry);
    const now = (this.current.get(route) ?? 0) + 1;
    this.current.set(route, now);
    this.peak.set(route, Math.max(this.peak.get(route) ?? 0, now));
    this.currentTotal += 1;
    this.peakTotal = Math.max(this.peakTotal, this.currentTotal);
    return entry;
  }

  /** Marks a request as answered. */
  end(entry: RequestLogEntry, status: number): void {
    entry.status = status;
    this.current.set(entry.route, (this.current.get(entry.route) ?? 1) - 1);
    this.currentTotal -= 1;
  }

  /** Requests logged for a route (all routes when omitted). */
  count(route?: EmulatorRoute): number {
    if (route === undefined) return this.entries.length;
    return this.entries.filter((e) => e.route === route).length;
  }

  /** Requests of a route (all when omitted) currently being answered. */
  inFlight(route?: EmulatorRoute): number {
    return route === undefined ? this.currentTotal : (this.current.get(route) ?? 0);
  }

  /** The highest number of simultaneous requests seen for a route (all routes together when omitted). */
  maxInFlight(route?: EmulatorRoute): number {
    return route === undefined ? this.peakTotal : (this.peak.get(route) ?? 0);
  }

  /** Forgets every entry and peak (requests still in flight keep counting). */
  clear(): void {
    this.entries.length = 0;
    this.peak.clear();
    for (const [route, n] of this.current) this.peak.set(route, n);
    this.peakTotal = this.currentTotal;
  }
}
