/**
 * Batching for bulk uploads: files are packed, in input order, into requests bounded by a file count and a byte
 * total, then sent with bounded concurrency. A failed request fails only its own files.
 * @module
 */
import pLimit from "p-limit";
import { unexpectedThrow } from "../boundary.js";
import type { SandboxDriver, UploadEntry } from "../driver/types.js";
import { type KitError, kitError } from "../errors.js";
import type { FailedWrite, WriteFilesReport } from "./types.js";

/** Resolved batch limits. */
export interface BatchLimits {
  readonly maxFiles: number;
  readonly maxBytes: number;
  readonly concurrency: number;
}

/**
 * Packs entries greedily in input order: a batch closes when the next file would exceed `maxFiles` or `maxBytes`.
 * Every entry must already be at most `maxBytes` (the facade checks the cap first).
 *
 * For files that never hit the byte limit the number of requests is `ceil(n / maxFiles)`:
 * 250 small files with the default 50 per request are 5 requests.
 *
 * @example
 * ```ts
 * planBatches(entries, { maxFiles: 50, maxBytes: 5 * 1024 * 1024 }).length // => 5 for 250 × 1 KiB
 * ```
 */
export function planBatches<T extends { readonly data: Uint8Array }>(
  entries: readonly T[],
  limits: Pick<BatchLimits, "maxFiles" | "maxBytes">,
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entry.data.byteLength;
    if (current.length > 0 && (current.length >= limits.maxFiles || bytes + size > limits.maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Sends the planned batches with at most `concurrency` requests in flight and reports per file.
 * Never rejects: a thrown driver bug becomes an `Unexpected` failure of that batch.
 */
export async function uploadInBatches(
  driver: SandboxDriver,
  sandboxId: string,
  entries: readonly UploadEntry[],
  limits: BatchLimits,
  signal?: AbortSignal,
): Promise<WriteFilesReport> {
  const batches = planBatches(entries, limits);
  const limit = pLimit(limits.concurrency);
  const outcomes = await Promise.all(
    batches.map((batch) =>
      limit(async (): Promise<{ batch: UploadEntry[]; error?: KitError; sent: boolean }> => {
        if (signal?.aborted)
          return { batch, sent: false, error: kitError.aborted("writeFiles", signal.reason) };
        try {
          const result = await driver.uploadFiles(sandboxId, batch, signal ? { signal } : undefined);
          return result.isOk() ? { batch, sent: true } : { batch, sent: true, error: result.error };
        } catch (cause) {
          return {
            batch,
            sent: true,
            error: unexpectedThrow("A bulk upload", cause),
          };
        }
      }),
    ),
  );
  const failedByPath = new Map<string, KitError>();
  let requests = 0;
  for (const outcome of outcomes) {
    if (outcome.sent) requests++;
    if (outcome.error) for (const entry of outcome.batch) failedByPath.set(entry.path, outcome.error);
  }
  const written: string[] = [];
  const failed: FailedWrite[] = [];
  for (const entry of entries) {
    const error = failedByPath.get(entry.path);
    if (error) failed.push({ path: entry.path, error });
    else written.push(entry.path);
  }
  return { complete: failed.length === 0, written, failed, requests };
}
