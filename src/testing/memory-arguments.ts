/**
 * Run-time checks of what a JavaScript caller hands the memory driver: `null`, `undefined`, strings for arrays,
 * `1e308` for a timeout. Each check answers the `InvalidArgument` to return, or `undefined` when the value is fine,
 * so no method of the driver throws on a bad argument.
 */
import { type KitError, kitError } from "../errors.js";

type Check = KitError | undefined;

const describe = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;

/** A sandbox id or a name: a non-empty string. */
export function checkId(value: unknown, argument = "sandboxId"): Check {
  return typeof value === "string" && value !== ""
    ? undefined
    : kitError.invalidArgument(argument, `${argument} must be a non-empty string, got ${describe(value)}.`);
}

/** A path inside the sandbox: a non-empty string without NUL bytes. */
export function checkPath(value: unknown, argument = "path"): Check {
  if (typeof value !== "string" || value === "") {
    return kitError.invalidArgument(
      argument,
      `${argument} must be a non-empty string, got ${describe(value)}.`,
    );
  }
  return value.includes("\0")
    ? kitError.invalidArgument(argument, `${argument} must not contain NUL bytes.`)
    : undefined;
}

/** A plain object whose values are all strings (labels, environment variables). */
export function checkStringRecord(value: unknown, argument: string): Check {
  const ok =
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === "string");
  return ok ? undefined : kitError.invalidArgument(argument, `${argument} must be an object of strings.`);
}

/** A duration in milliseconds: a finite number, zero or more (huge values are fine: waits are clamped). */
export function checkMs(value: unknown, argument: string): Check {
  return typeof value === "number" && Number.isFinite(value) && value >= 0
    ? undefined
    : kitError.invalidArgument(argument, `${argument} must be a finite number of milliseconds >= 0.`);
}

/** An optional value: absent is fine, present must pass `check`. */
export function optional(value: unknown, check: (v: unknown) => Check): Check {
  return value === undefined ? undefined : check(value);
}

/** An object (options, specs, requests); `null` and primitives are refused. */
export function checkObject(value: unknown, argument: string): Check {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? undefined
    : kitError.invalidArgument(argument, `${argument} must be an object, got ${describe(value)}.`);
}

/** The first failed check, or `undefined`. Checks are thunks so a later one may assume an earlier passed. */
export function firstFailure(...checks: (() => Check)[]): Check {
  for (const check of checks) {
    const failure = check();
    if (failure) return failure;
  }
  return undefined;
}
