/**
 * One deadline per public call. A call scope carries the call's name, its deadline and one AbortSignal that
 * fires when the deadline passes, when the caller's signal aborts, or when the kit is disposed. Everything the call
 * does inside it (lookups, creates, polls, retry waits, each SDK request) reads the scope through
 * `AsyncLocalStorage`, so no layer in between has to pass it along, and nothing outlives the call.
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { err, type Result, ResultAsync } from "neverthrow";
import { unexpectedThrow } from "../boundary.js";
import { type KitError, kitError } from "../errors.js";

/** The largest delay Node's timers honour; a larger one fires at once (with a warning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A delay safe to hand to `setTimeout`: a whole number in `[0, MAX_TIMER_MS]`; NaN counts as 0. */
export function clampTimerMs(ms: number): number {
  if (!(ms > 0)) return 0;
  return Math.min(Math.ceil(ms), MAX_TIMER_MS);
}

/** Why a scope ended before its work did. */
export type ScopeEnd = "timeout" | "aborted";

/** The running call's deadline and signal. */
export interface CallScope {
  /** The public call, e.g. `"ensure project blog"`. */
  readonly operation: string;
  /** The call's own budget in ms; undefined when it has none (only disposal or the caller can end it). */
  readonly timeoutMs: number | undefined;
  /** Fires when the deadline passes, the caller aborts, or the kit is disposed. */
  readonly signal: AbortSignal;
  /** Milliseconds left (Infinity without a deadline; 0 once ended). */
  remainingMs(): number;
  /** Why the scope ended, or undefined while it runs. */
  ended(): ScopeEnd | undefined;
  /** The error the call settles with once the scope has ended. */
  error(): KitError;
  /** The `Timeout` this scope's deadline means: its own, or that of the enclosing call whose deadline it inherited. */
  timeoutError(): KitError;
}

/** How a scope is opened. */
export interface ScopeOptions {
  readonly operation: string;
  /** The call's budget; omit for none. */
  readonly timeoutMs?: number;
  /** Signals that end the scope as `Aborted` (the caller's, the kit's lifetime). */
  readonly signals?: readonly (AbortSignal | undefined)[];
}

const storage = new AsyncLocalStorage<CallScope>();

/** The scope of the public call running now, if any. */
export function currentScope(): CallScope | undefined {
  return storage.getStore();
}

/**
 * Runs `work` inside a new call scope and settles with its result, or with the scope's own error (`Timeout`
 * naming the call and its real budget, or `Aborted`) the moment the scope ends: a request that ignores the signal
 * cannot hold the call. Inside an existing scope the new one inherits its signal and never outlives its deadline.
 *
 * @example
 * ```ts
 * const found = await withScope({ operation: "list sandboxes", timeoutMs: 30_000 }, () => driver.list());
 * ```
 */
export function withScope<T>(
  options: ScopeOptions,
  work: () => ResultAsync<T, KitError>,
): ResultAsync<T, KitError> {
  const parent = currentScope();
  const own = options.timeoutMs;
  const budget =
    parent && Number.isFinite(parent.remainingMs())
      ? Math.min(own ?? Number.POSITIVE_INFINITY, parent.remainingMs())
      : own;
  // A scope cut short by the enclosing call's deadline times out as that call: its budget is what ran out.
  const limitedBy =
    parent !== undefined && budget !== undefined && budget < (own ?? Number.POSITIVE_INFINITY)
      ? parent
      : undefined;
  const timeoutError = limitedBy
    ? () => limitedBy.timeoutError()
    : () => kitError.timeout(options.operation, own ?? budget);
  const scope = openScope(
    budget,
    timeoutError,
    [...(options.signals ?? []), parent?.signal],
    options.operation,
    own,
  );
  if (scope.ended()) return new ResultAsync(Promise.resolve(err(scope.error())));
  const ended = new Promise<Result<T, KitError>>((resolve) => {
    scope.onEnd = () => resolve(err(scope.error()));
  });
  const finished = storage
    .run(scope, () => Promise.resolve().then(work))
    .then(
      (result) => {
        // An error that arrives once the deadline has passed (a request's own timeout, say, whose timer beat
        // the scope's by a millisecond) is the deadline's doing: settle as the scope's Timeout.
        if (result.isErr()) scope.expireIfDue();
        return result.isErr() && scope.ended() ? err(scope.error()) : result;
      },
      (thrown: unknown) => err(scope.ended() ? scope.error() : unexpectedThrow(options.operation, thrown)),
    );
  return new ResultAsync(Promise.race([finished, ended]).finally(() => scope.close()));
}

interface OpenScope extends CallScope {
  onEnd: () => void;
  /** Ends the scope as timed out when its deadline has passed but its timer has not fired yet. */
  expireIfDue(): void;
  close(): void;
}

function openScope(
  budgetMs: number | undefined,
  timeoutError: () => KitError,
  signals: readonly (AbortSignal | undefined)[],
  operation: string,
  ownTimeoutMs: number | undefined,
): OpenScope {
  const controller = new AbortController();
  const deadlineAt = budgetMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + budgetMs;
  let why: ScopeEnd | undefined;
  let timer: NodeJS.Timeout | undefined;
  const listeners: [AbortSignal, () => void][] = [];

  const end = (reason: ScopeEnd) => {
    if (why !== undefined) return;
    why = reason;
    scope.close();
    controller.abort(scope.error());
    scope.onEnd();
  };
  // Deadlines past Node's timer limit are reached in steps instead of firing at once.
  const arm = () => {
    const left = deadlineAt - Date.now();
    if (left <= 0) return end("timeout");
    timer = setTimeout(arm, clampTimerMs(left));
  };

  const scope: OpenScope = {
    operation,
    timeoutMs: ownTimeoutMs,
    signal: controller.signal,
    remainingMs: () => (why ? 0 : Math.max(0, deadlineAt - Date.now())),
    ended: () => why,
    error: () => (why === "timeout" ? timeoutError() : kitError.aborted(operation, firstReason(signals))),
    timeoutError,
    onEnd: () => undefined,
    expireIfDue() {
      if (why === undefined && Date.now() >= deadlineAt) end("timeout");
    },
    close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      for (const [signal, listener] of listeners.splice(0)) signal.removeEventListener("abort", listener);
    },
  };
  for (const signal of signals) {
    if (!signal) continue;
    if (signal.aborted) {
      why = "aborted";
      controller.abort();
      break;
    }
    const listener = () => end("aborted");
    signal.addEventListener("abort", listener, { once: true });
    listeners.push([signal, listener]);
  }
  if (why === undefined && Number.isFinite(deadlineAt)) {
    if (deadlineAt - Date.now() <= 0) {
      why = "timeout";
      controller.abort();
    } else arm();
  }
  if (why !== undefined) scope.close();
  return scope;
}

function firstReason(signals: readonly (AbortSignal | undefined)[]): unknown {
  const fired = signals.find((signal) => signal?.aborted);
  const reason: unknown = fired?.reason;
  // A parent scope aborts with its KitError; keep only foreign reasons as the cause.
  return reason instanceof Error && reason.name !== "AbortError" ? reason : undefined;
}
