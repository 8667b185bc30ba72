/**
 * A driver decorator that puts every driver call made outside a public call's scope (a handle's fs, exec,
 * provisioner and lifecycle calls) under a scope of its own: a deadline, the caller's signal and the kit's
 * lifetime signal, which `dispose()` fires. Inside an existing scope (during `ensure`, say) calls pass through
 * under that scope. Either way the scope's signal also reaches the driver's own `signal` parameters, so a driver
 * that cancels work itself (the local driver's processes) stops too.
 * @module
 */
import type { ResultAsync } from "neverthrow";
import type { KitError } from "../errors.js";
import { currentScope, withScope } from "../policy/deadline.js";
import { prebakeMethods } from "./forwarding.js";
import type { SandboxDriver } from "./types.js";

/** How the scoped driver bounds calls. */
export interface CallScopeSettings {
  /** Fired by the kit's `dispose()`: every call in flight settles `Aborted`. */
  readonly lifetime: AbortSignal;
  /** The deadline of a call that names none (reads, file operations). */
  readonly defaultMs: number;
  /** Extra time an exec request gets beyond the command's own timeout, for the server to answer it. */
  readonly execGraceMs?: number;
}

/** Wraps `driver` so each call runs under a deadline and ends with the kit. */
export function withCallScopes(driver: SandboxDriver, settings: CallScopeSettings): SandboxDriver {
  const grace = settings.execGraceMs ?? 10_000;
  const scoped = <T>(
    operation: string,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    run: (signal: AbortSignal | undefined) => ResultAsync<T, KitError>,
  ): ResultAsync<T, KitError> => {
    const ambient = currentScope();
    if (ambient) return run(merge(signal, ambient.signal));
    return withScope({ operation, timeoutMs, signals: [signal, settings.lifetime] }, () =>
      run(merge(signal, currentScope()?.signal)),
    );
  };
  const plain = <T>(operation: string, run: () => ResultAsync<T, KitError>) =>
    scoped(operation, settings.defaultMs, undefined, () => run());

  return {
    name: driver.name,
    create: (spec) =>
      scoped("create sandbox", spec.timeoutMs, spec.signal, (signal) =>
        driver.create({ ...spec, ...(signal ? { signal } : {}) }),
      ),
    get: (id) => plain(`get sandbox ${id}`, () => driver.get(id)),
    list: (query) => plain("list sandboxes", () => driver.list(query)),
    start: (id, wait) =>
      scoped(`start sandbox ${id}`, wait.timeoutMs, wait.signal, (signal) =>
        driver.start(id, { ...wait, ...(signal ? { signal } : {}) }),
      ),
    stop: (id, wait) =>
      scoped(`stop sandbox ${id}`, wait.timeoutMs, wait.signal, (signal) =>
        driver.stop(id, { ...wait, ...(signal ? { signal } : {}) }),
      ),
    delete: (id, wait) =>
      scoped(`delete sandbox ${id}`, wait.timeoutMs, wait.signal, (signal) =>
        driver.delete(id, { ...wait, ...(signal ? { signal } : {}) }),
      ),
    setLabels: (id, labels) => plain(`set labels of ${id}`, () => driver.setLabels(id, labels)),
    uploadFiles: (id, files, options) =>
      scoped("upload files", settings.defaultMs, options?.signal, (signal) =>
        driver.uploadFiles(id, files, { ...options, ...(signal ? { signal } : {}) }),
      ),
    uploadLocalFile: (id, localPath, remotePath) =>
      plain("upload local file", () => driver.uploadLocalFile(id, localPath, remotePath)),
    downloadFiles: (id, paths) => plain("download files", () => driver.downloadFiles(id, paths)),
    listFiles: (id, path) => plain(`list ${path}`, () => driver.listFiles(id, path)),
    fileInfo: (id, path) => plain(`stat ${path}`, () => driver.fileInfo(id, path)),
    createFolder: (id, path, mode) =>
      plain(`create folder ${path}`, () => driver.createFolder(id, path, mode)),
    deleteFile: (id, path, recursive) =>
      plain(`delete ${path}`, () => driver.deleteFile(id, path, recursive)),
    moveFile: (id, source, destination, options) =>
      plain(`move ${source}`, () => driver.moveFile(id, source, destination, options)),
    exec: (id, request) =>
      scoped(`exec ${request.command}`, request.timeoutMs + grace, request.signal, (signal) =>
        driver.exec(id, { ...request, ...(signal ? { signal } : {}) }),
      ),
    previewLink: (id, port) => plain(`preview link for port ${port}`, () => driver.previewLink(id, port)),
    dispose: () => driver.dispose(),
    ...prebakeMethods(driver, {
      prebake: (plan, options, run) =>
        scoped(`prebake ${plan.name}`, options.timeoutMs, options.signal, (signal) =>
          run({ ...options, ...(signal ? { signal } : {}) }),
        ),
      read: (operation, run) => plain(operation, run),
      write: (operation, run) => plain(operation, run),
    }),
  };
}

function merge(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (!a) return b;
  if (!b || a === b) return a;
  return AbortSignal.any([a, b]);
}
