/**
 * The `throttling` option of `createKit`, checked whole: known keys, numbers in range, functions where seams go.
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../errors.js";
import { describeValue } from "./describe.js";
import { checkInteger, checkNumber } from "./numbers.js";
import { checkBoolean, checkCallback, checkKnownKeys, isPlainObject } from "./options.js";

const KEYS = [
  "enabled",
  "coldStartConcurrency",
  "releaseSpacingMs",
  "jitterRatio",
  "maxJitterMs",
  "retryQuota",
  "now",
  "sleep",
  "random",
] as const;
const QUOTA_KEYS = ["capacity", "retryCost", "timeoutCost", "successIncrement"] as const;

/**
 * `throttling`: an object (or omitted) with `enabled` a boolean, `coldStartConcurrency` 1–1000,
 * `releaseSpacingMs` and `maxJitterMs` 0–60 000, `jitterRatio` 0–1, `retryQuota` false or an object of whole
 * numbers (`capacity` 0–1 000 000, costs and increment 0–10 000), `now`/`sleep`/`random` functions.
 *
 * @example
 * ```ts
 * checkThrottlingOption({ releaseSpacingMs: 100 }); // Ok
 * checkThrottlingOption({ coldStartConcurrency: 0 }); // Err(InvalidArgument)
 * ```
 */
export function checkThrottlingOption(value: unknown): Result<void, KitError> {
  if (value === undefined) return ok(undefined);
  if (!isPlainObject(value)) {
    return err(
      kitError.invalidArgument("throttling", `throttling must be an object, got ${describeValue(value)}.`),
    );
  }
  const known = checkKnownKeys(value, KEYS, "throttling");
  if (known.isErr()) return known;
  const checks: Array<() => Result<unknown, KitError>> = [
    () => checkBoolean(value.enabled, "throttling.enabled"),
    () =>
      optional(value.coldStartConcurrency, (v) =>
        checkInteger(v, "throttling.coldStartConcurrency", 1, 1000),
      ),
    () => optional(value.releaseSpacingMs, (v) => checkNumber(v, "throttling.releaseSpacingMs", 0, 60_000)),
    () => optional(value.maxJitterMs, (v) => checkNumber(v, "throttling.maxJitterMs", 0, 60_000)),
    () => optional(value.jitterRatio, (v) => checkNumber(v, "throttling.jitterRatio", 0, 1)),
    () => checkCallback(value.now, "throttling.now"),
    () => checkCallback(value.sleep, "throttling.sleep"),
    () => checkCallback(value.random, "throttling.random"),
    () => checkQuota(value.retryQuota),
  ];
  for (const check of checks) {
    const checked = check();
    if (checked.isErr()) return err(checked.error);
  }
  return ok(undefined);
}

function checkQuota(value: unknown): Result<void, KitError> {
  if (value === undefined || value === false) return ok(undefined);
  if (!isPlainObject(value)) {
    return err(
      kitError.invalidArgument(
        "throttling.retryQuota",
        `throttling.retryQuota must be false or an object, got ${describeValue(value)}.`,
      ),
    );
  }
  const known = checkKnownKeys(value, QUOTA_KEYS, "throttling.retryQuota");
  if (known.isErr()) return known;
  for (const key of QUOTA_KEYS) {
    const max = key === "capacity" ? 1_000_000 : 10_000;
    const checked = optional(value[key], (v) => checkInteger(v, `throttling.retryQuota.${key}`, 0, max));
    if (checked.isErr()) return err(checked.error);
  }
  return ok(undefined);
}

function optional<T>(
  value: unknown,
  check: (value: unknown) => Result<T, KitError>,
): Result<unknown, KitError> {
  return value === undefined ? ok(undefined) : check(value);
}
