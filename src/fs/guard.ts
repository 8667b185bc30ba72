/**
 * The boundary between this library and code that may throw (drivers are supposed not to, but a bug or a custom
 * driver might): a throw or rejection becomes an `Unexpected` error instead of escaping a public method.
 * @module
 */
import { ResultAsync } from "neverthrow";
import { isKitError, type KitError, kitError } from "../errors.js";

/**
 * Runs `operation` and turns anything it throws (synchronously or by rejecting) into `Unexpected`
 * (a thrown `KitError` is kept as it is).
 *
 * @example
 * ```ts
 * guarded("readText", () => driver.downloadFiles(id, [path]))
 * ```
 */
export function guarded<T>(operation: string, run: () => ResultAsync<T, KitError>): ResultAsync<T, KitError> {
  const toError = (cause: unknown): KitError =>
    isKitError(cause)
      ? cause
      : kitError.unexpected(`${operation} failed with an unexpected error.`, { cause });
  let started: ResultAsync<T, KitError>;
  try {
    started = run();
  } catch (cause) {
    return ResultAsync.fromPromise(Promise.reject(cause), toError);
  }
  return ResultAsync.fromPromise(Promise.resolve(started), toError).andThen((result) => result);
}
