/**
 * Numbers from callers: finite, in range, and timers Node can really arm. `setTimeout` fires AT ONCE for a delay
 * of 2³¹ ms or more (about 24.8 days), so a larger timeout would be an immediate `Timeout`: it is refused instead.
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../errors.js";
import { describeValue } from "./describe.js";

/** The longest timeout accepted anywhere, in milliseconds: 2³¹−1 (about 24.8 days), Node's largest timer. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * A timeout in milliseconds: a finite number from 1 to {@link MAX_TIMEOUT_MS}.
 *
 * @example
 * ```ts
 * checkTimeoutMs(30_000, "timeoutMs") // => Ok(30000)
 * checkTimeoutMs(2 ** 31, "timeoutMs") // => Err(InvalidArgument)
 * ```
 */
export function checkTimeoutMs(value: unknown, argument: string): Result<number, KitError> {
  if (typeof value === "number" && Number.isFinite(value) && value >= 1 && value <= MAX_TIMEOUT_MS) {
    return ok(value);
  }
  return err(
    kitError.invalidArgument(
      argument,
      `${argument} must be a number of milliseconds from 1 to ${MAX_TIMEOUT_MS} (2^31-1, about 24.8 days), ` +
        `got ${describeValue(value)}.`,
    ),
  );
}

/** Like {@link checkTimeoutMs}, with `undefined` meaning "use the default". */
export function checkOptionalTimeoutMs(
  value: unknown,
  argument: string,
): Result<number | undefined, KitError> {
  return value === undefined ? ok(undefined) : checkTimeoutMs(value, argument);
}

/** An integer from `min` to `max` inclusive. */
export function checkInteger(
  value: unknown,
  argument: string,
  min: number,
  max: number,
): Result<number, KitError> {
  if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) return ok(value);
  return err(
    kitError.invalidArgument(
      argument,
      `${argument} must be an integer from ${min} to ${max}, got ${describeValue(value)}.`,
    ),
  );
}

/** A finite number from `min` to `max` inclusive (fractions allowed). */
export function checkNumber(
  value: unknown,
  argument: string,
  min: number,
  max: number,
): Result<number, KitError> {
  if (typeof value === "number" && Number.isFinite(value) && value >= min && value <= max) return ok(value);
  return err(
    kitError.invalidArgument(
      argument,
      `${argument} must be a finite number from ${min} to ${max}, got ${describeValue(value)}.`,
    ),
  );
}
