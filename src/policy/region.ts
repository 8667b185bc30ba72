/**
 * Ordered region fallback: try each Daytona target in turn, moving on when a region is not available to the
 * organisation, and (opt-in) when it is down.
 * @module
 */
import { err, ok, type Result, ResultAsync } from "neverthrow";
import { guarded } from "../boundary.js";
import { type KitError, kitError, type RegionAttempt } from "../errors.js";

export { DEFAULT_TARGETS, type ResolveTargetsOptions, resolveTargets } from "./targets.js";

/**
 * Why a fallback may move on besides `RegionUnavailable` (which always does). `"unavailable"`: the region answered
 * 5xx, a server timeout (408/504) or no connection, after the caller's retries there.
 */
export type RegionFallbackReason = "unavailable";

/** Options of {@link createRegionFallback}. */
export interface RegionFallbackOptions {
  /** Errors besides `RegionUnavailable` that move on to the next region. @default [] */
  readonly fallbackOn?: readonly RegionFallbackReason[];
}

/** True for a region that is down rather than refusing: 5xx, connection failures, a server-side timeout. */
export function isRegionDown(error: KitError): boolean {
  // A Timeout with `afterMs` is the caller's own deadline, not the region's answer.
  return error.kind === "Transient" || (error.kind === "Timeout" && error.afterMs === undefined);
}

/** What {@link RegionFallback.run} returns on success: the value and the region that produced it. */
export interface RegionSuccess<T> {
  readonly value: T;
  readonly target: string;
}

/** A fallback over an ordered list of regions that remembers the one that worked. */
export interface RegionFallback {
  /** The regions, in configured order (de-duplicated). */
  readonly targets: readonly string[];
  /** The target that worked last in this process (undefined until one has). */
  preferred(): string | undefined;
  /**
   * Runs `attempt(target)` over the targets in order (the preferred one first), moving on on `RegionUnavailable`
   * (and, with `fallbackOn: ["unavailable"]`, on a region that is down: see {@link isRegionDown}). Any other error
   * returns at once without touching the next target. Every target failed that way → `NoRegionAvailable` with one
   * entry per target tried, in the order tried. Ok → remembers the target.
   * An `attempt` that throws gives `Unexpected` and stops the fallback.
   *
   * @example
   * ```ts
   * const created = await regions.run((target) => driverFor(target).create(spec));
   * if (created.isOk()) log.info(`sandbox in ${created.value.target}`);
   * ```
   */
  run<T>(attempt: (target: string) => ResultAsync<T, KitError>): ResultAsync<RegionSuccess<T>, KitError>;
  /** Forget the remembered target (tests). */
  reset(): void;
}

/**
 * A {@link RegionFallback} over `targets` (usually from `resolveTargets`). Each `run` snapshots its order when it
 * starts and keeps its own progress, so concurrent runs never disturb each other; the only shared state is the
 * remembered target, written when a run succeeds (the latest success wins).
 *
 * An empty list is not thrown at: every `run` returns `InvalidArgument`.
 *
 * @example
 * ```ts
 * const regions = createRegionFallback(resolveTargets({}).unwrapOr(["us", "eu"]));
 * const sandbox = await regions.run((target) => clients.get(target).create(spec));
 * ```
 */
export function createRegionFallback(
  targets: readonly string[],
  options: RegionFallbackOptions = {},
): RegionFallback {
  const configured: readonly string[] = Object.freeze([...new Set(targets)]);
  const onDown = options.fallbackOn?.includes("unavailable") === true;
  const movesOn = (error: KitError) => error.kind === "RegionUnavailable" || (onDown && isRegionDown(error));
  let remembered: string | undefined;

  const orderForOneRun = (): string[] => {
    const preferred = remembered;
    if (preferred === undefined || !configured.includes(preferred)) return [...configured];
    return [preferred, ...configured.filter((target) => target !== preferred)];
  };

  const runInOrder = async <T>(
    order: readonly string[],
    attempt: (target: string) => ResultAsync<T, KitError>,
  ): Promise<Result<RegionSuccess<T>, KitError>> => {
    if (order.length === 0) {
      return err(kitError.invalidArgument("targets", "The region fallback has no targets to try."));
    }
    const failures: RegionAttempt[] = [];
    for (const target of order) {
      const result = await attemptSafely(attempt, target);
      if (result.isOk()) {
        remembered = target;
        return ok({ value: result.value, target });
      }
      if (!movesOn(result.error)) return err(result.error);
      failures.push({ region: target, error: result.error });
    }
    return err(kitError.noRegionAvailable(failures));
  };

  return {
    targets: configured,
    preferred: () => remembered,
    run: (attempt) => new ResultAsync(runInOrder(orderForOneRun(), attempt)),
    reset: () => {
      remembered = undefined;
    },
  };
}

/** One region's attempt, with a throw turned into an error (the next region may still be tried). */
function attemptSafely<T>(
  attempt: (target: string) => ResultAsync<T, KitError>,
  target: string,
): ResultAsync<T, KitError> {
  return guarded(`The attempt in region ${target}`, () => attempt(target));
}
