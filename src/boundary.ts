/**
 * The boundary between this library and code that may throw (a dependency, a custom driver, a caller's callback):
 * whatever is thrown there becomes a `KitError` value instead of escaping a public method. One place decides how.
 * @module
 */
import { err, errAsync, type Result, ResultAsync } from "neverthrow";
import { isKitError, type KitError, kitError } from "./errors.js";

/**
 * The error for something `operation` threw: a thrown `KitError` as it is, anything else `Unexpected` carrying the
 * thrown value as its cause.
 *
 * @example
 * ```ts
 * ResultAsync.fromPromise(listMetas(home), (thrown) => unexpectedThrow("list local sandboxes", thrown))
 * ```
 */
export function unexpectedThrow(operation: string, thrown: unknown): KitError {
  if (isKitError(thrown)) return thrown;
  // String() itself throws for a null-prototype object or a hostile toString: the message must never throw.
  let detail: string;
  try {
    detail = thrown instanceof Error ? String(thrown.message) : String(thrown);
  } catch {
    detail = "an unprintable value";
  }
  return kitError.unexpected(`${operation} failed unexpectedly: ${detail}`, { cause: thrown });
}

/**
 * Runs `run` so that every way it can end is a `Result`: a synchronous throw or a rejected promise becomes
 * {@link unexpectedThrow}.
 *
 * @example
 * ```ts
 * guarded("readText", () => driver.downloadFiles(id, [path]))
 * ```
 */
export function guarded<T>(
  operation: string,
  run: () => PromiseLike<Result<T, KitError>>,
): ResultAsync<T, KitError> {
  let started: PromiseLike<Result<T, KitError>>;
  try {
    started = run();
  } catch (thrown) {
    return errAsync(unexpectedThrow(operation, thrown));
  }
  return new ResultAsync(
    Promise.resolve(started).then(
      (result) => result,
      (thrown: unknown) => err(unexpectedThrow(operation, thrown)),
    ),
  );
}
