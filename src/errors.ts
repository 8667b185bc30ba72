/**
 * The error model: every expected failure is a plain, readonly `KitError` value, discriminated on `kind`.
 *
 * @example
 * ```ts
 * const result = await sandbox.fs.readText("notes.md");
 * if (result.isErr()) {
 *   switch (result.error.kind) {
 *     case "NotFound": return "no notes yet";
 *     case "PayloadTooLarge": return `too big: ${result.error.bytes}`;
 *     default: throw new Error(result.error.message);
 *   }
 * }
 * ```
 * @module
 */

/** Fields every {@link KitError} carries. */
export interface KitErrorBase {
  /** Human, actionable text; never contains a secret. */
  readonly message: string;
  /** Whether the same call may succeed if tried again later. */
  readonly retryable: boolean;
  /** The underlying error, when there is one (already redacted of secrets where it was a message). */
  readonly cause?: unknown;
}

/** A caller-supplied value was refused before anything was sent (or the server refused it as invalid: `status` set). */
export interface InvalidArgumentError extends KitErrorBase {
  readonly kind: "InvalidArgument";
  /** Which argument was wrong. */
  readonly argument: string;
  /** HTTP status when the server, not this library, refused the value (400, 410, 422). */
  readonly status?: number;
}
/** A path resolved outside the sandbox root (e.g. `../../etc/passwd`). */
export interface PathOutsideRootError extends KitErrorBase {
  readonly kind: "PathOutsideRoot";
  readonly path: string;
  readonly root: string;
}
/** A payload is over the upload cap; nothing was sent. */
export interface PayloadTooLargeError extends KitErrorBase {
  readonly kind: "PayloadTooLarge";
  readonly path: string;
  readonly bytes: number;
  readonly limit: number;
}
/** A sandbox, file or other resource does not exist. */
export interface NotFoundError extends KitErrorBase {
  readonly kind: "NotFound";
  /** What was looked for: `"sandbox"`, `"file"`, `"region"`, … */
  readonly resource: string;
  readonly id: string;
}
/** The credentials were missing or rejected (401). */
export interface AuthError extends KitErrorBase {
  readonly kind: "Auth";
  readonly status?: number;
}
/** The server refused the call for a reason other than authentication or region (403: quota, permissions). */
export interface ForbiddenError extends KitErrorBase {
  readonly kind: "Forbidden";
  readonly status: number;
  readonly code?: string;
}
/** The region (Daytona "target") is not available to the organization, or unknown. */
export interface RegionUnavailableError extends KitErrorBase {
  readonly kind: "RegionUnavailable";
  readonly region: string;
}
/** One failed attempt of a region fallback. */
export interface RegionAttempt {
  readonly region: string;
  readonly error: KitError;
}
/** Every region in the fallback list failed. */
export interface NoRegionAvailableError extends KitErrorBase {
  readonly kind: "NoRegionAvailable";
  readonly attempts: readonly RegionAttempt[];
}
/** 429: too many requests. */
export interface RateLimitedError extends KitErrorBase {
  readonly kind: "RateLimited";
  /** How long the server asked us to wait, from `Retry-After` / `Retry-After-*`. */
  readonly retryAfterMs?: number;
  /**
   * The wait per throttler that refused the request, from Daytona's `Retry-After-<throttler>` headers
   * (e.g. `{ "sandbox-create": 12000 }`); absent when the answer named none.
   */
  readonly throttlers?: Readonly<Record<string, number>>;
}
/** An operation or wait ran past its deadline. */
export interface TimeoutError extends KitErrorBase {
  readonly kind: "Timeout";
  readonly operation: string;
  /** The deadline that fired, in milliseconds, when known. */
  readonly afterMs?: number;
}
/** A passing fault: 5xx, connection reset or refused. */
export interface TransientError extends KitErrorBase {
  readonly kind: "Transient";
  readonly status?: number;
  readonly retryAfterMs?: number;
}
/** 409: the resource is in a conflicting state. */
export interface ConflictError extends KitErrorBase {
  readonly kind: "Conflict";
}
/** A sandbox ended in `error` / `build_failed`. */
export interface SandboxFailedError extends KitErrorBase {
  readonly kind: "SandboxFailed";
  readonly sandboxId?: string;
  readonly state: string;
  readonly reason?: string;
  /** Whether Daytona says `recover()` can help. */
  readonly recoverable?: boolean;
}
/** A command exited with a code the caller did not allow. */
export interface CommandFailedError extends KitErrorBase {
  readonly kind: "CommandFailed";
  readonly command: string;
  readonly exitCode: number;
  /** Combined stdout and stderr (Daytona merges them). */
  readonly output: string;
  /** The signal that ended the command (e.g. `"SIGKILL"` for exit 137), when it died of one. */
  readonly signal?: string;
}
/** A command was SIGKILLed (exit 137), most likely by the out-of-memory killer. */
export interface OutOfMemoryError extends KitErrorBase {
  readonly kind: "OutOfMemory";
  readonly command: string;
  readonly exitCode: number;
  readonly output?: string;
}
/** A provisioner step failed. */
export interface ProvisionFailedError extends KitErrorBase {
  readonly kind: "ProvisionFailed";
  readonly step: string;
  readonly cause: KitError;
}
/** The feature cannot work here; `hint` says what to do instead. */
export interface UnsupportedError extends KitErrorBase {
  readonly kind: "Unsupported";
  readonly feature: string;
  readonly hint: string;
}
/** The caller's AbortSignal fired. */
export interface AbortedError extends KitErrorBase {
  readonly kind: "Aborted";
  readonly operation: string;
}
/** Anything this library could not classify. */
export interface UnexpectedError extends KitErrorBase {
  readonly kind: "Unexpected";
  readonly status?: number;
}

/** Every expected failure of the library; `switch (e.kind)` is exhaustive. */
export type KitError =
  | InvalidArgumentError
  | PathOutsideRootError
  | PayloadTooLargeError
  | NotFoundError
  | AuthError
  | ForbiddenError
  | RegionUnavailableError
  | NoRegionAvailableError
  | RateLimitedError
  | TimeoutError
  | TransientError
  | ConflictError
  | SandboxFailedError
  | CommandFailedError
  | OutOfMemoryError
  | ProvisionFailedError
  | UnsupportedError
  | AbortedError
  | UnexpectedError;

/** The `kind` tags of {@link KitError}. */
export type KitErrorKind = KitError["kind"];

/** Narrows a `KitError` to one kind. */
export type KitErrorOf<K extends KitErrorKind> = Extract<KitError, { kind: K }>;

const KINDS: ReadonlySet<string> = new Set<KitErrorKind>([
  "InvalidArgument",
  "PathOutsideRoot",
  "PayloadTooLarge",
  "NotFound",
  "Auth",
  "Forbidden",
  "RegionUnavailable",
  "NoRegionAvailable",
  "RateLimited",
  "Timeout",
  "Transient",
  "Conflict",
  "SandboxFailed",
  "CommandFailed",
  "OutOfMemory",
  "ProvisionFailed",
  "Unsupported",
  "Aborted",
  "Unexpected",
]);

/** True when `value` is a {@link KitError}. */
export function isKitError(value: unknown): value is KitError {
  if (typeof value !== "object" || value === null) return false;
  const { kind, message } = value as { kind?: unknown; message?: unknown };
  return typeof kind === "string" && KINDS.has(kind) && typeof message === "string";
}

type OptionalKeys<T> = { [F in keyof T]-?: object extends Pick<T, F> ? F : never }[keyof T];
/** An object type whose optional fields may also be given as `undefined`. */
type Loose<T> = Omit<T, OptionalKeys<T>> & { [F in OptionalKeys<T>]?: T[F] | undefined };
/** A kind's own fields; an optional one given as `undefined` is left out of the error. */
type Extra<K extends KitErrorKind> = Loose<Omit<KitErrorOf<K>, "kind" | "message" | "retryable">>;

function make<K extends KitErrorKind>(
  kind: K,
  message: string,
  retryable: boolean,
  extra: Extra<K>,
): KitErrorOf<K> {
  const error: Record<string, unknown> = { kind, message, retryable };
  // Leave unset fields out (rather than present and undefined) so errors compare and print cleanly.
  for (const [field, value] of Object.entries(extra)) if (value !== undefined) error[field] = value;
  return Object.freeze(error) as unknown as KitErrorOf<K>;
}

/**
 * Constructors for every {@link KitError} kind. Each returns a frozen plain object.
 *
 * @example
 * ```ts
 * return err(kitError.invalidArgument("port", "port must be 1–65535, got 70000"));
 * ```
 */
export const kitError = {
  /** `InvalidArgument`: `argument` was refused (by this library, or by the server when `status` is set). */
  invalidArgument: (
    argument: string,
    message: string,
    extra: Loose<{ status?: number; cause?: unknown }> = {},
  ) => make("InvalidArgument", message, false, { argument, ...extra }),
  /** `PathOutsideRoot`: `path` resolved outside `root`. */
  pathOutsideRoot: (path: string, root: string) =>
    make(
      "PathOutsideRoot",
      `Path ${JSON.stringify(path)} resolves outside the sandbox root ${root}.`,
      false,
      {
        path,
        root,
      },
    ),
  /** `PayloadTooLarge`: `bytes` of `path` are over the upload cap `limit`. */
  payloadTooLarge: (path: string, bytes: number, limit: number) =>
    make(
      "PayloadTooLarge",
      `${path} is ${bytes} bytes, over the ${limit}-byte upload cap (Daytona answers a bare 400 above ~5 MB). ` +
        "Nothing was sent. Pass { chunked: true } to upload it in verified parts, or build the file inside the sandbox.",
      false,
      { path, bytes, limit },
    ),
  /** `NotFound`: no `resource` (`"sandbox"`, `"file"`, …) with this `id`. */
  notFound: (resource: string, id: string, cause?: unknown) =>
    make("NotFound", `No ${resource} ${JSON.stringify(id)}.`, false, { resource, id, cause }),
  /** `Auth`: credentials missing or rejected. */
  auth: (message: string, extra: Loose<{ status?: number; cause?: unknown }> = {}) =>
    make("Auth", message, false, extra),
  /** `Forbidden`: the server refused the call (quota, permissions). */
  forbidden: (message: string, status: number, extra: Loose<{ code?: string; cause?: unknown }> = {}) =>
    make("Forbidden", message, false, { status, ...extra }),
  /** `RegionUnavailable`: `region` is not available to the organization. */
  regionUnavailable: (region: string, message: string, cause?: unknown) =>
    make("RegionUnavailable", message, false, { region, cause }),
  /** `NoRegionAvailable`: every region of the fallback failed; one attempt per region. */
  noRegionAvailable: (attempts: readonly RegionAttempt[]) =>
    make(
      "NoRegionAvailable",
      `No region was available: ${attempts.map((a) => `${a.region}: ${a.error.message}`).join("; ")}`,
      false,
      { attempts },
    ),
  /** `RateLimited` (retryable): the server asked to wait `retryAfterMs` (per throttler in `throttlers`). */
  rateLimited: (
    message: string,
    retryAfterMs?: number,
    cause?: unknown,
    throttlers?: Readonly<Record<string, number>>,
  ) =>
    make("RateLimited", message, true, {
      retryAfterMs,
      cause,
      ...(throttlers && Object.keys(throttlers).length > 0
        ? { throttlers: Object.freeze({ ...throttlers }) }
        : {}),
    }),
  /** `Timeout`: `operation` ran past its deadline of `afterMs`. */
  timeout: (operation: string, afterMs?: number, cause?: unknown, retryable = true) =>
    make(
      "Timeout",
      afterMs === undefined ? `${operation} timed out.` : `${operation} timed out after ${afterMs} ms.`,
      retryable,
      { operation, afterMs, cause },
    ),
  /** The SERVER gave up (HTTP 408/504), not a deadline of ours: `afterMs` stays unset. */
  serverTimeout: (operation: string, status: number, cause?: unknown) =>
    make(
      "Timeout",
      `${operation}: the server timed out (HTTP ${status}); the work may still be running there.`,
      true,
      { operation, cause },
    ),
  /** `Transient` (retryable): a passing fault such as a 5xx or a reset connection. */
  transient: (
    message: string,
    extra: Loose<{ status?: number; retryAfterMs?: number; cause?: unknown }> = {},
  ) => make("Transient", message, true, extra),
  /** `Conflict`: the resource is in a conflicting state (409). */
  conflict: (message: string, cause?: unknown) => make("Conflict", message, false, { cause }),
  /** `SandboxFailed`: the sandbox ended in `state` (`error`, `build_failed`). */
  sandboxFailed: (
    state: string,
    extra: Loose<{ sandboxId?: string; reason?: string; recoverable?: boolean; cause?: unknown }> = {},
  ) =>
    make(
      "SandboxFailed",
      `Sandbox ${extra.sandboxId ?? ""} ended in state ${state}${extra.reason ? `: ${extra.reason}` : ""}.` +
        (extra.recoverable ? " Daytona says it is recoverable." : ""),
      false,
      { state, ...extra },
    ),
  /** `CommandFailed`: `command` exited with `exitCode`; `output` is its combined stdout and stderr. */
  commandFailed: (command: string, exitCode: number, output: string, signal?: string) =>
    make(
      "CommandFailed",
      `${signal ? `Command was killed by ${signal} (exit ${exitCode})` : `Command exited with ${exitCode}`}: ${command}\n${tail(output)}`,
      false,
      { command, exitCode, output, signal: signal || undefined },
    ),
  /** `OutOfMemory`: `command` was SIGKILLed (exit 137); `hint` says what to change. */
  outOfMemory: (command: string, exitCode: number, output?: string, hint?: string) =>
    make(
      "OutOfMemory",
      `Command was killed (exit ${exitCode}), most likely out of memory: ${command}${hint ? `\n${hint}` : ""}`,
      false,
      { command, exitCode, output },
    ),
  /** `ProvisionFailed`: provisioning `step` failed with `cause`. */
  provisionFailed: (step: string, cause: KitError) =>
    make("ProvisionFailed", `Provisioning step "${step}" failed: ${cause.message}`, cause.retryable, {
      step,
      cause,
    }),
  /** `Unsupported`: `feature` cannot work here; `hint` says what to do instead. */
  unsupported: (feature: string, hint: string) =>
    make("Unsupported", `${feature} is not supported here. ${hint}`, false, { feature, hint }),
  /** `Aborted`: the caller's signal fired during `operation`. */
  aborted: (operation: string, cause?: unknown) =>
    make("Aborted", `${operation} was aborted.`, false, { operation, cause }),
  /** `Unexpected`: a failure this library could not classify. */
  unexpected: (message: string, extra: Loose<{ status?: number; cause?: unknown }> = {}) =>
    make("Unexpected", message, false, extra),
} as const;

function tail(output: string, max = 2_000): string {
  return output.length <= max ? output : `…${output.slice(-max)}`;
}
