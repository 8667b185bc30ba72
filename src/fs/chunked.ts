/**
 * Uploads bodies larger than the cap: parts under the cap go into a hidden directory next to the destination, are
 * joined in order with `cat` into a hidden temp file, verified with `sha256sum` against the SHA-256 computed here,
 * and only then renamed into place. On any failure the destination is untouched and the parts and temp file are
 * removed (best effort: a sandbox that died keeps its `.kit-*` leftovers).
 * @module
 */
import { createHash } from "node:crypto";
import { errAsync, okAsync, type Result, ResultAsync } from "neverthrow";
import type { SandboxDriver, UploadEntry } from "../driver/types.js";
import { type KitError, kitError } from "../errors.js";
import type { Exec } from "../exec/types.js";
import { shellQuote } from "../shell/quote.js";
import { uploadInBatches } from "./batch.js";
import { joinPath, parentOf } from "./paths.js";
import { tempSibling } from "./temp-names.js";

/** What {@link uploadChunked} needs. */
export interface ChunkedUpload {
  readonly driver: SandboxDriver;
  readonly sandboxId: string;
  readonly exec: Exec;
  /** Absolute, validated destination path. */
  readonly destination: string;
  readonly data: Uint8Array;
  /** Largest part, in bytes (the upload cap). */
  readonly partBytes: number;
  /** Part uploads in flight at once. */
  readonly concurrency: number;
  readonly signal?: AbortSignal;
}

/** Join and hash run at no less than this speed before the command is considered stuck. */
const JOIN_BYTES_PER_SECOND = 10 * 1024 * 1024;
const MIN_JOIN_TIMEOUT_MS = 60_000;

/** Splits `data` into views of at most `partBytes` bytes (no copies). */
export function splitIntoParts(data: Uint8Array, partBytes: number): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (let offset = 0; offset < data.byteLength; offset += partBytes) {
    parts.push(data.subarray(offset, Math.min(offset + partBytes, data.byteLength)));
  }
  return parts;
}

/**
 * The command that joins the parts in order into `target` and prints its SHA-256. Every path is absolute, so none
 * can be read as an option (no `--` needed, which minimal shells and busybox tools do not all accept).
 */
export function joinCommand(partPaths: readonly string[], target: string): string {
  return `cat ${partPaths.map(shellQuote).join(" ")} > ${shellQuote(target)} && sha256sum ${shellQuote(target)}`;
}

/**
 * Runs the whole chunked upload. The destination is written only by the final rename.
 *
 * @example
 * ```ts
 * await uploadChunked({ driver, sandboxId, exec, destination: "/workspace/big.bin", data, partBytes: 5 << 20, concurrency: 4 });
 * ```
 */
export function uploadChunked(job: ChunkedUpload): ResultAsync<void, KitError> {
  const { driver, sandboxId, destination, signal } = job;
  const expected = createHash("sha256").update(job.data).digest("hex");
  const partsDir = tempSibling(destination, "parts");
  const joined = tempSibling(destination, "tmp");
  const parts: UploadEntry[] = splitIntoParts(job.data, job.partBytes).map((data, index) => ({
    path: joinPath(partsDir, `part-${String(index).padStart(6, "0")}`),
    data,
  }));
  const checkAbort = (): ResultAsync<void, KitError> =>
    signal?.aborted ? errAsync(kitError.aborted("chunked upload", signal.reason)) : okAsync(undefined);

  const work = checkAbort()
    .andThen(() => driver.createFolder(sandboxId, partsDir, "700"))
    .andThen(() =>
      ResultAsync.fromSafePromise(
        uploadInBatches(
          driver,
          sandboxId,
          parts,
          { maxFiles: 1, maxBytes: job.partBytes, concurrency: job.concurrency },
          signal,
        ),
      ),
    )
    .andThen((report) => (report.failed[0] ? errAsync(report.failed[0].error) : okAsync(undefined)))
    .andThen(checkAbort)
    .andThen(() =>
      job.exec(
        joinCommand(
          parts.map((p) => p.path),
          joined,
        ),
        {
          // The destination's directory surely exists (the parts directory was just made in it); the exec's
          // default cwd may not, when the fs root differs from it.
          cwd: parentOf(destination),
          timeoutMs: Math.max(
            MIN_JOIN_TIMEOUT_MS,
            Math.ceil((job.data.byteLength / JOIN_BYTES_PER_SECOND) * 2_000),
          ),
          ...(signal ? { signal } : {}),
        },
      ),
    )
    .andThen((result) => {
      const actual = /\b([0-9a-f]{64})\b/.exec(result.output)?.[1];
      if (actual === expected) return okAsync(undefined);
      return errAsync(
        kitError.unexpected(
          `Chunked upload of ${destination} failed verification: SHA-256 in the sandbox is ${actual ?? "missing"}, ` +
            `expected ${expected}. The destination was not touched.`,
        ),
      );
    })
    .andThen(checkAbort)
    .andThen(() => driver.moveFile(sandboxId, joined, destination, { overwrite: true }));

  // Clean up whatever the outcome; cleanup failures never mask the real result.
  const cleaned: Promise<Result<void, KitError>> = Promise.resolve(work).then(async (result) => {
    await ignoreErrors(driver.deleteFile(sandboxId, partsDir, true));
    if (result.isErr()) await ignoreErrors(driver.deleteFile(sandboxId, joined, false));
    return result;
  });
  return ResultAsync.fromSafePromise<Result<void, KitError>, KitError>(cleaned).andThen((result) => result);
}

async function ignoreErrors(result: ResultAsync<void, KitError>): Promise<void> {
  try {
    await result;
  } catch {
    // A throwing driver is a bug elsewhere; cleanup is best effort.
  }
}
