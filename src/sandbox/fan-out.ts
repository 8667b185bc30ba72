/**
 * `kit.fanOut`: ensure many projects' sandboxes and run work in each, with a concurrency bound (p-limit) and
 * client-side rate limits per Daytona throttler class. Every project ends with its own Result, in input order;
 * one project's failure, or a throw inside `work`, never stops the others.
 * @module
 */
import { err, ok, type Result, ResultAsync } from "neverthrow";
import pLimit from "p-limit";
import { unexpectedThrow } from "../boundary.js";
import { type KitError, type KitErrorKind, kitError } from "../errors.js";
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
  const invalid = checkArguments(projectIds, work, options);
  if (invalid) return new ResultAsync(Promise.resolve(err(invalid)));
  const report = run(deps, projectIds, work, options ?? {}).then(
    (value): Result<FanOutReport<T>, KitError> => ok(value),
  );
  return new ResultAsync(report);
}

async function run<T>(
  deps: FanOutDeps,
  projectIds: readonly string[],
  work: FanOutWork<T>,
  options: FanOutOptions,
): Promise<FanOutReport<T>> {
  const limit = pLimit(options.concurrency ?? DEFAULT_CONCURRENCY);
  const limiters = deps.limiters({ ...DAYTONA_PUBLISHED_LIMITS, ...(options.rateLimits ?? {}) });
  const signal = options.signal;
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
    const result = await withClientLimiters(limiters, () =>
      deps.ensure(request).andThen((sandbox) => runWork(work, sandbox, { projectId, index, signal })),
    );
    return result;
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
      if (isResult<T>(produced)) return produced;
      return ok(produced as T);
    } catch (cause) {
      return err(unexpectedThrow(`fan-out work for project ${context.projectId}`, cause));
    }
  };
  return new ResultAsync(settle());
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
    if (!(cls in DAYTONA_PUBLISHED_LIMITS)) {
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
