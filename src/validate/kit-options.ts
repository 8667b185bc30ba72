/**
 * The options of `createKit`, checked once and whole, so `kit.check()` tells the truth: every field by type and
 * range, the API URL by scheme and path, the targets as an array of region names, the retry policy's bounds.
 * `resolveConfig` (src/config.ts) calls these; nothing else reads raw options before they pass.
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../errors.js";
import { describeValue } from "./describe.js";
import { checkInteger, checkNumber, checkOptionalTimeoutMs, MAX_TIMEOUT_MS } from "./numbers.js";
import { checkBoolean, checkCallback, checkKnownKeys, isPlainObject } from "./options.js";
import { checkOptionalString, checkString } from "./strings.js";

/** The most attempts a retry policy may ask for: with the 20 s backoff cap, 20 attempts already span minutes. */
export const MAX_RETRY_ATTEMPTS = 20;

type Fields = Record<string, unknown>;

/** The methods every driver object implements (src/driver/types.ts). */
const DRIVER_METHODS = ["create", "get", "list", "start", "stop", "delete", "exec", "dispose"] as const;

/**
 * A Daytona API URL: `http:` or `https:`, a host, no credentials, and a path (Daytona's API lives under `/api`;
 * without it every call answers `No resource ""`). `argument` names the source (`apiUrl` or `DAYTONA_API_URL`).
 *
 * @example
 * ```ts
 * checkApiUrl("https://app.daytona.io/api", "apiUrl") // => Ok
 * checkApiUrl("https://app.daytona.io", "apiUrl")     // => Err(InvalidArgument): add /api
 * ```
 */
export function checkApiUrl(value: unknown, argument: string): Result<string, KitError> {
  const text = checkString(value, argument);
  if (text.isErr()) {
    return err(
      kitError.invalidArgument(
        argument,
        `${argument} must be a non-empty http(s) URL such as https://app.daytona.io/api, got ${describeValue(value)}` +
          (value === ""
            ? " (an empty URL is refused, not replaced by DAYTONA_API_URL or the SDK's default)."
            : "."),
      ),
    );
  }
  let url: URL;
  try {
    url = new URL(text.value.trim());
  } catch {
    return err(
      kitError.invalidArgument(argument, `${argument} is not a URL: ${JSON.stringify(text.value)}.`),
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return err(
      kitError.invalidArgument(argument, `${argument} must use http: or https:, not ${url.protocol}`),
    );
  }
  if (url.username !== "" || url.password !== "") {
    return err(
      kitError.invalidArgument(argument, `${argument} must not carry credentials; pass apiKey instead.`),
    );
  }
  if (url.pathname === "/" || url.pathname === "") {
    return err(
      kitError.invalidArgument(
        argument,
        `${argument} has no path: Daytona's API lives under /api (e.g. ${url.origin}/api).`,
      ),
    );
  }
  return ok(text.value.trim());
}

/** The reasons `fallbackOn` may list. */
const FALLBACK_REASONS: readonly string[] = ["unavailable"];

/** `fallbackOn`: an array of known reasons (`"unavailable"`). */
export function checkFallbackOn(value: unknown): Result<void, KitError> {
  if (value === undefined) return ok(undefined);
  if (Array.isArray(value) && value.every((reason) => FALLBACK_REASONS.includes(reason as string))) {
    return ok(undefined);
  }
  return err(
    kitError.invalidArgument(
      "fallbackOn",
      `fallbackOn must be an array of ${FALLBACK_REASONS.map((r) => JSON.stringify(r)).join(", ")}, got ${describeValue(value)}.`,
    ),
  );
}

/** The retry policy: attempts 1–{@link MAX_RETRY_ATTEMPTS}, delays 0–2³¹−1 ms, the seams functions. */
export function checkRetryPolicy(value: unknown): Result<void, KitError> {
  if (value === undefined) return ok(undefined);
  if (!isPlainObject(value)) {
    return err(kitError.invalidArgument("retry", `retry must be an object, got ${describeValue(value)}.`));
  }
  const known = checkKnownKeys(
    value,
    [
      "attempts",
      "baseDelayMs",
      "throttledBaseDelayMs",
      "maxDelayMs",
      "deadlineMs",
      "random",
      "sleep",
      "now",
      "onRetry",
    ],
    "retry",
  );
  if (known.isErr()) return known;
  if (value.attempts !== undefined) {
    const attempts = checkInteger(value.attempts, "retry.attempts", 1, MAX_RETRY_ATTEMPTS);
    if (attempts.isErr()) return err(attempts.error);
  }
  for (const key of ["baseDelayMs", "throttledBaseDelayMs", "maxDelayMs"] as const) {
    if (value[key] === undefined) continue;
    const delay = checkNumber(value[key], `retry.${key}`, 0, MAX_TIMEOUT_MS);
    if (delay.isErr()) return err(delay.error);
  }
  const deadline = checkOptionalTimeoutMs(value.deadlineMs, "retry.deadlineMs");
  if (deadline.isErr()) return err(deadline.error);
  for (const key of ["random", "sleep", "now", "onRetry"] as const) {
    const fn = checkCallback(value[key], `retry.${key}`);
    if (fn.isErr()) return fn;
  }
  return ok(undefined);
}

/** `timeouts`: each of `ensureMs`, `lifecycleMs`, `execMs` from 1 to 2³¹−1 ms. */
export function checkTimeoutsOption(value: unknown): Result<void, KitError> {
  if (value === undefined) return ok(undefined);
  if (!isPlainObject(value)) {
    return err(
      kitError.invalidArgument("timeouts", `timeouts must be an object, got ${describeValue(value)}.`),
    );
  }
  const known = checkKnownKeys(value, ["ensureMs", "lifecycleMs", "execMs"], "timeouts");
  if (known.isErr()) return known;
  for (const key of ["ensureMs", "lifecycleMs", "execMs"] as const) {
    const checked = checkOptionalTimeoutMs(value[key], `timeouts.${key}`);
    if (checked.isErr()) return err(checked.error);
  }
  return ok(undefined);
}

/**
 * The scalar and callback fields of the options, by type. The fs settings (`root`, `uploadCapBytes`, `batch`) are
 * checked by `resolveFsSettings`, the project label by `checkProjectLabel`.
 */
export function checkOptionFields(options: Fields): Result<void, KitError> {
  const driver = options.driver;
  if (
    driver !== undefined &&
    driver !== "daytona" &&
    driver !== "local" &&
    !(typeof driver === "object" && driver !== null && !Array.isArray(driver))
  ) {
    return err(
      kitError.invalidArgument(
        "driver",
        `driver must be "daytona", "local" or a driver object, got ${describeValue(driver)}.`,
      ),
    );
  }
  if (typeof driver === "object") {
    const port = driver as Record<string, unknown>;
    const missing = DRIVER_METHODS.filter((name) => typeof port[name] !== "function");
    if (typeof port.name !== "string" || missing.length > 0) {
      return err(
        kitError.invalidArgument(
          "driver",
          `driver must implement the driver port (a name and ${DRIVER_METHODS.join(", ")}); missing: ` +
            `${typeof port.name === "string" ? "" : "name "}${missing.join(", ")}.`,
        ),
      );
    }
  }
  const checks: Array<() => Result<unknown, KitError>> = [
    () => checkOptionalString(options.apiKey, "apiKey"),
    () => checkOptionalString(options.defaultImage, "defaultImage"),
    () => checkOptionalString(options.localHome, "localHome"),
    () => checkBoolean(options.useDeprecatedPolling, "useDeprecatedPolling"),
    () => checkCallback(options.onProgress, "onProgress"),
    () =>
      options.onDispose === undefined || ["keep", "stop", "delete"].includes(options.onDispose as string)
        ? ok(undefined)
        : err(
            kitError.invalidArgument(
              "onDispose",
              `onDispose must be "keep", "stop" or "delete", got ${describeValue(options.onDispose)}.`,
            ),
          ),
    () => checkObjectOrUndefined(options.env, "env"),
    () => checkObjectOrUndefined(options.daytonaClients, "daytonaClients"),
  ];
  for (const check of checks) {
    const result = check();
    if (result.isErr()) return err(result.error);
  }
  return ok(undefined);
}

function checkObjectOrUndefined(value: unknown, argument: string): Result<void, KitError> {
  if (value === undefined || (typeof value === "object" && value !== null && !Array.isArray(value))) {
    return ok(undefined);
  }
  return err(
    kitError.invalidArgument(argument, `${argument} must be an object, got ${describeValue(value)}.`),
  );
}
