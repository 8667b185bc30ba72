/**
 * `@apex/daytona-kit`: Daytona sandboxes without the sharp edges, and real local sandboxes for offline work.
 * Public exports only, named and explicit.
 * @module
 */

// The kit and its options.
export { DEFAULT_IMAGE, type KitOptions, type KitTimeouts, type ResolvedConfig, resolveConfig } from "./config.js";
export { createKit, type Kit, type KitInternals } from "./kit.js";

// Errors.
export {
  type AbortedError,
  type AuthError,
  type CommandFailedError,
  type ConflictError,
  type ForbiddenError,
  type InvalidArgumentError,
  isKitError,
  type KitError,
  type KitErrorBase,
  type KitErrorKind,
  type KitErrorOf,
  kitError,
  type NoRegionAvailableError,
  type NotFoundError,
  type OutOfMemoryError,
  type PathOutsideRootError,
  type PayloadTooLargeError,
  type ProvisionFailedError,
  type RateLimitedError,
  type RegionAttempt,
  type RegionUnavailableError,
  type SandboxFailedError,
  type TimeoutError,
  type TransientError,
  type UnexpectedError,
  type UnsupportedError,
} from "./errors.js";

// Sandboxes.
export type { EnsureRequest } from "./sandbox/ensure.js";
export type { DisposeAction, KitSandbox } from "./sandbox/handle.js";

// Filesystem and exec.
export {
  type BatchOptions,
  DEFAULT_ROOT,
  DEFAULT_UPLOAD_CAP_BYTES,
  type FailedWrite,
  MAX_PATH_BYTES,
  planBatches,
  type RemoveOptions,
  resolveUnderRoot,
  type SandboxFs,
  type WriteFileEntry,
  type WriteFilesReport,
  type WriteOptions,
} from "./fs/index.js";
export { checkShellText, quoteArgs, shellQuote } from "./exec/quote.js";
export type { Exec, ExecOptions, ExecResult } from "./exec/types.js";

// Provisioners.
export * from "./provision/index.js";

// Drivers: the port, the Daytona driver, the local driver, the retry decorator.
export type {
  CreateSandboxSpec,
  DownloadOutcome,
  ExecOutcome,
  ExecRequest,
  FileEntry,
  PreviewLink,
  SandboxDriver,
  SandboxInfo,
  SandboxResources,
  SandboxState,
  UploadEntry,
  WaitOptions,
} from "./driver/types.js";
export type {
  DaytonaClientConfig,
  DaytonaClientLike,
  DaytonaCreateParams,
  DaytonaSandboxLike,
} from "./driver/daytona/client.js";
export { createDaytonaDriver, type DaytonaDriverOptions } from "./driver/daytona/index.js";
export { type ErrorContext, mapDaytonaError } from "./driver/daytona/map-error.js";
export {
  canBuildImages,
  createLocalDriver,
  DEFAULT_LOCAL_IMAGE,
  type EnsureImageOptions,
  ensureLocalImage,
  type ImageProgress,
  kitHome,
  LOCAL_IMAGES,
  type LocalCapabilities,
  type LocalDriver,
  type LocalDriverOptions,
  type LocalImage,
} from "./driver/local/index.js";
export { withRetries } from "./driver/retrying.js";

// Policies.
export {
  createRegionFallback,
  DEFAULT_TARGETS,
  type RegionFallback,
  type RegionSuccess,
  type ResolveTargetsOptions,
  resolveTargets,
} from "./policy/region.js";
export {
  type BackoffPolicy,
  DEFAULT_RETRY_POLICY,
  type HeaderBag,
  isRetryable,
  parseRetryAfter,
  type RetryInfo,
  type RetryOptions,
  type RetryPolicy,
  retryDelayMs,
  retryResult,
} from "./policy/retry.js";
