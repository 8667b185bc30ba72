/**
 * `kit.fanOut`: ensure many projects' sandboxes and run work in each, with a concurrency bound (p-limit) and
 * client-side rate limits per Daytona throttler class. Every project ends with its own Result, in input order;
 * one project's failure, or a throw inside `work`, never stops the others.
 * @module
 */
import { err, ok, type Result, ResultAsync } from "neverthrow";
import pLimit from "p-limit";
import { unexpectedThrow } from "../boundary.js";
import { isKitError, type KitError, type KitErrorKind, kitError } from "../errors.js";
import {
  type ClientLimiters,
  type ClientRateLimits,
  DAYTONA_PUBLISHED_LIMITS,
  withClientLimiters,
} from "../policy/client-limits.js";
import { describeValue } from "../validate/describe.js";
import type { EnsureRequest } from "./ensure.js";
import type { KitSandbox } from "./handle.js";

/** What `work` receives besides the sandbox. */
export interface FanOutContext {
  readonly projectId: string;
  /** The project's position in the input. */
  readonly index: number;
  /** Fires when the fan-out is aborted. */
  readonly signal: AbortSignal | undefined;
}

/** The work run in each project's sandbox: a value, a promise, or a (Async)Result. */
export type FanOutWork<T> = (
  sandbox: KitSandbox,
  context: FanOutContext,
) => T | Promise<T> | Result<T, KitError> | ResultAsync<T, KitError>;

/** One progress event: a project started, succeeded or failed; `done` of `total` have ended. */
export interface FanOutProgress {
  readonly projectId: string;
  readonly index: number;
  readonly state: "started" | "succeeded" | "failed";
  readonly done: number;
  readonly total: number;
  /** The failure, for `failed`. */
  readonly error?: KitError;
}

/** Options of `kit.fanOut`. */
export interface FanOutOptions {
  /** Projects in progress at once: a whole number from 1 to 1000. @default 8 */
  readonly concurrency?: number;
  /**
   * Client-side limits per throttler class, applied to the requests this fan-out makes (with the Daytona driver).
   * Set them to your organisation's tier to avoid 429s altogether. @default Daytona's published limits
   */
  readonly rateLimits?: ClientRateLimits;
  /** What each project's `ensure` is asked (image, snapshot, labels, resources, …). */
  readonly ensure?: Omit<EnsureRequest, "projectId" | "signal">;
  /** Aborts the fan-out: projects not started yet end `Aborted` at once, running ones as soon as they can. */
  readonly signal?: AbortSignal;
  /** Called for every project's start and end. Errors it throws are ignored. */
  readonly onProgress?: (event: FanOutProgress) => void;
}

/** One project's outcome. */
export interface FanOutEntry<T> {
  readonly projectId: string;
  readonly result: Result<T, KitError>;
}

/** Counts over all entries. */
export interface FanOutSummary {
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Failures per error kind. */
  readonly byKind: Readonly<Partial<Record<KitErrorKind, number>>>;
}

/** What `kit.fanOut` returns: every project's Result in input order, and the counts. */
export interface FanOutReport<T> {
  readonly results: readonly FanOutEntry<T>[];
  readonly summary: FanOutSummary;
}

/** What a fan-out runs on. */
export interface FanOutDeps {
  readonly ensure: (request: EnsureRequest) => ResultAsync<KitSandbox, KitError>;
  /** Builds the limiters on the kit's throttling clock. */
  readonly limiters: (limits: ClientRateLimits) => ClientLimiters;
  /** The kit's lifetime: once disposed, running work is abandoned as `Aborted` instead of awaited forever. */
  readonly lifetime?: AbortSignal;
}

const DEFAULT_CONCURRENCY = 8;
const MAX_CONCURRENCY = 1_000;

/**
 * Runs the fan-out. Err only for invalid arguments of the call itself (not an array, a bad concurrency, a `work`
 * that is not a function); a bad project id is that entry's `InvalidArgument`. A project id given twice is
 * ensured and worked once; both entries carry that one Result.
 */
export function runFanOut<T>(
  deps: FanOutDeps,
  projectIds: readonly string[],
  work: FanOutWork<T>,
  options: FanOutOptions = {},
): ResultAsync<FanOutReport<T>, KitError> {
  const read = readArguments(projectIds, work, options);
  if (read.isErr()) return new ResultAsync(Promise.resolve(err(read.error)));
  const report = run(deps, read.value.ids, work, read.value.options).then(
    (value): Result<FanOutReport<T>, KitError> => ok(value),
  );
  return new ResultAsync(report);
}

/**
 * Checks the arguments and reads each one exactly once into plain copies: a JavaScript caller's throwing getter or
 * Proxy trap then fails here as `InvalidArgument` (not as a throw out of fanOut or a rejected promise later), and
 * a getter cannot answer one thing to the check and another to the run.
 */
function readArguments(
  projectIds: unknown,
  work: unknown,
  options: unknown,
): Result<{ ids: readonly string[]; options: FanOutOptions }, KitError> {
  try {
    const invalid = checkArguments(projectIds, work, options);
    if (invalid) return err(invalid);
    const given = (options ?? {}) as FanOutOptions;
    const { concurrency, signal, onProgress } = given;
    const rateLimits = given.rateLimits === undefined ? undefined : copyRateLimits(given.rateLimits);
    const ensure = given.ensure === undefined ? undefined : { ...given.ensure };
    return ok({
      ids: Array.from(projectIds as readonly string[]),
      options: {
        ...(concurrency === undefined ? {} : { concurrency }),
        ...(signal === undefined ? {} : { signal }),
        ...(onProgress === undefined ? {} : { onProgress }),
        ...(rateLimits === undefined ? {} : { rateLimits }),
        ...(ensure === undefined ? {} : { ensure }),
      },
    });
  } catch (cause) {
    return err(
      kitError.invalidArgument("arguments", `fanOut could not read its arguments: ${describeThrown(cause)}.`),
    );
  }
}

function copyRateLimits(limits: ClientRateLimits): ClientRateLimits {
  const copy: Record<string, { limit: number; windowMs: number }> = {};
  for (const [cls, window] of Object.entries(limits)) {
    if (window) copy[cls] = { limit: window.limit, windowMs: window.windowMs };
  }
  return copy;
}

/** A thrown value's message for an error text; never throws itself (a null-prototype object, a hostile getter). */
function describeThrown(cause: unknown): string {
  try {
    if (cause instanceof Error) return String(cause.message);
  } catch {
    // Fall through to the generic description.
  }
  return describeValue(cause);
}

async function run<T>(
  deps: FanOutDeps,
  projectIds: readonly string[],
  work: FanOutWork<T>,
  options: FanOutOptions,
): Promise<FanOutReport<T>> {
  const limit = pLimit(options.concurrency ?? DEFAULT_CONCURRENCY);
  const limiters = deps.limiters({ ...DAYTONA_PUBLISHED_LIMITS, ...(options.rateLimits ?? {}) });
  // Work is abandoned (ends Aborted) when the caller aborts or the kit is disposed, whichever comes first.
  const signals = [options.signal, deps.lifetime].filter((s): s is AbortSignal => s !== undefined);
  const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
  const total = projectIds.length;
  let done = 0;
  const report = (event: Omit<FanOutProgress, "done" | "total">) => {
    try {
      options.onProgress?.({ ...event, done, total });
    } catch {
      // An observer never changes the outcome.
    }
  };
  const once = new Map<string, Promise<Result<T, KitError>>>();

  const one = async (projectId: string, index: number): Promise<Result<T, KitError>> => {
    if (signal?.aborted) return err(kitError.aborted(`fan-out: project ${String(projectId)}`, signal.reason));
    report({ projectId, index, state: "started" });
    const request: EnsureRequest = { ...(options.ensure ?? {}), projectId, ...(signal ? { signal } : {}) };
    try {
      return await withClientLimiters(limiters, () =>
        deps.ensure(request).andThen((sandbox) => runWork(work, sandbox, { projectId, index, signal })),
      );
    } catch (cause) {
      // Nothing is lost: even a bug below ends as this project's Result, never as a rejected fan-out.
      return err(
        kitError.unexpected(`fan-out: project ${String(projectId)} failed: ${describeThrown(cause)}`),
      );
    }
  };

  const settled = projectIds.map((projectId, index) => {
    const key = typeof projectId === "string" ? projectId : undefined;
    let task = key === undefined ? undefined : once.get(key);
    if (task === undefined) {
      task = limit(() => one(projectId, index));
      if (key !== undefined) once.set(key, task);
    }
    // Every entry ends once (a repeated id too), so `done` reaches `total`.
    return task.then((result) => {
      done += 1;
      report(
        result.isOk()
          ? { projectId, index, state: "succeeded" }
          : { projectId, index, state: "failed", error: result.error },
      );
      return result;
    });
  });
  const results = await Promise.all(settled);
  const entries = projectIds.map((projectId, index) => ({
    projectId,
    result: results[index] as Result<T, KitError>,
  }));
  return { results: entries, summary: summarise(entries) };
}

function runWork<T>(
  work: FanOutWork<T>,
  sandbox: KitSandbox,
  context: FanOutContext,
): ResultAsync<T, KitError> {
  const settle = async (): Promise<Result<T, KitError>> => {
    try {
      const produced = await work(sandbox, context);
      if (isResult<T>(produced)) return asKitResult(produced, context.projectId);
      return ok(produced as T);
    } catch (cause) {
      return err(unexpectedThrow(`fan-out work for project ${context.projectId}`, cause));
    }
  };
  const { signal } = context;
  if (signal === undefined) return new ResultAsync(settle());
  // Work that never settles must not hang the fan-out past an abort or dispose(): stop waiting for it.
  let forget = () => {};
  const aborted = new Promise<Result<T, KitError>>((resolve) => {
    // After the microtasks already queued: work that aborts and then returns (or had already returned) keeps its value.
    const stop = () =>
      setImmediate(() =>
        resolve(err(kitError.aborted(`fan-out work for project ${context.projectId}`, signal.reason))),
      );
    if (signal.aborted) stop();
    else signal.addEventListener("abort", stop, { once: true });
    forget = () => signal.removeEventListener("abort", stop);
  });
  // The listener goes once the work ends, so a long-lived kit signal does not collect one per project.
  return new ResultAsync(Promise.race([settle(), aborted]).finally(() => forget()));
}

/**
 * Rebuilds a Result `work` returned as a real neverthrow Result with a KitError: a JavaScript caller may return
 * a look-alike, or an Err of a plain Error, which would otherwise be counted under an `undefined` kind.
 */
function asKitResult<T>(produced: Result<T, KitError>, projectId: string): Result<T, KitError> {
  if (produced.isOk()) return ok(produced.value);
  const error: unknown = produced.error;
  if (isKitError(error)) return err(error);
  return err(
    kitError.unexpected(
      `fan-out work for project ${projectId} returned an Err that is not a KitError: ${describeThrown(error)}`,
      {
        cause: error,
      },
    ),
  );
}

/** A neverthrow Result (what an awaited ResultAsync gives). */
function isResult<T>(value: unknown): value is Result<T, KitError> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { isOk?: unknown }).isOk === "function" &&
    typeof (value as { isErr?: unknown }).isErr === "function"
  );
}

function summarise<T>(entries: readonly FanOutEntry<T>[]): FanOutSummary {
  const byKind: Partial<Record<KitErrorKind, number>> = {};
  let succeeded = 0;
  for (const { result } of entries) {
    if (result.isOk()) succeeded += 1;
    else byKind[result.error.kind] = (byKind[result.error.kind] ?? 0) + 1;
  }
  return { total: entries.length, succeeded, failed: entries.length - succeeded, byKind };
}

function checkArguments(projectIds: unknown, work: unknown, options: unknown): KitError | undefined {
  if (!Array.isArray(projectIds)) {
    return kitError.invalidArgument(
      "projectIds",
      `projectIds must be an array of project ids, got ${describeValue(projectIds)}.`,
    );
  }
  if (typeof work !== "function") {
    return kitError.invalidArgument("work", `work must be a function, got ${describeValue(work)}.`);
  }
  if (options === undefined) return undefined;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    return kitError.invalidArgument(
      "options",
      `fanOut options must be an object, got ${describeValue(options)}.`,
    );
  }
  const { concurrency, rateLimits, onProgress, signal } = options as FanOutOptions;
  if (
    concurrency !== undefined &&
    !(
      typeof concurrency === "number" &&
      Number.isInteger(concurrency) &&
      concurrency >= 1 &&
      concurrency <= MAX_CONCURRENCY
    )
  ) {
    return kitError.invalidArgument(
      "concurrency",
      `concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}, got ${describeValue(concurrency)}.`,
    );
  }
  if (onProgress !== undefined && typeof onProgress !== "function") {
    return kitError.invalidArgument(
      "onProgress",
      `onProgress must be a function, got ${describeValue(onProgress)}.`,
    );
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    return kitError.invalidArgument("signal", `signal must be an AbortSignal, got ${describeValue(signal)}.`);
  }
  return checkRateLimits(rateLimits);
}

function checkRateLimits(value: unknown): KitError | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return kitError.invalidArgument(
      "rateLimits",
      `rateLimits must be an object, got ${describeValue(value)}.`,
    );
  }
  for (const [cls, window] of Object.entries(value)) {
    // Own keys only: `"toString" in {...}` is true, and would let an inherited name pass as a class.
    if (!Object.hasOwn(DAYTONA_PUBLISHED_LIMITS, cls)) {
      return kitError.invalidArgument(
        `rateLimits.${cls}`,
        `rateLimits names authenticated, sandbox-create or sandbox-lifecycle, not ${JSON.stringify(cls)}.`,
      );
    }
    const { limit, windowMs } = (window ?? {}) as { limit?: unknown; windowMs?: unknown };
    const wholeInRange = (n: unknown, max: number) =>
      typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= max;
    if (!wholeInRange(limit, 1_000_000) || !wholeInRange(windowMs, 2 ** 31 - 1)) {
      return kitError.invalidArgument(
        `rateLimits.${cls}`,
        `rateLimits.${cls} must be { limit: 1–1000000, windowMs: 1–2147483647 } (whole numbers), got ${describeValue(window)}.`,
      );
    }
  }
  return undefined;
}
