/**
 * Bytes ⇄ text ⇄ JSON with no silent loss: UTF-8 is decoded strictly and JSON errors are typed.
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../errors.js";

const encoder = new TextEncoder();
// fatal: invalid UTF-8 is an error, never a silent U+FFFD. ignoreBOM: true KEEPS a leading BOM as U+FEFF, so
// read-then-write gives back the same bytes (a stripped BOM would silently change the file).
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const BOM = "\uFEFF";

/** Encodes text as UTF-8 bytes: the only form a driver ever receives. */
export function encodeText(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * Decodes UTF-8 strictly. A leading byte-order mark is kept (as `"\uFEFF"`): `readText` then `writeText` round-trips
 * the bytes exactly. Invalid bytes are `InvalidArgument` (argument `"path"`, the file named in the message):
 * the file is not the text the caller asked for, and reading it again will not change that.
 */
export function decodeText(bytes: Uint8Array, path: string): Result<string, KitError> {
  try {
    return ok(strictDecoder.decode(bytes));
  } catch (cause) {
    return err(
      kitError.invalidArgument("path", `${path} is not valid UTF-8 text; read it with readBytes instead.`, {
        cause,
      }),
    );
  }
}

/**
 * Parses JSON; a syntax error is `InvalidArgument` naming the file. A leading byte-order mark is skipped
 * (RFC 8259 allows parsers to ignore it; Windows editors write one).
 */
export function parseJson<T>(text: string, path: string): Result<T, KitError> {
  try {
    return ok(JSON.parse(text.startsWith(BOM) ? text.slice(1) : text) as T);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    return err(kitError.invalidArgument("path", `${path} does not hold valid JSON: ${detail}`, { cause }));
  }
}

/**
 * Pretty-prints a value as JSON (two spaces, trailing newline). Values JSON cannot represent (`undefined`, a
 * function, a symbol, a BigInt, a cycle) are `InvalidArgument`, not a file holding `undefined`.
 */
export function stringifyJson(value: unknown): Result<string, KitError> {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, null, 2);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    return err(
      kitError.invalidArgument("value", `The value cannot be written as JSON: ${detail}`, { cause }),
    );
  }
  if (text === undefined) {
    return err(
      kitError.invalidArgument("value", `The value cannot be written as JSON (got ${typeof value}).`),
    );
  }
  return ok(`${text}\n`);
}
