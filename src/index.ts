/**
 * `@apex/daytona-kit`: Daytona sandboxes without the sharp edges, and real local sandboxes for offline work.
 * Public exports only, named and explicit.
 * @module
 */

// The kit and its options.
export {
  DEFAULT_IMAGE,
  type KitOptions,
  type KitTimeouts,
  type ResolvedConfig,
  resolveConfig,
} from "./config.js";
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
// Drivers: the port, the Daytona driver, the local driver, the retry decorator.
export type {
  CreateSandboxSpec,
  DaytonaSandboxState,
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
export { createExec, type ExecContext } from "./exec/exec.js";
export { createLineSplitter, type LineSplitter } from "./exec/lines.js";
export { checkShellText, quoteArgs, shellQuote } from "./exec/quote.js";
export type { Exec, ExecOptions, ExecResult } from "./exec/types.js";
// Filesystem and exec.
export {
  type BatchOptions,
  createSandboxFs,
  DEFAULT_ROOT,
  DEFAULT_UPLOAD_CAP_BYTES,
  type FailedWrite,
  type FsContext,
  MAX_PATH_BYTES,
  planBatches,
  type RemoveOptions,
  resolveUnderRoot,
  type SandboxFs,
  type WriteFileEntry,
  type WriteFilesReport,
  type WriteOptions,
} from "./fs/index.js";
export { createKit, type Kit, type KitInternals } from "./kit.js";
export type { ClientRateLimits } from "./policy/client-limits.js";
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
export type { RetryQuota, RetryQuotaOptions } from "./policy/retry-quota.js";
export type { ThrottlingOptions } from "./policy/throttling.js";
// Provisioners.
export {
  type AllOptions,
  type AllResult,
  type AllResultFor,
  APT_MARKER,
  type AptOptions,
  type AptResult,
  applyRecipe,
  createProvisioner,
  DEFAULT_APT_TIMEOUT_MS,
  DEFAULT_BUILD_TIMEOUT_MS,
  DEFAULT_INSTALL_TIMEOUT_MS,
  GIT_DEFAULTS,
  type GitOptions,
  type GitResult,
  type GitSettings,
  MONGO_UNSUPPORTED_HINT,
  type MongoOptions,
  type MongoResult,
  maxOldSpaceMiB,
  type NodeBuildOptions,
  type NodeBuildResult,
  type NodeInstallOptions,
  type NodeInstallResult,
  type NodeProvisioner,
  POSTGRES_DEFAULTS,
  type PostgresOptions,
  type PostgresResult,
  type PostgresSettings,
  type ProvisionContext,
  type ProvisionEvent,
  type Provisioner,
  type ProvisionPlanner,
  type ProvisionStep,
  REDIS_DEFAULTS,
  type Recipe,
  type RecipeFacts,
  type RedisOptions,
  type RedisResult,
  type RedisSettings,
  type RunOptions,
  SERVE_STATIC_DEFAULTS,
  type ServeStaticOptions,
  type ServeStaticResult,
  STATIC_MIME_TYPES,
  type StepSummary,
} from "./provision/index.js";
// Sandboxes.
export type { EnsureRequest } from "./sandbox/ensure.js";
export type {
  FanOutContext,
  FanOutEntry,
  FanOutOptions,
  FanOutProgress,
  FanOutReport,
  FanOutSummary,
  FanOutWork,
} from "./sandbox/fan-out.js";
export type { DisposeAction, KitSandbox } from "./sandbox/handle.js";
