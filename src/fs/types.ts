/**
 * The filesystem facade's public types.
 * @module
 */
import type { ResultAsync } from "neverthrow";
import { SANDBOX_WORKDIR } from "../defaults.js";
import type { FileEntry, SandboxDriver } from "../driver/types.js";
import type { KitError } from "../errors.js";
import type { Exec } from "../exec/types.js";

/** The upload cap applied when none is given: 5 MiB (Daytona answers a bare 400 above ~5 MB). */
export const DEFAULT_UPLOAD_CAP_BYTES = 5 * 1024 * 1024;
/** The sandbox root applied when none is given. */
export const DEFAULT_ROOT = SANDBOX_WORKDIR;

/** Limits of {@link SandboxFs.writeFiles}. */
export interface BatchOptions {
  /** Most files in one bulk-upload request. @default 50 */
  readonly maxFiles?: number;
  /** Most body bytes in one bulk-upload request; never above the upload cap. @default the upload cap */
  readonly maxBytes?: number;
  /** Requests in flight at once. @default 4 */
  readonly concurrency?: number;
}

/** What the facade works through. */
export interface FsPorts {
  /** The driver every call goes through. */
  readonly driver: SandboxDriver;
  /** The sandbox the facade works in. */
  readonly sandboxId: string;
  /** Runs the join and checksum commands of chunked uploads. */
  readonly exec: Exec;
}

/** What {@link createSandboxFs} needs: the ports, and settings it defaults and checks when it is built. */
export interface FsContext extends FsPorts {
  /** Every path lives under this directory. @default "/workspace" */
  readonly root?: string;
  /** Largest body sent in one request, in bytes; checked before any request. @default 5 * 1024 * 1024 */
  readonly uploadCapBytes?: number;
  /** Batching of {@link SandboxFs.writeFiles}. */
  readonly batch?: BatchOptions;
}

/** Options of every write. */
export interface WriteOptions {
  /**
   * Upload to a hidden temporary sibling, then rename it into place, so readers never see a half-written file.
   * @default false (true for writeJson)
   */
  readonly atomic?: boolean;
  /**
   * Allow bodies over the upload cap: they are sent in parts, joined and SHA-256-verified inside the sandbox, then
   * renamed into place (always atomic). Bodies under the cap are written normally.
   * @default false
   */
  readonly chunked?: boolean;
  /** Aborts the write; nothing more is sent once it fires. */
  readonly signal?: AbortSignal;
}

/** Options of {@link SandboxFs.remove}. */
export interface RemoveOptions {
  /** Remove a directory and everything in it. @default false */
  readonly recursive?: boolean;
}

/** One file of {@link SandboxFs.writeFiles}: exactly one of `text` or `bytes`. */
export type WriteFileEntry =
  | { readonly path: string; readonly text: string; readonly bytes?: undefined }
  | { readonly path: string; readonly bytes: Uint8Array; readonly text?: undefined };

/** One file of a batch that did not land. */
export interface FailedWrite {
  /** The absolute sandbox path. */
  readonly path: string;
  readonly error: KitError;
}

/**
 * What {@link SandboxFs.writeFiles} did. The call is `Ok` once every entry passed validation, even when some
 * requests failed: always check `complete` (or `failed`).
 */
export interface WriteFilesReport {
  /** True when every file landed. */
  readonly complete: boolean;
  /** Absolute paths of the files that landed, in input order. */
  readonly written: readonly string[];
  /** Files whose request failed, with that request's error, in input order. */
  readonly failed: readonly FailedWrite[];
  /** Bulk-upload requests sent. */
  readonly requests: number;
}

/**
 * A filesystem rooted at one sandbox directory that cannot make the classic mistakes: text is always bytes, the cap
 * is checked before sending, paths cannot leave the root, and UTF-8 is decoded strictly.
 * Every method returns a `ResultAsync` and never throws.
 */
export interface SandboxFs {
  /** The root every path resolves under. */
  readonly root: string;
  /** Writes UTF-8 text. */
  writeText(path: string, text: string, options?: WriteOptions): ResultAsync<void, KitError>;
  /** Writes bytes as they are. */
  writeBytes(path: string, bytes: Uint8Array, options?: WriteOptions): ResultAsync<void, KitError>;
  /** Writes pretty-printed JSON with a trailing newline; atomic unless `{ atomic: false }`. */
  writeJson(path: string, value: unknown, options?: WriteOptions): ResultAsync<void, KitError>;
  /** Writes many files in few bulk requests; see {@link WriteFilesReport}. */
  writeFiles(
    entries: readonly WriteFileEntry[],
    options?: { readonly signal?: AbortSignal },
  ): ResultAsync<WriteFilesReport, KitError>;
  /** Reads a file as strictly decoded UTF-8 text. */
  readText(path: string): ResultAsync<string, KitError>;
  /** Reads a file's bytes. */
  readBytes(path: string): ResultAsync<Uint8Array, KitError>;
  /** Reads and parses a JSON file. The type parameter is trusted, not checked. */
  readJson<T = unknown>(path: string): ResultAsync<T, KitError>;
  /** Whether a file or directory exists at `path`. */
  exists(path: string): ResultAsync<boolean, KitError>;
  /** The entries of one directory (one level). */
  list(path: string): ResultAsync<FileEntry[], KitError>;
  /** Creates a directory and its parents (mode 755). */
  mkdir(path: string): ResultAsync<void, KitError>;
  /** Removes a file, or a directory with `{ recursive: true }`. */
  remove(path: string, options?: RemoveOptions): ResultAsync<void, KitError>;
  /** Moves (renames) a file or directory. */
  move(from: string, to: string): ResultAsync<void, KitError>;
  /** Uploads a file from THIS machine (an explicit local path) to the sandbox. */
  uploadLocalFile(localPath: string, remotePath: string): ResultAsync<void, KitError>;
  /** The absolute sandbox path `path` stands for, or why it is refused. */
  resolve(path: string): ResultAsync<string, KitError>;
}
