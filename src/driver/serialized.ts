/**
 * A driver decorator that runs the state changes of one sandbox (start, stop, delete) one after another.
 *
 * Why: Daytona's SDK waits for the state it asked for. A `stop()` racing a `start()` on the same sandbox leaves one
 * of them polling a state that will never come until its timeout (60 s by default). In one process that race is
 * avoidable, so the kit avoids it; different sandboxes still change state in parallel.
 * @module
 */
import { ResultAsync } from "neverthrow";
import type { KitError } from "../errors.js";
import type { SandboxDriver } from "./types.js";

/** Wraps `driver` so start/stop/delete of the same sandbox id never overlap. */
export function withSerializedLifecycle(driver: SandboxDriver): SandboxDriver {
  const tails = new Map<string, Promise<unknown>>();
  const serialize = <T>(id: string, run: () => ResultAsync<T, KitError>): ResultAsync<T, KitError> => {
    const previous = tails.get(id) ?? Promise.resolve();
    const current = previous.then(() => run());
    const tail = current.then(
      () => undefined,
      () => undefined,
    );
    tails.set(id, tail);
    void tail.then(() => {
      if (tails.get(id) === tail) tails.delete(id);
    });
    return new ResultAsync(current);
  };
  return {
    name: driver.name,
    create: (spec) => driver.create(spec),
    get: (id) => driver.get(id),
    list: (query) => driver.list(query),
    start: (id, wait) => serialize(id, () => driver.start(id, wait)),
    stop: (id, wait) => serialize(id, () => driver.stop(id, wait)),
    delete: (id, wait) => serialize(id, () => driver.delete(id, wait)),
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
  };
}
