/**
 * The options objects of the sandbox facades (fs writes, remove, writeFiles, exec), checked by type before the
 * facade does anything. Each checker returns the options (`{}` when omitted) or the `InvalidArgument`.
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../errors.js";
import { describeValue } from "./describe.js";
import { checkInteger, checkOptionalTimeoutMs } from "./numbers.js";
import { checkBoolean, checkCallback, checkOptions, checkSignal } from "./options.js";
import { checkStringRecord } from "./records.js";
import { checkOptionalString, checkString } from "./strings.js";

type Options = Record<string, unknown>;

/** `atomic`, `chunked` and `signal` of a write. */
export function checkWriteOptions<T extends object>(options: T | undefined): Result<T, KitError> {
  return checkOptions(options as Options | undefined, "options").andThen((o) =>
    checkBoolean(o.atomic, "atomic")
      .andThen(() => checkBoolean(o.chunked, "chunked"))
      .andThen(() => checkSignal(o.signal, "signal"))
      .map(() => o as T),
  );
}

/** `recursive` of `remove`. */
export function checkRemoveOptions<T extends object>(options: T | undefined): Result<T, KitError> {
  return checkOptions(options as Options | undefined, "options").andThen((o) =>
    checkBoolean(o.recursive, "recursive").map(() => o as T),
  );
}

/** `signal` of `writeFiles`. */
export function checkSignalOptions<T extends object>(options: T | undefined): Result<T, KitError> {
  return checkOptions(options as Options | undefined, "options").andThen((o) =>
    checkSignal(o.signal, "signal").map(() => o as T),
  );
}

/** The text of a write: a well-formed string (NUL allowed: it is content, not a name). */
export function checkText(text: unknown, argument = "text"): Result<string, KitError> {
  if (typeof text !== "string") {
    return err(
      kitError.invalidArgument(
        argument,
        `${argument} must be a string (use writeBytes for binary data), got ${describeValue(text)}.`,
      ),
    );
  }
  return checkString(text, argument, { allowEmpty: true, refuseNul: false });
}

/** The largest exit code a process can report. */
const MAX_EXIT_CODE = 255;

/**
 * `exec(command, options)`: the command a non-empty, well-formed string; options an object whose `cwd`, `env`,
 * `timeoutMs` (1 to 2³¹−1 ms), `okExitCodes` (integers 0–255), `maxOutputBytes`, `signal` and `onOutput` have
 * the right types. Ranges the facade itself decides (defaults) are left to it.
 */
export function checkExecArguments<T extends object>(
  command: unknown,
  options: T | undefined,
): Result<T, KitError> {
  return checkString(command, "command").andThen(() =>
    checkOptions(options as Options | undefined, "options").andThen((o) =>
      checkOptionalString(o.cwd, "cwd")
        .andThen(() => checkStringRecord(o.env, "env"))
        .andThen(() => checkOptionalTimeoutMs(o.timeoutMs, "timeoutMs"))
        .andThen(() => checkExitCodes(o.okExitCodes))
        .andThen(() =>
          o.maxOutputBytes === undefined
            ? ok(undefined)
            : checkInteger(o.maxOutputBytes, "maxOutputBytes", 0, Number.MAX_SAFE_INTEGER),
        )
        .andThen(() => checkSignal(o.signal, "signal"))
        .andThen(() => checkCallback(o.onOutput, "onOutput"))
        .map(() => o as T),
    ),
  );
}

function checkExitCodes(value: unknown): Result<void, KitError> {
  if (value === undefined) return ok(undefined);
  if (!Array.isArray(value)) {
    return err(
      kitError.invalidArgument(
        "okExitCodes",
        `options.okExitCodes must be an array of exit codes, got ${describeValue(value)}.`,
      ),
    );
  }
  for (const code of value) {
    const checked = checkInteger(code, "okExitCodes", 0, MAX_EXIT_CODE);
    if (checked.isErr()) return err(checked.error);
  }
  return ok(undefined);
}
