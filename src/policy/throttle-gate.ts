/**
 * Coordinated backoff: one gate per throttler class (Daytona's `authenticated`, `sandbox-create`,
 * `sandbox-lifecycle`) shared by every call of a kit.
 *
 * - A 429 pauses the whole class until the server's `Retry-After(-<throttler>)` plus a little jitter; then ONE
 *   call goes first (a probe) and the others wait for its answer: while throttled, a class sends at most one
 *   request per Retry-After window, however many callers wait.
 * - When the probe is answered, the waiting calls are released spread out (one per `releaseSpacingMs`), not as a
 *   wave; once nobody waits, calls pass freely again.
 * - Cold start: before a class has had any answer, at most `coldStartConcurrency` of its calls are in flight and
 *   they start spread out too, so a storm that began before the first request never sees a wave.
 * @module
 */

import { realSleep } from "./sleep.js";

/** A throttler class of Daytona's API. Other names (from a server's header) are kept as strings. */
export type ThrottlerClass = "authenticated" | "sandbox-create" | "sandbox-lifecycle" | (string & {});

/** How a gated call ended, for the gate. */
export type GateOutcome =
  /** The server answered (anything but a 429): the class is not throttled. */
  | { readonly kind: "answered" }
  /** A 429: pause these classes for these waits (ms). */
  | { readonly kind: "throttled"; readonly waits: Readonly<Record<string, number>> }
  /** No answer (aborted, our own timeout, connection error): says nothing about throttling. */
  | { readonly kind: "unknown" };

/** The numbers and seams of a gate. */
export interface ThrottleGateOptions {
  /** In-flight calls of a class before its first answer. @default 4 */
  readonly coldStartConcurrency?: number;
  /** Spacing of released calls after a pause and during the cold start, in ms. @default 50 */
  readonly releaseSpacingMs?: number;
  /** Jitter added to a pause: up to this fraction of the server's wait… @default 0.2 */
  readonly jitterRatio?: number;
  /** …and never more than this many ms. @default 1_000 */
  readonly maxJitterMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
  /** Ends the gate's timers (the kit's lifetime). */
  readonly signal?: AbortSignal;
}

/** What a waiting call is told when it cannot start in time. */
export type GateRefusal =
  | { readonly kind: "aborted" }
  /** The class stays paused past the caller's deadline: `waitMs` from now. */
  | { readonly kind: "paused"; readonly waitMs: number };

/** A permit to send one request; give it back with its outcome. */
export interface GatePermit {
  release(outcome: GateOutcome): void;
}

/** The gate shared by a kit's calls. */
export interface ThrottleGate {
  /**
   * Waits until a call of `classes` may start (every class's gate, most specific first). Resolves with a permit,
   * or a refusal when `signal` aborts or the pause outlasts `deadlineMs` from now.
   */
  acquire(
    classes: readonly ThrottlerClass[],
    options?: { readonly signal?: AbortSignal; readonly deadlineMs?: number },
  ): Promise<GatePermit | GateRefusal>;
  /** Milliseconds until `cls` may send again (0 when it is not paused). */
  pausedForMs(cls: ThrottlerClass): number;
}

interface Waiter {
  readonly start: () => void;
}

interface ClassState {
  answered: boolean;
  throttled: boolean;
  pausedUntil: number;
  nextStartAt: number;
  inFlight: number;
  readonly queue: Waiter[];
  timerAt: number | undefined;
}

/** Whether `value` is a permit (not a refusal). */
export function isPermit(value: GatePermit | GateRefusal): value is GatePermit {
  return typeof (value as GatePermit).release === "function";
}

/**
 * Creates a gate.
 *
 * @example
 * ```ts
 * const gate = createThrottleGate({ now: clock.now, sleep: clock.sleep });
 * const permit = await gate.acquire(["sandbox-create", "authenticated"], { signal });
 * if (isPermit(permit)) permit.release({ kind: "answered" });
 * ```
 */
export function createThrottleGate(options: ThrottleGateOptions = {}): ThrottleGate {
  const coldStart = options.coldStartConcurrency ?? 4;
  const spacingMs = options.releaseSpacingMs ?? 50;
  const jitterRatio = options.jitterRatio ?? 0.2;
  const maxJitterMs = options.maxJitterMs ?? 1_000;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  // The real sleep rejects when the kit's lifetime ends, so a long pause never holds the process open.
  const sleep = options.sleep ?? realSleep;
  const states = new Map<string, ClassState>();

  const stateOf = (cls: string): ClassState => {
    let state = states.get(cls);
    if (state === undefined) {
      state = {
        answered: false,
        throttled: false,
        pausedUntil: 0,
        nextStartAt: 0,
        inFlight: 0,
        queue: [],
        timerAt: undefined,
      };
      states.set(cls, state);
    }
    return state;
  };

  /** Calls spread out while a class is cold or has calls waiting after a pause. */
  const pacing = (state: ClassState) => !state.answered || state.queue.length > 0;

  /** The time the head of the queue may start, or `undefined` when it waits for an answer, not a time. */
  const readyAt = (state: ClassState, at: number): number | undefined => {
    if (state.throttled || !state.answered) {
      const cap = state.throttled ? 1 : coldStart;
      if (state.inFlight >= cap) return undefined;
    }
    const spaced = pacing(state) || state.throttled ? state.nextStartAt : 0;
    return Math.max(state.pausedUntil, spaced, at);
  };

  const drain = (cls: string) => {
    const state = stateOf(cls);
    while (state.queue.length > 0) {
      const at = now();
      const ready = readyAt(state, at);
      if (ready === undefined) return;
      if (ready > at) {
        arm(cls, state, ready);
        return;
      }
      const waiter = state.queue.shift();
      if (waiter === undefined) return;
      begin(state, at);
      waiter.start();
    }
  };

  const begin = (state: ClassState, at: number) => {
    if (pacing(state) || state.throttled) state.nextStartAt = at + spacingMs;
    state.inFlight += 1;
  };

  const arm = (cls: string, state: ClassState, at: number) => {
    if (state.timerAt !== undefined && state.timerAt <= at) return;
    state.timerAt = at;
    sleep(Math.max(0, at - now()), options.signal).then(
      () => {
        if (state.timerAt === at) state.timerAt = undefined;
        drain(cls);
      },
      () => {
        if (state.timerAt === at) state.timerAt = undefined;
      },
    );
  };

  const jitter = (waitMs: number) =>
    Math.floor(unit(random()) * Math.min(maxJitterMs, Math.max(0, waitMs) * jitterRatio));

  const settle = (classes: readonly string[], outcome: GateOutcome) => {
    const at = now();
    for (const cls of classes) stateOf(cls).inFlight = Math.max(0, stateOf(cls).inFlight - 1);
    if (outcome.kind === "answered") {
      for (const cls of classes) {
        const state = stateOf(cls);
        state.answered = true;
        state.throttled = false;
      }
    } else if (outcome.kind === "throttled") {
      for (const [cls, waitMs] of Object.entries(outcome.waits)) {
        const state = stateOf(cls);
        state.throttled = true;
        // Paused until the server's time plus jitter: the probe of each window leaves at a different moment.
        state.pausedUntil = Math.max(state.pausedUntil, at + waitMs + jitter(waitMs));
      }
    }
    for (const cls of new Set([
      ...classes,
      ...(outcome.kind === "throttled" ? Object.keys(outcome.waits) : []),
    ])) {
      drain(cls);
    }
  };

  /** Waits at one class's gate. */
  const enter = (
    cls: string,
    signal: AbortSignal | undefined,
    deadlineAt: number | undefined,
  ): Promise<GateRefusal | undefined> => {
    const state = stateOf(cls);
    const at = now();
    if (deadlineAt !== undefined && state.pausedUntil > deadlineAt) {
      return Promise.resolve({ kind: "paused", waitMs: state.pausedUntil - at });
    }
    if (state.queue.length === 0) {
      const ready = readyAt(state, at);
      if (ready !== undefined && ready <= at) {
        begin(state, at);
        return Promise.resolve(undefined);
      }
    }
    return new Promise((resolve) => {
      const onAbort = () => {
        const index = state.queue.indexOf(waiter);
        if (index >= 0) state.queue.splice(index, 1);
        resolve({ kind: "aborted" });
        drain(cls);
      };
      const waiter: Waiter = {
        start: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve(undefined);
        },
      };
      if (signal?.aborted) {
        resolve({ kind: "aborted" });
        return;
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      state.queue.push(waiter);
      drain(cls);
    });
  };

  return {
    async acquire(classes, acquireOptions = {}) {
      const signal = acquireOptions.signal;
      const deadlineAt =
        acquireOptions.deadlineMs === undefined || !Number.isFinite(acquireOptions.deadlineMs)
          ? undefined
          : now() + acquireOptions.deadlineMs;
      const held: string[] = [];
      const giveBack = () => settle(held, { kind: "unknown" });
      for (const cls of classes) {
        const refusal = await enter(cls, signal, deadlineAt);
        if (refusal !== undefined) {
          giveBack();
          return refusal;
        }
        held.push(cls);
      }
      let released = false;
      return {
        release(outcome) {
          if (released) return;
          released = true;
          settle(held, outcome);
        },
      };
    },
    pausedForMs: (cls) => Math.max(0, (states.get(cls)?.pausedUntil ?? 0) - now()),
  };
}

function unit(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}
