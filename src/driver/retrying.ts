/**
 * A driver decorator that retries what is safe to retry (DESIGN principle 5), so the fs facade, exec and the
 * provisioners get retries without knowing about them.
 *
 * Retried: reads (get, list, download, list files, stat, preview link), state changes that converge (start,
 * stop, delete, set labels, create folder) and byte uploads (the whole body is in memory, so it can be replayed).
 * Never retried: `create` (not idempotent: the lifecycle makes it "ensure" instead), `exec` (a command may have
 * run), `moveFile`, `deleteFile` (a lost answer would turn into a false NotFound), and `uploadLocalFile` (a stream).
 * @module
 */
import type { ResultAsync } from "neverthrow";
import type { KitError } from "../errors.js";
import { type RetryPolicy, retryResult } from "../policy/retry.js";
import type { SandboxDriver } from "./types.js";

/** Wraps `driver` so its idempotent calls are retried under `policy`. */
export function withRetries(driver: SandboxDriver, policy: RetryPolicy = {}): SandboxDriver {
  const retry = <T>(operation: string, run: () => ResultAsync<T, KitError>, signal?: AbortSignal) =>
    retryResult(operation, () => run(), { ...policy, ...(signal ? { signal } : {}) });
  return {
    name: driver.name,
    create: (spec) => driver.create(spec),
    get: (id) => retry("get sandbox", () => driver.get(id)),
    list: (query) => retry("list sandboxes", () => driver.list(query)),
    start: (id, wait) => retry("start sandbox", () => driver.start(id, wait), wait.signal),
    stop: (id, wait) => retry("stop sandbox", () => driver.stop(id, wait), wait.signal),
    delete: (id, wait) => retry("delete sandbox", () => driver.delete(id, wait), wait.signal),
    setLabels: (id, labels) => retry("set labels", () => driver.setLabels(id, labels)),
    uploadFiles: (id, files, options) =>
      retry("upload files", () => driver.uploadFiles(id, files, options), options?.signal),
    uploadLocalFile: (id, localPath, remotePath) => driver.uploadLocalFile(id, localPath, remotePath),
    downloadFiles: (id, paths) => retry("download files", () => driver.downloadFiles(id, paths)),
    listFiles: (id, path) => retry("list files", () => driver.listFiles(id, path)),
    fileInfo: (id, path) => retry("stat file", () => driver.fileInfo(id, path)),
    createFolder: (id, path, mode) => retry("create folder", () => driver.createFolder(id, path, mode)),
    deleteFile: (id, path, recursive) => driver.deleteFile(id, path, recursive),
    moveFile: (id, source, destination) => driver.moveFile(id, source, destination),
    exec: (id, request) => driver.exec(id, request),
    previewLink: (id, port) => retry("preview link", () => driver.previewLink(id, port)),
    dispose: () => driver.dispose(),
  };
}
