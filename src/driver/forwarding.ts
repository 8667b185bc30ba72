/**
 * The identity decorator: every call handed to `driver` unchanged. Decorators spread it and override only the
 * calls they change, so a method added to the port is forwarded by all of them at once.
 * @module
 */
import type { SandboxDriver } from "./types.js";

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
  };
}
