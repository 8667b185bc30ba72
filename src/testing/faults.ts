import type { EmulatorRoute } from "./routes.js";
import { seededRandom } from "./seeded-random.js";
import type { Fault, RandomFaultOptions } from "./types.js";

interface QueuedFault {
  readonly fault: Fault;
  remaining: number;
}

interface RandomMode {
  readonly rate: number;
  readonly kinds: Fault[];
  readonly routes: EmulatorRoute[] | undefined;
  readonly next: () => number;
}

const DEFAULT_RANDOM_KINDS: Fault[] = [
  { status: 503 },
  { status: 502 },
  { status: 429, headers: { "Retry-After": "1" } },
  { connectionError: true },
];

/**
 * Faults to apply to the next requests of a route, plus an optional seeded random mode.
 *
 * @example
 * emulator.faults.inject("GET /sandbox/:id", { status: 503, times: 2 });
 * emulator.faults.clear();
 */
export class FaultRegistry {
  private readonly queues = new Map<EmulatorRoute, QueuedFault[]>();
  private randomMode: RandomMode | undefined;

  /** Queues a fault for the next `fault.times` (default 1) calls of `route`. Faults queue in order. */
  inject(route: EmulatorRoute, fault: Fault): void {
    const times = fault.times ?? 1;
    if (times <= 0) return;
    const queue = this.queues.get(route) ?? [];
    queue.push({ fault, remaining: times });
    this.queues.set(route, queue);
  }

  /** Turns on random faults (replacing any previous random mode). */
  random(options: RandomFaultOptions): void {
    if (!(options.rate >= 0 && options.rate <= 1)) throw new RangeError("rate must be within [0, 1]");
    const kinds = options.kinds && options.kinds.length > 0 ? options.kinds : DEFAULT_RANDOM_KINDS;
    this.randomMode = {
      rate: options.rate,
      kinds,
      routes: options.routes,
      next: seededRandom(options.seed ?? 1),
    };
  }

  /** Removes queued faults for one route, or every queued fault and the random mode. */
  clear(route?: EmulatorRoute): void {
    if (route !== undefined) {
      this.queues.delete(route);
      return;
    }
    this.queues.clear();
    this.randomMode = undefined;
  }

  /** Number of fault answers still queued for a route. */
  pending(route: EmulatorRoute): number {
    return (this.queues.get(route) ?? []).reduce((sum, q) => sum + q.remaining, 0);
  }

  /** Takes the fault for this call of `route`, if any (queued faults first, then the random mode). */
  take(route: EmulatorRoute): Fault | undefined {
    const queue = this.queues.get(route);
    const head = queue?.[0];
    if (queue && head) {
      head.remaining -= 1;
      if (head.remaining <= 0) queue.shift();
      return head.fault;
    }
    const mode = this.randomMode;
    if (!mode || route === "GET /socket.io") return undefined;
    if (mode.routes && !mode.routes.includes(route)) return undefined;
    if (mode.next() >= mode.rate) return undefined;
    return mode.kinds[Math.floor(mode.next() * mode.kinds.length)];
  }
}
