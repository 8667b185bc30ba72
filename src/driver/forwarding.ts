/**
 * The identity decorator: every call handed to `driver` unchanged. Decorators spread it and override only the
 * calls they change, so a method added to the port is forwarded by all of them at once.
 * @module
 */
import type { ResultAsync } from "neverthrow";
import type { KitError } from "../errors.js";
import type { PrebakeCapable, PrebakeOptions, PrebakePlan } from "./prebake-types.js";
import type { SandboxDriver } from "./types.js";

/** How a decorator wraps the prebake calls it passes on (the identity when it adds nothing). */
export interface PrebakeWrappers {
  prebake?(
    plan: PrebakePlan,
    options: PrebakeOptions,
    run: (options: PrebakeOptions) => ReturnType<PrebakeCapable["prebake"]>,
  ): ReturnType<PrebakeCapable["prebake"]>;
  /** Wraps a call that only reads (listing prebaked images): safe to resend. */
  read?<T>(operation: string, run: () => ResultAsync<T, KitError>): ResultAsync<T, KitError>;
  /** Wraps a call that changes state (deleting a prebaked image): a lost answer must not be resent blindly. */
  write?<T>(operation: string, run: () => ResultAsync<T, KitError>): ResultAsync<T, KitError>;
}

/**
 * The optional prebake methods of `driver`, passed on through `wrap`: only those `driver` has, so a decorated
 * driver without prebake still answers `Unsupported` at the kit (never a method that was invented here).
 */
export function prebakeMethods(driver: SandboxDriver, wrap: PrebakeWrappers = {}): Partial<PrebakeCapable> {
  const { prebake, listPrebaked, deletePrebaked } = driver;
  const read = <T>(operation: string, run: () => ResultAsync<T, KitError>) =>
    wrap.read ? wrap.read(operation, run) : run();
  const write = <T>(operation: string, run: () => ResultAsync<T, KitError>) =>
    wrap.write ? wrap.write(operation, run) : run();
  return {
    ...(prebake
      ? {
          prebake: (plan: PrebakePlan, options: PrebakeOptions) =>
            wrap.prebake
              ? wrap.prebake(plan, options, (opts) => prebake.call(driver, plan, opts))
              : prebake.call(driver, plan, options),
        }
      : {}),
    ...(listPrebaked
      ? {
          listPrebaked: (prefix: string) =>
            read("list prebaked images", () => listPrebaked.call(driver, prefix)),
        }
      : {}),
    ...(deletePrebaked
      ? {
          deletePrebaked: (name: string) =>
            write(`delete prebaked image ${name}`, () => deletePrebaked.call(driver, name)),
        }
      : {}),
  };
}

/** A driver that forwards every call to `driver`. */
export function forwardingDriver(driver: SandboxDriver): SandboxDriver {
  return {
    name: driver.name,
    create: (spec) => driver.create(spec),
    get: (id) => driver.get(id),
    list: (query) => driver.list(query),
    start: (id, wait) => driver.start(id, wait),
    stop: (id, wait) => driver.stop(id, wait),
    delete: (id, wait) => driver.delete(id, wait),
    setLabels: (id, labels) => driver.setLabels(id, labels),
    uploadFiles: (id, files, options) => driver.uploadFiles(id, files, options),
    uploadLocalFile: (id, localPath, remotePath) => driver.uploadLocalFile(id, localPath, remotePath),
    downloadFiles: (id, paths) => driver.downloadFiles(id, paths),
    listFiles: (id, path) => driver.listFiles(id, path),
    fileInfo: (id, path) => driver.fileInfo(id, path),
    createFolder: (id, path, mode) => driver.createFolder(id, path, mode),
    deleteFile: (id, path, recursive) => driver.deleteFile(id, path, recursive),
    moveFile: (id, source, destination, options) => driver.moveFile(id, source, destination, options),
    exec: (id, request) => driver.exec(id, request),
    previewLink: (id, port) => driver.previewLink(id, port),
    dispose: () => driver.dispose(),
    ...prebakeMethods(driver),
  };
}
