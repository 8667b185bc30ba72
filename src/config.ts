/**
 * Options of `createKit`, and how they combine with the environment (the seed's DAYTONA_* variables).
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import type { DaytonaClientLike } from "./driver/daytona/client.js";
import type { SandboxDriver } from "./driver/types.js";
import { type KitError, kitError } from "./errors.js";
import type { BatchOptions } from "./fs/types.js";
import type { RetryPolicy } from "./policy/retry.js";
import type { DisposeAction } from "./sandbox/handle.js";

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

/** Options after defaults and the environment were applied. */
export interface ResolvedConfig {
  readonly driverKind: "daytona" | "local" | "custom";
  readonly apiKey: string | undefined;
  readonly apiUrl: string | undefined;
  readonly defaultImage: string;
  readonly projectLabel: string;
  readonly root: string;
  readonly uploadCapBytes: number;
  readonly timeouts: Required<KitTimeouts>;
}

/** The image of the seed's sandboxes. */
export const DEFAULT_IMAGE = "python:3.12-slim-bookworm";
const MiB = 1024 * 1024;

/** Applies defaults and the environment; refuses contradictory or invalid settings. */
export function resolveConfig(options: KitOptions): Result<ResolvedConfig, KitError> {
  const env = options.env ?? process.env;
  const apiKey = options.apiKey ?? nonEmpty(env.DAYTONA_API_KEY);
  const enabled = /^(1|true|yes)$/i.test(env.DAYTONA_ENABLED ?? "");
  const driverKind =
    typeof options.driver === "object"
      ? "custom"
      : (options.driver ?? (options.apiKey !== undefined || enabled ? "daytona" : "local"));
  if (driverKind === "daytona" && !apiKey && !options.daytonaClients && !nonEmpty(env.DAYTONA_JWT_TOKEN)) {
    return err(
      kitError.auth(
        "The Daytona driver needs credentials: pass apiKey or set DAYTONA_API_KEY " +
          "(or unset DAYTONA_ENABLED to use the local driver).",
      ),
    );
  }
  const cap = options.uploadCapBytes ?? 5 * MiB;
  if (!(Number.isInteger(cap) && cap > 0)) {
    return err(
      kitError.invalidArgument("uploadCapBytes", `uploadCapBytes must be a positive integer, got ${cap}.`),
    );
  }
  const root = options.root ?? "/workspace";
  if (!root.startsWith("/") || root.includes("\0") || root.split("/").includes("..")) {
    return err(kitError.invalidArgument("root", `root must be an absolute path without "..", got ${root}.`));
  }
  const timeouts = {
    ensureMs: options.timeouts?.ensureMs ?? 180_000,
    lifecycleMs: options.timeouts?.lifecycleMs ?? 120_000,
    execMs: options.timeouts?.execMs ?? 60_000,
  };
  for (const [name, value] of Object.entries(timeouts)) {
    if (!(Number.isFinite(value) && value > 0)) {
      return err(kitError.invalidArgument(`timeouts.${name}`, `timeouts.${name} must be a positive number.`));
    }
  }
  return ok({
    driverKind,
    apiKey,
    apiUrl: options.apiUrl ?? nonEmpty(env.DAYTONA_API_URL),
    defaultImage: options.defaultImage ?? nonEmpty(env.DAYTONA_DEFAULT_IMAGE) ?? DEFAULT_IMAGE,
    projectLabel: options.projectLabel ?? "apex.project",
    root: root.length > 1 ? root.replace(/\/+$/, "") : root,
    uploadCapBytes: cap,
    timeouts,
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
