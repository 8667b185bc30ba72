/**
 * POSIX shell quoting: the one helper every command builder in this library uses.
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../errors.js";
import { isWellFormed } from "./text.js";

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quotes `value` so that `sh` reads it back as exactly one literal word: no expansion, no splitting.
 * Plain words stay readable (`ls` stays `ls`); anything else is single-quoted, with `'` written as `'\''`.
 *
 * A NUL byte cannot travel in a shell argument at all, so it is a programming error here: validate free text
 * with {@link checkShellText} first.
 *
 * @example
 * ```ts
 * shellQuote("it's here") // => 'it'\''s here'
 * `git commit -m ${shellQuote(message)}`
 * ```
 * @throws TypeError when `value` contains a NUL byte.
 */
export function shellQuote(value: string): string {
  if (value.includes("\0")) throw new TypeError("shellQuote: a NUL byte cannot be passed to a shell");
  if (SAFE_WORD.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Quotes each argument and joins them with spaces: `quoteArgs(["git", "config", key, value])`. */
export function quoteArgs(args: readonly string[]): string {
  return args.map(shellQuote).join(" ");
}

/**
 * Checks that caller-supplied text can be passed to a shell: no NUL byte and, unless `allowNewlines`, no line break.
 * Returns the text unchanged, or `InvalidArgument` naming the argument.
 */
export function checkShellText(
  value: string,
  argument: string,
  options: { allowNewlines?: boolean } = {},
): Result<string, KitError> {
  if (typeof value !== "string" || !isWellFormed(value)) {
    return err(kitError.invalidArgument(argument, `${argument} must be a well-formed string.`));
  }
  if (value.includes("\0"))
    return err(kitError.invalidArgument(argument, `${argument} must not contain a NUL byte.`));
  if (!options.allowNewlines && /[\r\n]/.test(value)) {
    return err(kitError.invalidArgument(argument, `${argument} must not contain a line break.`));
  }
  return ok(value);
}
