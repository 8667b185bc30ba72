/**
 * Options of `createKit`, and how they combine with the environment (the DAYTONA_* variables).
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import { DEFAULT_EXEC_TIMEOUT_MS } from "./defaults.js";
import type { DaytonaClientLike } from "./driver/daytona/client.js";
import type { DaytonaDriverOptions } from "./driver/daytona/index.js";
import type { LocalDriverOptions } from "./driver/local/driver.js";
import type { SandboxDriver } from "./driver/types.js";
import { type KitError, kitError } from "./errors.js";
import { type FsSettings, resolveFsSettings } from "./fs/settings.js";
import type { BatchOptions } from "./fs/types.js";
import { DEFAULT_RETRY_POLICY } from "./policy/backoff.js";
import type { RegionFallbackReason } from "./policy/region.js";
import type { RetryPolicy } from "./policy/retry.js";
import { resolveTargets } from "./policy/targets.js";
import type { ThrottlingOptions } from "./policy/throttling.js";
import type { DisposeAction } from "./sandbox/handle.js";
import { checkProjectLabel } from "./sandbox/project.js";
import { describeValue } from "./validate/describe.js";
import {
  checkApiUrl,
  checkFallbackOn,
  checkOptionFields,
  checkRetryPolicy,
  checkTimeoutsOption,
} from "./validate/kit-options.js";
import { isPlainObject } from "./validate/options.js";
import { checkSandboxNamePrefix, DEFAULT_SANDBOX_NAME_PREFIX } from "./validate/sandbox-name.js";
import { checkString } from "./validate/strings.js";
import { checkThrottlingOption } from "./validate/throttling.js";

/** Deadlines of the kit's operations, in milliseconds. */
export interface KitTimeouts {
  /** `ensure` as a whole (lookup, create with its waits, start). @default 180_000 */
  readonly ensureMs?: number;
  /** start/stop/delete of a handle. @default 120_000 */
  readonly lifecycleMs?: number;
  /** Default deadline of `exec`. @default 60_000 */
  readonly execMs?: number;
}

/** Options of `createKit`. Every one is optional. */
export interface KitOptions {
  /**
   * Which back end runs the sandboxes: `"daytona"`, `"local"`, or a driver object. When omitted: Daytona if
   * `apiKey` is given or `DAYTONA_ENABLED=true`, else the local driver.
   */
  readonly driver?: "daytona" | "local" | SandboxDriver;
  /** Daytona API key. @default `DAYTONA_API_KEY` */
  readonly apiKey?: string;
  /** Daytona API URL. @default `DAYTONA_API_URL`, else the SDK's default */
  readonly apiUrl?: string;
  /** Region fallback order. @default `DAYTONA_TARGETS`, else `["us", "eu"]` */
  readonly targets?: readonly string[];
  /**
   * When `ensure` moves on to the next region besides "region not available to the organisation" (which always
   * does). `"unavailable"`: also after a region's retries are spent on 5xx answers, server timeouts or connection
   * errors. Off by default: a sandbox stays in the first region (data residency) unless you ask for availability.
   * Safe against duplicates: every create carries the project's sandbox name, unique across regions.
   * @default []
   */
  readonly fallbackOn?: readonly RegionFallbackReason[];
  /**
   * Start of every sandbox name `ensure` creates: the name is `<prefix><projectId>` (or a hashed form when that is
   * too long or ambiguous; see docs/lifecycle.md). Names are what keeps one sandbox per project across processes,
   * so every process of an application must use the same prefix. `""` is allowed.
   * @default "apex-"
   */
  readonly sandboxNamePrefix?: string;
  /** Pre-built Daytona clients per target (for `@daytona/sdk`, or the emulator). */
  readonly daytonaClients?: Readonly<Record<string, DaytonaClientLike>>;
  /** Poll instead of opening socket.io connections. @default the SDK's default */
  readonly useDeprecatedPolling?: boolean;
  /** Image used when `ensure` names none. @default `DAYTONA_DEFAULT_IMAGE`, else `python:3.12-slim-bookworm` */
  readonly defaultImage?: string;
  /** The label that records a sandbox's project. @default "apex.project" */
  readonly projectLabel?: string;
  /** Root of the fs facade inside each sandbox. @default "/workspace" */
  readonly root?: string;
  /** Largest single upload, checked before sending. @default 5 MiB */
  readonly uploadCapBytes?: number;
  /** Batching of `fs.writeFiles`. */
  readonly batch?: BatchOptions;
  /** Retry policy of idempotent calls. @default 3 attempts, full jitter from 100 ms (500 ms after a 429), cap 20 s */
  readonly retry?: RetryPolicy;
  /**
   * Coordinated backoff when Daytona answers 429: one pause per throttler class for every call of the kit, calls
   * released spread out, a retry budget shared by all calls. @default on, see {@link ThrottlingOptions}
   */
  readonly throttling?: ThrottlingOptions;
  readonly timeouts?: KitTimeouts;
  /** What `await using` does with a sandbox from `ensure`. @default "keep" */
  readonly onDispose?: DisposeAction;
  /** Where the local driver keeps images and sandboxes. @default `DAYTONA_KIT_HOME`, else `~/.cache/daytona-kit` */
  readonly localHome?: string;
  /** Progress of long local steps (building the base image). @default lines on stderr */
  readonly onProgress?: (line: string) => void;
  /** The environment to read (tests pass their own). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The driver the kit runs on, with the options its builder takes. */
export type ResolvedDriver =
  | { readonly kind: "custom"; readonly driver: SandboxDriver }
  | { readonly kind: "daytona"; readonly options: DaytonaDriverOptions }
  | { readonly kind: "local"; readonly options: LocalDriverOptions };

/**
 * Every setting of the kit after defaults and the environment were applied. `createKit` reads its options once,
 * here; everything it builds takes its settings from this object and defaults nothing again.
 */
export interface ResolvedConfig {
  readonly driverKind: "daytona" | "local" | "custom";
  readonly driver: ResolvedDriver;
  readonly apiKey: string | undefined;
  readonly apiUrl: string | undefined;
  /** The regions to try, in order (from `targets`, `DAYTONA_TARGETS`, `DAYTONA_TARGET`, or `["us", "eu"]`). */
  readonly targets: readonly string[];
  /** Errors besides "region not available" after which `ensure` tries the next region. */
  readonly fallbackOn: readonly RegionFallbackReason[];
  /** Start of the sandbox names `ensure` creates. */
  readonly sandboxNamePrefix: string;
  readonly defaultImage: string;
  readonly projectLabel: string;
  /** Root, upload cap and batch limits of every sandbox's fs facade. */
  readonly fs: FsSettings;
  /** The retry policy of idempotent calls, its bounds filled in. */
  readonly retry: RetryPolicy;
  /** Coordinated backoff on 429 (a copy of the option; its defaults are the throttle gate's). */
  readonly throttling: ThrottlingOptions;
  readonly onDispose: DisposeAction;
  readonly timeouts: Required<KitTimeouts>;
}

/** The image `ensure` uses when neither the request, the options nor `DAYTONA_DEFAULT_IMAGE` names one. */
export const DEFAULT_IMAGE = "python:3.12-slim-bookworm";

/**
 * Applies defaults and the environment; refuses contradictory or invalid settings. Everything is checked here,
 * once: types and ranges of every option (timeouts 1 to 2³¹−1 ms, retry attempts 1–20), the API URL (http or
 * https, with a path; an empty one is an error, never a fallback), the targets (an array of region names). So
 * `kit.check()` is Ok exactly when the options are usable. Each option is read once; nested objects are copied.
 * Never throws, whatever `options` is.
 */
export function resolveConfig(options: KitOptions): Result<ResolvedConfig, KitError> {
  if (!isPlainObject(options as unknown)) {
    return err(
      kitError.invalidArgument(
        "options",
        `createKit options must be an object or omitted, got ${describeValue(options)}.`,
      ),
    );
  }
  // One read of every field: a getter or a Proxy sees each once, and later changes to `options` change nothing.
  const given: { readonly [K in keyof KitOptions]-?: KitOptions[K] | undefined } = {
    driver: options.driver,
    apiKey: options.apiKey,
    apiUrl: options.apiUrl,
    targets: options.targets,
    fallbackOn: options.fallbackOn,
    sandboxNamePrefix: options.sandboxNamePrefix,
    daytonaClients: options.daytonaClients,
    useDeprecatedPolling: options.useDeprecatedPolling,
    defaultImage: options.defaultImage,
    projectLabel: options.projectLabel,
    root: options.root,
    uploadCapBytes: options.uploadCapBytes,
    batch: options.batch,
    retry: options.retry,
    throttling: options.throttling,
    timeouts: options.timeouts,
    onDispose: options.onDispose,
    localHome: options.localHome,
    onProgress: options.onProgress,
    env: options.env,
  };
  const checked = checkOptionFields(given)
    .andThen(() => checkTimeoutsOption(given.timeouts))
    .andThen(() => checkRetryPolicy(given.retry))
    .andThen(() => checkThrottlingOption(given.throttling))
    .andThen(() => checkFallbackOn(given.fallbackOn))
    .andThen(() => checkSandboxNamePrefix(given.sandboxNamePrefix));
  if (checked.isErr()) return err(checked.error);
  const env = given.env ?? process.env;
  const apiKey = given.apiKey ?? nonEmpty(env.DAYTONA_API_KEY);
  const enabled = /^(1|true|yes)$/i.test(env.DAYTONA_ENABLED ?? "");
  const driverKind =
    typeof given.driver === "object"
      ? "custom"
      : (given.driver ?? (given.apiKey !== undefined || enabled ? "daytona" : "local"));
  if (driverKind === "daytona" && !apiKey && !given.daytonaClients && !nonEmpty(env.DAYTONA_JWT_TOKEN)) {
    return err(
      kitError.auth(
        "The Daytona driver needs credentials: pass apiKey or set DAYTONA_API_KEY " +
          "(or unset DAYTONA_ENABLED to use the local driver).",
      ),
    );
  }
  const envUrl = nonEmpty(env.DAYTONA_API_URL);
  const apiUrl =
    given.apiUrl !== undefined
      ? checkApiUrl(given.apiUrl, "apiUrl")
      : envUrl === undefined
        ? ok(undefined)
        : checkApiUrl(envUrl, "DAYTONA_API_URL");
  if (apiUrl.isErr()) return err(apiUrl.error);
  const targets = resolveTargets({ targets: given.targets, env: env as NodeJS.ProcessEnv });
  if (targets.isErr()) return err(targets.error);
  const fs = resolveFsSettings(given);
  if (fs.isErr()) return err(fs.error);
  const defaultImage = checkString(
    given.defaultImage ?? nonEmpty(env.DAYTONA_DEFAULT_IMAGE) ?? DEFAULT_IMAGE,
    given.defaultImage === undefined ? "DAYTONA_DEFAULT_IMAGE" : "defaultImage",
  );
  if (defaultImage.isErr()) return err(defaultImage.error);
  const projectLabel = checkProjectLabel(given.projectLabel);
  if (projectLabel.isErr()) return err(projectLabel.error);
  const driver: ResolvedDriver =
    typeof given.driver === "object"
      ? { kind: "custom", driver: given.driver }
      : driverKind === "daytona"
        ? {
            kind: "daytona",
            options: {
              targets: targets.value,
              apiKey,
              apiUrl: apiUrl.value,
              // A copy: the driver looks clients up later, and must not read the caller's object then.
              clients: given.daytonaClients && { ...given.daytonaClients },
              useDeprecatedPolling: given.useDeprecatedPolling,
            },
          }
        : { kind: "local", options: { home: given.localHome, onProgress: given.onProgress } };
  const timeouts = given.timeouts ?? {};
  return ok({
    driverKind,
    driver,
    apiKey,
    apiUrl: apiUrl.value,
    targets: targets.value,
    fallbackOn: [...(given.fallbackOn ?? [])],
    sandboxNamePrefix: given.sandboxNamePrefix ?? DEFAULT_SANDBOX_NAME_PREFIX,
    defaultImage: defaultImage.value,
    projectLabel: projectLabel.value,
    fs: fs.value,
    retry: { ...DEFAULT_RETRY_POLICY, ...definedFields(given.retry ?? {}) },
    throttling: { ...given.throttling },
    onDispose: given.onDispose ?? "keep",
    timeouts: {
      ensureMs: timeouts.ensureMs ?? 180_000,
      lifecycleMs: timeouts.lifecycleMs ?? 120_000,
      execMs: timeouts.execMs ?? DEFAULT_EXEC_TIMEOUT_MS,
    },
  });
}

/** A copy of `value` without the fields set to `undefined` (so they cannot hide a default). */
function definedFields<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
