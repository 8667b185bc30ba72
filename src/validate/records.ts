/**
 * String-to-string maps from callers (labels, environment variables). Keys such as `__proto__`, `constructor` or
 * `prototype` are refused: code that copies or looks such a map up through a plain object would reach
 * `Object.prototype` instead of the caller's value.
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../errors.js";
import { describeValue } from "./describe.js";
import { isPlainObject } from "./options.js";
import { checkString } from "./strings.js";

/** Keys that name `Object.prototype` machinery. */
const PROTOTYPE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** Whether `key` would reach `Object.prototype` when used on a plain object. */
export function isPrototypeKey(key: string): boolean {
  return PROTOTYPE_KEYS.has(key) || Object.hasOwn(Object.prototype, key);
}

/**
 * An optional map of strings: a plain object whose own keys are non-empty, well-formed and not prototype names,
 * and whose values are well-formed strings (empty allowed). Returns a copy with a null prototype.
 *
 * @example
 * ```ts
 * checkStringRecord({ team: "web" }, "labels")            // => Ok({ team: "web" })
 * checkStringRecord(JSON.parse('{"__proto__":"x"}'), "labels") // => Err(InvalidArgument "labels")
 * ```
 */
export function checkStringRecord(
  value: unknown,
  argument: string,
): Result<Readonly<Record<string, string>> | undefined, KitError> {
  if (value === undefined) return ok(undefined);
  if (!isPlainObject(value)) {
    return err(
      kitError.invalidArgument(
        argument,
        `${argument} must be an object of strings, got ${describeValue(value)}.`,
      ),
    );
  }
  const copy: Record<string, string> = {};
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key !== "string") {
      return err(kitError.invalidArgument(argument, `${argument} must not have symbol keys.`));
    }
    const checkedKey = checkString(key, `${argument} key`);
    if (checkedKey.isErr()) return err(checkedKey.error);
    if (isPrototypeKey(key)) {
      return err(
        kitError.invalidArgument(argument, `${argument} must not use the key ${JSON.stringify(key)}.`),
      );
    }
    const item = checkString(value[key], `${argument}.${key}`, { allowEmpty: true });
    // The error names the map (`env`), its message the key (`env.A must not contain a NUL character`).
    if (item.isErr()) return err(kitError.invalidArgument(argument, item.error.message));
    copy[key] = item.value;
  }
  return ok(copy);
}
