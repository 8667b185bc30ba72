/**
 * The port's file operations over one sandbox of the shared model (`fs-state.ts`, the emulator's daemon rules):
 * uploads create missing parents, a missing file is a per-path `NotFound` in downloads, a directory is deleted only
 * with `recursive`, a move never overwrites.
 */
import { err, ok, type Result } from "neverthrow";
import type { DownloadOutcome, FileEntry, UploadEntry } from "../driver/types.js";
import { type KitError, kitError } from "../errors.js";
import {
  type EmulatedFileInfo,
  fileInfo,
  isFsFailure,
  listDir,
  mkdirp,
  move,
  remove,
  resolvePath,
  writeFile,
} from "./fs-state.js";
import { fsError } from "./memory-errors.js";
import { stamp } from "./state.js";
import type { SandboxRecord } from "./types.js";

/** The port's `FileEntry` for the daemon's `FileInfo` (`"0644"` → `"644"`). */
function toEntry(info: EmulatedFileInfo, path: string): FileEntry {
  return {
    name: info.name,
    path: info.path ?? path,
    isDir: info.isDir,
    size: info.size,
    mode: info.permissions.replace(/^0(?=\d{3}$)/, ""),
    modifiedAt: info.modifiedAt,
  };
}

/** Writes every entry (bytes only; each is copied, as the caller may reuse its buffer). */
export function uploadTo(box: SandboxRecord, files: readonly UploadEntry[]): Result<void, KitError> {
  for (const file of files) {
    if (typeof file !== "object" || file === null || typeof file.path !== "string" || file.path === "") {
      return err(kitError.invalidArgument("files", "Each upload needs a non-empty string path."));
    }
    // The port's rule: a string body would be read as a local path by the SDK, so only bytes get through.
    if (!(file.data instanceof Uint8Array)) {
      return err(
        kitError.invalidArgument("data", `Upload of ${file.path} got ${typeof file.data}, not bytes.`),
      );
    }
    const path = resolvePath(file.path);
    const failure = writeFile(box, path, new Uint8Array(file.data));
    if (failure) return err(fsError(failure, path));
  }
  box.updatedAt = stamp();
  return ok(undefined);
}

/** One outcome per path: the bytes, `NotFound` for a missing file, `InvalidArgument` for a directory. */
export function downloadFrom(box: SandboxRecord, paths: readonly string[]): DownloadOutcome[] {
  return paths.map((requested): DownloadOutcome => {
    const path = resolvePath(requested);
    const bytes = box.files.get(path);
    if (bytes) return { path: requested, ok: true, data: bytes.slice() };
    const error = box.dirs.has(path)
      ? kitError.invalidArgument("path", `invalid file path: path points to a directory: ${requested}`, {
          status: 400,
        })
      : kitError.notFound("file", requested);
    return { path: requested, ok: false, error };
  });
}

/** A directory's direct children. */
export function listFilesIn(box: SandboxRecord, path: string): Result<FileEntry[], KitError> {
  const entries = listDir(box, resolvePath(path), 1);
  return isFsFailure(entries)
    ? err(fsError(entries, path))
    : ok(entries.map((entry) => toEntry(entry, `${path}/${entry.name}`)));
}

/** One path's details. */
export function fileEntryOf(box: SandboxRecord, path: string): Result<FileEntry, KitError> {
  const info = fileInfo(box, resolvePath(path));
  return isFsFailure(info) ? err(fsError(info, path)) : ok(toEntry(info, path));
}

/** Creates a directory and its parents. */
export function folderIn(box: SandboxRecord, path: string): Result<void, KitError> {
  const failure = mkdirp(box, resolvePath(path));
  return failure ? err(fsError(failure, path)) : ok(undefined);
}

/** Deletes a file, or a directory when `recursive` is exactly `true`. */
export function deleteFileIn(box: SandboxRecord, path: string, recursive: boolean): Result<void, KitError> {
  const failure = remove(box, resolvePath(path), recursive === true);
  return failure ? err(fsError(failure, path)) : ok(undefined);
}

/**
 * Moves a file or a tree; the destination must not exist, unless `overwrite`: then a file replaces a file (as
 * `mv -f -T` does; one synchronous step here, so as atomic as a rename).
 */
export function moveFileIn(
  box: SandboxRecord,
  source: string,
  destination: string,
  overwrite = false,
): Result<void, KitError> {
  const from = resolvePath(source);
  const to = resolvePath(destination);
  if (overwrite && box.files.has(to) && box.files.has(from)) remove(box, to, false);
  else if (overwrite && box.dirs.has(to)) {
    return err(kitError.invalidArgument("path", `${destination}: Is a directory`));
  }
  const failure = move(box, from, to);
  return failure ? err(fsError(failure, failure.status === 409 ? destination : source)) : ok(undefined);
}
