/**
 * The interface of each `KitError` kind, grouped so the root entry stays small. Most code names a kind
 * through `KitErrorOf<"NotFound">` instead; these names are what editors show on hover.
 *
 * @example
 * ```ts
 * import type { KitErrors } from "@apex/daytona-kit";
 * function describe(error: KitErrors.CommandFailedError) { return `${error.command} exited ${error.exitCode}`; }
 * ```
 * @module
 */
export type {
  AbortedError,
  AuthError,
  CommandFailedError,
  ConflictError,
  ForbiddenError,
  InvalidArgumentError,
  KitErrorBase,
  NoRegionAvailableError,
  NotFoundError,
  OutOfMemoryError,
  PathOutsideRootError,
  PayloadTooLargeError,
  ProvisionFailedError,
  RateLimitedError,
  RegionAttempt,
  RegionUnavailableError,
  SandboxFailedError,
  TimeoutError,
  TransientError,
  UnexpectedError,
  UnsupportedError,
} from "./errors.js";
