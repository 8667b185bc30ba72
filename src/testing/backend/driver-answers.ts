/**
 * How the driver back end words a driver's `KitError` as Daytona would: the API's status and message for the control
 * plane, the daemon's status, code and message for the toolbox, the daemon's `FileInfo` for a driver's `FileEntry`.
 * The codes match what the in-memory back end answers for the same situation (a missing file is 404
 * `FILE_NOT_FOUND`, an existing move destination 409 `CONFLICT`, a bad path 400 `BAD_REQUEST`).
 * @module
 */
import type { FileEntry } from "../../driver/types.js";
import type { KitError } from "../../errors.js";
import type { FsFailure } from "../fs-state.js";
import { missingSandbox } from "../lifecycle-rules.js";
import type { FileInfo } from "../models.js";
import type { DownloadErrorBody } from "../multipart.js";
import type { ApiFailure } from "./toolbox-backend.js";

/** The control plane's answer to a driver failure on sandbox `id`. */
export function apiFailureOf(error: KitError, id: string): ApiFailure {
  switch (error.kind) {
    case "NotFound":
      return { status: 404, message: missingSandbox(id).message };
    case "InvalidArgument":
    case "PathOutsideRoot":
    case "PayloadTooLarge":
      return { status: 400, message: error.message };
    case "Conflict":
      return { status: 409, message: error.message };
    case "RegionUnavailable":
      return { status: 403, message: error.message };
    case "Unsupported":
      return { status: 501, message: error.message };
    case "Timeout":
      return { status: 504, message: error.message };
    default:
      return { status: 500, message: error.message };
  }
}

/** The daemon's answer to a driver failure on `path`. */
export function daemonFailureOf(error: KitError, path: string): FsFailure {
  switch (error.kind) {
    case "NotFound":
      return { status: 404, code: "FILE_NOT_FOUND", message: `file not found: ${path}` };
    case "InvalidArgument":
    case "PathOutsideRoot":
    case "PayloadTooLarge":
      return { status: 400, code: "BAD_REQUEST", message: error.message };
    case "Conflict":
      return { status: 409, code: "CONFLICT", message: error.message };
    default:
      return { status: 500, code: "INTERNAL_SERVER_ERROR", message: error.message };
  }
}

/** A bulk-download part's error for one requested path (the daemon names the requested path). */
export function downloadErrorOf(error: KitError, requested: string): DownloadErrorBody {
  const missing = error.kind === "NotFound";
  const isDir = /Is a directory/.test(error.message);
  return {
    statusCode: missing ? 404 : 400,
    message: missing
      ? `file not found: ${requested}`
      : isDir
        ? `invalid file path: path points to a directory: ${requested}`
        : `invalid file path: ${error.message}`,
    code: missing ? "FILE_NOT_FOUND" : "INVALID_FILE_PATH",
    source: "DAYTONA_DAEMON",
    path: requested,
    method: "POST",
    timestamp: new Date().toISOString(),
  };
}

/** `ls -l`'s mode column for an octal permission string: `drwxr-xr-x`, `-rw-r--r--`. */
function lsMode(isDir: boolean, octal: string): string {
  const bits = Number.parseInt(octal, 8) & 0o777;
  const letters = "rwxrwxrwx";
  let text = isDir ? "d" : "-";
  for (let i = 0; i < 9; i++) text += bits & (1 << (8 - i)) ? letters[i] : "-";
  return text;
}

/** The daemon's `FileInfo` for a driver's entry (local sandboxes run as root). */
export function fileInfoOf(entry: FileEntry): FileInfo {
  const octal = entry.mode ?? (entry.isDir ? "755" : "644");
  const time = entry.modifiedAt ?? new Date(0).toISOString();
  return {
    name: entry.name,
    path: entry.path,
    isDir: entry.isDir,
    size: entry.size,
    mode: lsMode(entry.isDir, octal),
    permissions: `0${(Number.parseInt(octal, 8) & 0o777).toString(8).padStart(3, "0")}`,
    owner: "root",
    group: "root",
    modTime: time,
    modifiedAt: time,
  };
}
