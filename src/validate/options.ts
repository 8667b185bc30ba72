/**
 * Options objects from callers. `undefined` means "no options"; `null`, arrays, functions, strings and class
 * instances are `InvalidArgument`: a JavaScript caller passing `null` has a bug (a missing value), and guessing
 * "no options" could widen what a call does (`list(null)` listing every sandbox).
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../errors.js";
import { describeValue } from "./describe.js";

/** Whether `value` is a plain object (`{…}`, `Object.create(null)`), not an array, function or class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * An options object: `undefined` becomes `{}`, a plain object is returned as it is, anything else is
 * `InvalidArgument` naming `argument`.
 *
 * @example
 * ```ts
 * checkOptions(undefined, "options") // => Ok({})
 * checkOptions(null, "options")      // => Err(InvalidArgument "options")
 * ```
 */
export function checkOptions<T extends object>(value: T | undefined, argument: string): Result<T, KitError> {
  if (value === undefined) return ok({} as T);
  if (isPlainObject(value)) return ok(value);
  return err(
    kitError.invalidArgument(
      argument,
      `${argument} must be an object or omitted, got ${describeValue(value)}` +
        (value === null ? " (pass undefined, or leave it out, for no options)." : "."),
    ),
  );
}

/** A required options object: like {@link checkOptions} but `undefined` is refused too. */
export function checkRequiredOptions<T extends object>(
  value: T | undefined,
  argument: string,
): Result<T, KitError> {
  if (isPlainObject(value)) return ok(value as T);
  return err(
    kitError.invalidArgument(argument, `${argument} must be an object, got ${describeValue(value)}.`),
  );
}

/**
 * Refuses keys that are not in `allowed`: for calls whose scope an option narrows (`list`, `ensure`), a misspelt
 * key (`projectID`) must not silently widen the call.
 */
export function checkKnownKeys(
  value: object,
  allowed: readonly string[],
  argument: string,
): Result<void, KitError> {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      return err(
        kitError.invalidArgument(
          `${argument}.${key}`,
          `${argument} has an unknown key ${JSON.stringify(key)}; known keys: ${allowed.join(", ")}.`,
        ),
      );
    }
  }
  return ok(undefined);
}

/** An optional `AbortSignal`. */
export function checkSignal(value: unknown, argument = "signal"): Result<AbortSignal | undefined, KitError> {
  if (value === undefined || value instanceof AbortSignal) return ok(value);
  return err(
    kitError.invalidArgument(argument, `${argument} must be an AbortSignal, got ${describeValue(value)}.`),
  );
}

/** An optional callback. */
export function checkCallback(value: unknown, argument: string): Result<void, KitError> {
  if (value === undefined || typeof value === "function") return ok(undefined);
  return err(
    kitError.invalidArgument(argument, `${argument} must be a function, got ${describeValue(value)}.`),
  );
}

/** An optional boolean (`"true"`, `1` are refused: they are someone's parsing bug). */
export function checkBoolean(value: unknown, argument: string): Result<boolean | undefined, KitError> {
  if (value === undefined || typeof value === "boolean") return ok(value);
  return err(
    kitError.invalidArgument(argument, `${argument} must be true or false, got ${describeValue(value)}.`),
  );
}

/** Checks the `signal`, `onEvent` and `onOutput` fields shared by many options objects, when present. */
export function checkCommonFields(
  options: Record<string, unknown>,
  argument: string,
): Result<void, KitError> {
  return checkSignal(options.signal, fieldName(argument, "signal"))
    .andThen(() => checkCallback(options.onEvent, fieldName(argument, "onEvent")))
    .andThen(() => checkCallback(options.onOutput, fieldName(argument, "onOutput")));
}

/** How errors name a field: `timeoutMs` for the call's own options, `postgres.port` for a nested object. */
export function fieldName(argument: string, key: string): string {
  return argument === "options" ? key : `${argument.replace(/^options\./, "")}.${key}`;
}
