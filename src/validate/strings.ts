/**
 * Strings from callers: really strings, not empty where a value is needed, and well-formed Unicode. A lone
 * surrogate (`"\uD800"`) has no UTF-8 form: encoding replaces it with U+FFFD, so two different names would
 * become one file, label or command. Such a string is refused, never silently changed.
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../errors.js";
import { isWellFormed } from "../shell/text.js";
import { describeValue } from "./describe.js";

/** Options of {@link checkString}. */
export interface StringRules {
  /** Accept `""` (and whitespace-only text). @default false */
  readonly allowEmpty?: boolean;
  /** Refuse a NUL character. @default true */
  readonly refuseNul?: boolean;
}

/**
 * `value` as a string: `InvalidArgument` naming `argument` when it is not a string, is empty or blank (unless
 * allowed), holds a NUL character or is not well-formed Unicode.
 *
 * @example
 * ```ts
 * checkString("main", "branch")     // => Ok("main")
 * checkString("a\uD800", "path")    // => Err(InvalidArgument "path")
 * ```
 */
export function checkString(
  value: unknown,
  argument: string,
  rules: StringRules = {},
): Result<string, KitError> {
  if (typeof value !== "string") {
    return err(
      kitError.invalidArgument(argument, `${argument} must be a string, got ${describeValue(value)}.`),
    );
  }
  if (!rules.allowEmpty && value.trim() === "") {
    return err(kitError.invalidArgument(argument, `${argument} must not be empty.`));
  }
  if ((rules.refuseNul ?? true) && value.includes("\0")) {
    return err(kitError.invalidArgument(argument, `${argument} must not contain a NUL character.`));
  }
  if (!isWellFormed(value)) {
    return err(
      kitError.invalidArgument(
        argument,
        `${argument} contains a lone UTF-16 surrogate (not well-formed Unicode): it has no UTF-8 form.`,
      ),
    );
  }
  return ok(value);
}

/** Like {@link checkString}, with `undefined` meaning "not given". */
export function checkOptionalString(
  value: unknown,
  argument: string,
  rules: StringRules = {},
): Result<string | undefined, KitError> {
  return value === undefined ? ok(undefined) : checkString(value, argument, rules);
}
