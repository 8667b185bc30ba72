/**
 * `@apex/daytona-kit`: Daytona sandboxes without the sharp edges, and real local sandboxes for offline work.
 * The kit, its sandboxes, the errors and the driver port. Each driver's extras have their own entry
 * (`@apex/daytona-kit/daytona`, `@apex/daytona-kit/local`); the emulator is `@apex/daytona-kit/testing`.
 * @module
 */

// The kit and its sandboxes.
export type { KitOptions, KitTimeouts } from "./config.js";
// The driver port: what a driver implements (and what `kit.list()` returns).
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
// Errors.
export type * as KitErrors from "./error-kinds.js";
export { isKitError, type KitError, type KitErrorKind, type KitErrorOf, kitError } from "./errors.js";
export type { Exec, ExecOptions, ExecResult } from "./exec/types.js";
// Filesystem.
export type {
  BatchOptions,
  FailedWrite,
  RemoveOptions,
  SandboxFs,
  WriteFileEntry,
  WriteFilesReport,
  WriteOptions,
} from "./fs/index.js";
export { createKit, type Kit } from "./kit.js";
export type { ClientRateLimits, RateWindow } from "./policy/client-limits.js";
// Retrying your own Result-returning calls.
export { type RetryInfo, type RetryOptions, type RetryPolicy, retryResult } from "./policy/retry.js";
export type { RetryQuota, RetryQuotaOptions } from "./policy/retry-quota.js";
export type { ThrottlingOptions } from "./policy/throttling.js";
// Provisioners: the facade, its events, and the per-call option and result types in the `Provision` namespace.
export type { AllOptions, AllResultFor, ProvisionEvent, Provisioner, RunOptions } from "./provision/index.js";
export type * as Provision from "./provision/public-types.js";
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
// Exec and shell quoting.
export { checkShellText, quoteArgs, shellQuote } from "./shell/quote.js";
