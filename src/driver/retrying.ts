/**
 * A driver decorator that retries only what is safe to retry (never a create), so the fs facade, exec and the
 * provisioners get retries without knowing about them.
 *
 * Retried: reads (get, list, download, list files, stat, preview link), set labels, create folder and byte
 * uploads (the whole body is in memory, so it can be replayed). start/stop/delete CONVERGE instead (see
 * `./converge.ts`): after a failure the state is observed, and the request is sent again only when nothing is
 * under way. `exec` is retried only when the server certainly did not run the command: a 429, or a connection
 * refused before the request was sent.
 * Never retried: `create` (not idempotent: the lifecycle makes it "ensure" instead), `moveFile`, `deleteFile`
 * (a lost answer would turn into a false NotFound), and `uploadLocalFile` (a stream).
 * @module
 */
import { ResultAsync } from "neverthrow";
import type { KitError } from "../errors.js";
import { type RetryPolicy, retryResult } from "../policy/retry.js";
import type { RetryQuota } from "../policy/retry-quota.js";
import { converge } from "./converge.js";
import { prebakeMethods } from "./forwarding.js";
import type { SandboxDriver } from "./types.js";

/** Connection failures raised before a byte was written: the server cannot have seen the request. */
const NOT_SENT = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL)\b/;

/**
 * Whether the server certainly did not act on a request that failed with `error`: a 429 (refused before any work)
 * or a connection that was never made. Anything else (a 5xx, a reset, a timeout) may follow a command that ran.
 */
export function certainlyNotProcessed(error: KitError): boolean {
  if (error.kind === "RateLimited") return true;
  if (error.kind !== "Transient" || error.status !== undefined) return false;
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const code = typeof cause?.code === "string" ? cause.code : "";
  const text = `${code} ${typeof cause?.message === "string" ? cause.message : ""} ${error.message}`;
  return NOT_SENT.test(text);
}

/**
 * Wraps `driver` so its idempotent calls are retried under `policy`; with a `quota`, every retry also spends from
 * that shared budget (none once it is empty).
 */
export function withRetries(
  driver: SandboxDriver,
  policy: RetryPolicy = {},
  quota?: RetryQuota,
): SandboxDriver {
  const retry = <T>(operation: string, run: () => ResultAsync<T, KitError>, signal?: AbortSignal) =>
    retryResult(operation, () => run(), { ...policy, quota, ...(signal ? { signal } : {}) });
  const get = (id: string) => retry("get sandbox", () => driver.get(id));
  const lifecycle =
    (verb: "start" | "stop" | "delete") => (id: string, wait: { timeoutMs: number; signal?: AbortSignal }) =>
      new ResultAsync(converge({ driver, observe: get, policy }, verb, id, wait));
  return {
    name: driver.name,
    create: (spec) => driver.create(spec),
    get,
    list: (query) => retry("list sandboxes", () => driver.list(query)),
    start: (id, wait) => lifecycle("start")(id, wait).map((info) => info as NonNullable<typeof info>),
    stop: (id, wait) => lifecycle("stop")(id, wait).map((info) => info as NonNullable<typeof info>),
    delete: (id, wait) => lifecycle("delete")(id, wait).map(() => undefined),
    setLabels: (id, labels) => retry("set labels", () => driver.setLabels(id, labels)),
    uploadFiles: (id, files, options) =>
      retry("upload files", () => driver.uploadFiles(id, files, options), options?.signal),
    uploadLocalFile: (id, localPath, remotePath) => driver.uploadLocalFile(id, localPath, remotePath),
    downloadFiles: (id, paths) => retry("download files", () => driver.downloadFiles(id, paths)),
    listFiles: (id, path) => retry("list files", () => driver.listFiles(id, path)),
    fileInfo: (id, path) => retry("stat file", () => driver.fileInfo(id, path)),
    createFolder: (id, path, mode) => retry("create folder", () => driver.createFolder(id, path, mode)),
    deleteFile: (id, path, recursive) => driver.deleteFile(id, path, recursive),
    moveFile: (id, source, destination, options) => driver.moveFile(id, source, destination, options),
    exec: (id, request) =>
      retryResult(`exec ${request.command}`, () => driver.exec(id, request), {
        ...policy,
        ...(request.signal ? { signal: request.signal } : {}),
        retryIf: certainlyNotProcessed,
        quota,
      }),
    previewLink: (id, port) => retry("preview link", () => driver.previewLink(id, port)),
    dispose: () => driver.dispose(),
    // Listing is a read (retried); a prebake waits out its own build and adopts a name another caller won, so it
    // is passed on as it is, and so is a delete (a lost answer would turn into a false NotFound).
    ...prebakeMethods(driver, {
      read: (operation, run) => retry(operation, run),
    }),
  };
}
