/**
 * Maps anything the Daytona SDK can throw to a {@link KitError}: by `statusCode`, then `code`/`source`,
 * then the class name — never by `instanceof`, so `@daytonaio/sdk` and `@daytona/sdk` errors map alike
 * and the SDK never has to be imported eagerly.
 * @module
 */
import { isKitError, type KitError, kitError } from "../../errors.js";
import { redact } from "./redact.js";
import { parseRetryAfter, retryAfterByThrottler } from "./retry-after.js";

/** What the mapper needs to know about the call that failed. */
export interface ErrorContext {
  /** Human name of the operation, e.g. `"create sandbox"`. */
  readonly operation: string;
  /** The deadline the call ran under, reported in `Timeout.afterMs`. */
  readonly timeoutMs?: number;
  /** The target the call went to (for region errors). */
  readonly region?: string;
  /** What a 404 means for this call. */
  readonly resource?: { readonly kind: string; readonly id: string };
  /** Strings that must never appear in an error (the API key, a JWT). */
  readonly secrets?: readonly string[];
  /** Clock for HTTP-date `Retry-After` values. */
  readonly now?: () => number;
}

interface SdkErrorShape {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly statusCode?: unknown;
  readonly code?: unknown;
  readonly source?: unknown;
  readonly headers?: unknown;
}

const REGION_UNAVAILABLE = /Region (\S+) is not available to the organization/i;
const REGION_NOT_FOUND = /^Region not found/i;
/**
 * Daytona answers 400 when a sandbox is in the wrong state for the request ("Sandbox is not in valid state",
 * "... not in a stoppable state", "must be in started state to ...", and the toolbox proxy's "Sandbox is not running"
 * for files or exec on a stopped sandbox): the request was fine, the sandbox's state
 * was not, which the other drivers report as `Conflict`.
 */
const WRONG_STATE =
  /\bnot in (?:a )?(?:valid|\w+able) state\b|\bmust be in \w+(?: or \w+)? state\b|^Sandbox is not running\b/i;
const SANDBOX_FAILED = /Sandbox (\S+) failed to start with status: ([a-z_]+)(?:, error reason: (.*))?/is;
const CONNECTION_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
]);

/** Turns a thrown value from the SDK into a `KitError`. Already-mapped errors pass through unchanged. */
export function mapDaytonaError(thrown: unknown, context: ErrorContext): KitError {
  if (isKitError(thrown)) return thrown;
  const shape: SdkErrorShape = typeof thrown === "object" && thrown !== null ? (thrown as SdkErrorShape) : {};
  const secrets = context.secrets ?? [];
  const message = redact(typeof shape.message === "string" ? shape.message : String(thrown), secrets);
  const name = typeof shape.name === "string" ? shape.name : "";
  const status = typeof shape.statusCode === "number" ? shape.statusCode : undefined;
  const code = typeof shape.code === "string" ? shape.code : undefined;
  const source = typeof shape.source === "string" ? shape.source : undefined;
  // A plain, secret-free record of the original: the raw error may hold request config with credentials.
  const cause = { name, message, statusCode: status, code, source };

  if (name === "AbortError" || name === "CanceledError" || code === "ERR_CANCELED") {
    return kitError.aborted(context.operation, cause);
  }
  const byCode =
    source === "DAYTONA_DAEMON" || code !== undefined ? mapByCode(code, message, context, cause) : undefined;
  if (byCode) return byCode;
  if (status !== undefined) return mapByStatus(status, message, code, shape.headers, context, cause);
  return mapByName(name, message, code, context, cause);
}

function mapByCode(code: string | undefined, message: string, context: ErrorContext, cause: unknown) {
  switch (code) {
    case "FILE_NOT_FOUND":
      return kitError.notFound("file", context.resource?.id ?? message, cause);
    case "PROCESS_EXECUTION_TIMEOUT":
    case "REQUEST_TIMEOUT":
      return kitError.timeout(context.operation, context.timeoutMs, cause);
    case "INVALID_FILE_PATH":
      return kitError.invalidArgument("path", message, { status: 400, cause });
    case "FILE_ACCESS_DENIED":
      return kitError.forbidden(message, 403, { code, cause });
    default:
      return undefined;
  }
}

function mapByStatus(
  status: number,
  message: string,
  code: string | undefined,
  headers: unknown,
  context: ErrorContext,
  cause: unknown,
): KitError {
  const now = (context.now ?? Date.now)();
  const retryAfterMs = parseRetryAfter(headerRecord(headers), now);
  switch (status) {
    case 400:
    case 410:
    case 422:
      if (status === 400 && WRONG_STATE.test(message)) return kitError.conflict(message, cause);
      return kitError.invalidArgument(context.operation, message, { status, cause });
    case 401:
      return kitError.auth(`Daytona rejected the credentials: ${message}`, { status, cause });
    case 403: {
      const region = REGION_UNAVAILABLE.exec(message);
      if (region) return kitError.regionUnavailable(region[1] ?? context.region ?? "unknown", message, cause);
      return kitError.forbidden(message, status, code === undefined ? { cause } : { code, cause });
    }
    case 404:
      if (REGION_NOT_FOUND.test(message)) {
        return kitError.regionUnavailable(
          context.region ?? "unknown",
          `Region not found: ${context.region}`,
          cause,
        );
      }
      return kitError.notFound(context.resource?.kind ?? "resource", context.resource?.id ?? "", cause);
    case 408:
    case 504:
      return kitError.serverTimeout(context.operation, status, cause);
    case 409:
      return kitError.conflict(message, cause);
    case 429:
      return kitError.rateLimited(
        `Rate limited by Daytona: ${message}`,
        retryAfterMs,
        cause,
        retryAfterByThrottler(headerRecord(headers), now),
      );
    default:
      if (status >= 500) return kitError.transient(message, { status, retryAfterMs, cause });
      return kitError.unexpected(`${context.operation} failed with HTTP ${status}: ${message}`, {
        status,
        cause,
      });
  }
}

function mapByName(
  name: string,
  message: string,
  code: string | undefined,
  context: ErrorContext,
  cause: unknown,
): KitError {
  const failed = SANDBOX_FAILED.exec(message);
  if (failed) {
    const reason = failed[3]?.trim();
    return kitError.sandboxFailed(failed[2] ?? "error", {
      sandboxId: failed[1],
      reason: reason && reason !== "undefined" ? reason : undefined,
      cause,
    });
  }
  switch (name) {
    case "DaytonaConnectionTimeoutError":
    case "DaytonaTimeoutError":
      return kitError.timeout(context.operation, context.timeoutMs, cause);
    case "DaytonaConnectionError":
      return kitError.transient(`Could not reach Daytona: ${message}`, { cause });
    case "DaytonaAuthenticationError":
      return kitError.auth(message, { cause });
    case "DaytonaInvalidArgumentError":
    case "DaytonaValidationError":
      return kitError.invalidArgument(context.operation, message, { cause });
  }
  if (code !== undefined && CONNECTION_CODES.has(code)) {
    return kitError.transient(`Could not reach Daytona: ${message}`, { cause });
  }
  return kitError.unexpected(`${context.operation} failed: ${message}`, { cause });
}

/** Axios headers (an AxiosHeaders instance or a plain object) as a plain lower-case record. */
function headerRecord(headers: unknown): Record<string, string | string[] | undefined> | undefined {
  if (typeof headers !== "object" || headers === null) return undefined;
  const source =
    typeof (headers as { toJSON?: unknown }).toJSON === "function"
      ? (headers as { toJSON(): object }).toJSON()
      : headers;
  const record: Record<string, string | string[] | undefined> = {};
  for (const [key, value] of Object.entries(source)) {
    if (typeof value === "string" || Array.isArray(value)) record[key.toLowerCase()] = value;
    else if (typeof value === "number") record[key.toLowerCase()] = String(value);
  }
  return record;
}
