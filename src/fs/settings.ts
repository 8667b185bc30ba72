/**
 * The fs facade's settings — root, upload cap, batch limits — defaulted and checked here, once. `createKit` resolves
 * them with its other options; a standalone `createSandboxFs` resolves them when it is built.
 * @module
 */
import { err, ok, Result } from "neverthrow";
import { SANDBOX_WORKDIR } from "../defaults.js";
import { type KitError, kitError } from "../errors.js";
import { describeValue } from "../validate/describe.js";
import { checkInteger } from "../validate/numbers.js";
import { isPlainObject } from "../validate/options.js";
import { checkString } from "../validate/strings.js";
import type { BatchLimits } from "./batch.js";
import { validateRoot } from "./paths.js";
import { type BatchOptions, DEFAULT_UPLOAD_CAP_BYTES } from "./types.js";

/** The fs facade's settings with every default applied. */
export interface FsSettings {
  /** Every path lives under this directory (absolute, normalized). */
  readonly root: string;
  /** Largest body sent in one request, in bytes. */
  readonly uploadCapBytes: number;
  /** Limits of `writeFiles`; `maxBytes` is never above the cap. */
  readonly batch: BatchLimits;
}

/** The settings as a caller gives them (from JavaScript: anything). */
export interface FsSettingsInput {
  readonly root?: unknown;
  readonly uploadCapBytes?: unknown;
  readonly batch?: unknown;
}

const DEFAULT_MAX_FILES = 50;
const DEFAULT_CONCURRENCY = 4;

/**
 * Applies the defaults (`/workspace`, 5 MiB, 50 files and 4 requests at once) and refuses a relative root, a cap or
 * limit that is not a positive integer, or a `batch` that is not an object.
 *
 * @example
 * ```ts
 * resolveFsSettings({}) // => Ok({ root: "/workspace", uploadCapBytes: 5242880, batch: { maxFiles: 50, … } })
 * resolveFsSettings({ root: "workspace" }) // => Err(InvalidArgument "root")
 * ```
 */
export function resolveFsSettings(input: FsSettingsInput): Result<FsSettings, KitError> {
  return Result.combine([
    checkString(input.root ?? SANDBOX_WORKDIR, "root").andThen(validateRoot),
    checkInteger(
      input.uploadCapBytes ?? DEFAULT_UPLOAD_CAP_BYTES,
      "uploadCapBytes",
      1,
      Number.MAX_SAFE_INTEGER,
    ),
    checkBatch(input.batch),
  ]).map(([root, uploadCapBytes, batch]) => ({
    root,
    uploadCapBytes,
    batch: {
      maxFiles: batch.maxFiles ?? DEFAULT_MAX_FILES,
      maxBytes: Math.min(batch.maxBytes ?? uploadCapBytes, uploadCapBytes),
      concurrency: batch.concurrency ?? DEFAULT_CONCURRENCY,
    },
  }));
}

function checkBatch(value: unknown): Result<BatchOptions, KitError> {
  if (value === undefined) return ok({});
  if (!isPlainObject(value)) {
    return err(kitError.invalidArgument("batch", `batch must be an object, got ${describeValue(value)}.`));
  }
  for (const key of ["maxFiles", "maxBytes", "concurrency"] as const) {
    if (value[key] === undefined) continue;
    const checked = checkInteger(value[key], `batch.${key}`, 1, Number.MAX_SAFE_INTEGER);
    if (checked.isErr()) return err(checked.error);
  }
  return ok(value as BatchOptions);
}
