/**
 * The driver port: the only interface sandbox back ends implement. Everything above it (fs facade, exec,
 * provisioners, lifecycle, preview) is written once against this port.
 *
 * Rules every driver follows:
 * - every call returns a `ResultAsync`; nothing throws for an expected failure;
 * - every duration is in milliseconds (the Daytona driver converts to seconds at its boundary);
 * - file bodies are bytes (`Uint8Array`), never strings;
 * - paths reaching a driver are absolute POSIX paths already validated by the fs facade.
 * @module
 */
import type { ResultAsync } from "neverthrow";
import type { KitError } from "../errors.js";
import type { PrebakedEntry, PrebakedImage, PrebakeOptions, PrebakePlan } from "./prebake-types.js";

export type {
  PrebakeCapable,
  PrebakedEntry,
  PrebakedImage,
  PrebakeOptions,
  PrebakePlan,
} from "./prebake-types.js";

/** The sandbox states Daytona's API reports (the SDK's `SandboxState` enum, as strings). */
export type DaytonaSandboxState =
  | "creating"
  | "restoring"
  | "destroyed"
  | "destroying"
  | "started"
  | "stopped"
  | "starting"
  | "stopping"
  | "error"
  | "build_failed"
  | "pending_build"
  | "building_snapshot"
  | "unknown"
  | "pulling_snapshot"
  | "archived"
  | "archiving"
  | "resizing"
  | "snapshotting"
  | "forking"
  | "pausing"
  | "paused"
  | "resuming";

/** A sandbox's state: one of Daytona's, or anything a newer server sends, kept as a string. */
export type SandboxState = DaytonaSandboxState | (string & {});

/** What a driver knows about one sandbox. */
export interface SandboxInfo {
  readonly id: string;
  readonly name?: string;
  readonly state: SandboxState;
  /** The region (Daytona "target") the sandbox lives in; `"local"` on the local driver. */
  readonly target: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Why the sandbox is in `error` / `build_failed`, when the server says. */
  readonly errorReason?: string;
  /** Whether Daytona says `recover()` can fix an `error` state. */
  readonly recoverable?: boolean;
  readonly cpu?: number;
  /** Memory in GiB (Daytona's unit). */
  readonly memoryGiB?: number;
  readonly diskGiB?: number;
}

/** Resources asked for at create time. */
export interface SandboxResources {
  readonly cpu?: number;
  readonly memoryGiB?: number;
  readonly diskGiB?: number;
}

/** What `create` needs. Either `image` or `snapshot`. */
export interface CreateSandboxSpec {
  readonly target?: string;
  readonly name?: string;
  readonly image?: string;
  readonly snapshot?: string;
  readonly envVars?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
  readonly resources?: SandboxResources;
  /** Minutes of inactivity before the sandbox stops; `0` disables auto-stop. */
  readonly autoStopMinutes?: number;
  /** How long create may take, including the wait for `started`. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** One file to upload: an absolute path inside the sandbox and its bytes. */
export interface UploadEntry {
  readonly path: string;
  readonly data: Uint8Array;
}

/** The outcome of downloading one path. */
export type DownloadOutcome =
  | { readonly path: string; readonly ok: true; readonly data: Uint8Array }
  | { readonly path: string; readonly ok: false; readonly error: KitError };

/** A directory entry or a file's details. */
export interface FileEntry {
  readonly name: string;
  /** Absolute path inside the sandbox. */
  readonly path: string;
  readonly isDir: boolean;
  readonly size: number;
  /** Octal permission string such as `"644"`, when known. */
  readonly mode?: string;
  readonly modifiedAt?: string;
}

/** One command to run. */
export interface ExecRequest {
  readonly command: string;
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Always set: the daemon applies no default. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Receives combined output as it arrives (in chunks, not necessarily whole lines). */
  readonly onOutput?: (chunk: string) => void;
  /**
   * Most bytes of output the driver keeps for the outcome; past it only the tail is kept (`onOutput` still sees
   * everything). Drivers that cannot bound what they receive cut the tail after the fact.
   */
  readonly maxOutputBytes?: number;
}

/** The raw outcome of a command: the exit code is data here; the exec facade decides what is an error. */
export interface ExecOutcome {
  readonly exitCode: number;
  /** Combined stdout and stderr. */
  readonly output: string;
  /** `true` when `output` is only the tail of what the command printed (see `ExecRequest.maxOutputBytes`). */
  readonly truncated?: boolean;
  /**
   * Whether the kernel's OOM killer fired in the sandbox's cgroup while the command ran: `true`/`false` where the
   * driver can read the cgroup's OOM-kill counter (the local driver), absent where it cannot know (Daytona).
   */
  readonly oomKilled?: boolean;
}

/** A URL that reaches a port of the sandbox, and the token to send as `x-daytona-preview-token`. */
export interface PreviewLink {
  readonly url: string;
  readonly token: string;
}

/** Options for operations that wait for a state. */
export interface WaitOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** The port. One instance may serve many sandboxes; each call names the sandbox by id. */
export interface SandboxDriver {
  /** `"daytona"`, `"local"`, or a custom driver's name. */
  readonly name: string;
  /** Creates a sandbox and waits until it is `started` (or the deadline passes). Not idempotent. */
  create(spec: CreateSandboxSpec): ResultAsync<SandboxInfo, KitError>;
  /** Fresh state of one sandbox; `NotFound` when it does not exist. */
  get(id: string): ResultAsync<SandboxInfo, KitError>;
  /** Every sandbox whose labels include all of `labels` (all sandboxes when omitted). */
  list(query?: { readonly labels?: Readonly<Record<string, string>> }): ResultAsync<SandboxInfo[], KitError>;
  /** Starts a stopped sandbox and waits until `started`. */
  start(id: string, options: WaitOptions): ResultAsync<SandboxInfo, KitError>;
  /** Stops a sandbox (every process ends, files persist) and waits until `stopped`. */
  stop(id: string, options: WaitOptions): ResultAsync<SandboxInfo, KitError>;
  /** Deletes a sandbox for good. `NotFound` when it does not exist. */
  delete(id: string, options: WaitOptions): ResultAsync<void, KitError>;
  /** Replaces all labels of a sandbox. */
  setLabels(
    id: string,
    labels: Readonly<Record<string, string>>,
  ): ResultAsync<Record<string, string>, KitError>;

  /** Uploads files in one request (Daytona's bulk upload). Bytes only. */
  uploadFiles(
    id: string,
    files: readonly UploadEntry[],
    options?: { signal?: AbortSignal },
  ): ResultAsync<void, KitError>;
  /** Streams a file from the caller's machine (an explicit local path) to `remotePath`. */
  uploadLocalFile(id: string, localPath: string, remotePath: string): ResultAsync<void, KitError>;
  /** Downloads files in one request; a missing file is a per-path `NotFound`, not a failed call. */
  downloadFiles(id: string, paths: readonly string[]): ResultAsync<DownloadOutcome[], KitError>;
  /** Lists a directory (one level). */
  listFiles(id: string, path: string): ResultAsync<FileEntry[], KitError>;
  /** Details of one path; `NotFound` when it does not exist. */
  fileInfo(id: string, path: string): ResultAsync<FileEntry, KitError>;
  /** Creates a directory and its parents. */
  createFolder(id: string, path: string, mode: string): ResultAsync<void, KitError>;
  /** Deletes a file, or a directory when `recursive`. */
  deleteFile(id: string, path: string, recursive: boolean): ResultAsync<void, KitError>;
  /**
   * Moves (renames) a file or directory. An existing destination is a `Conflict` (Daytona's daemon never
   * overwrites), unless `overwrite`: then a file replaces the destination file in one atomic rename, which is how
   * atomic writes land (a destination directory is still refused).
   */
  moveFile(
    id: string,
    source: string,
    destination: string,
    options?: { readonly overwrite?: boolean },
  ): ResultAsync<void, KitError>;

  /** Runs a shell command; a non-zero exit is an Ok outcome, a server-side timeout is `Timeout`. */
  exec(id: string, request: ExecRequest): ResultAsync<ExecOutcome, KitError>;
  /** A URL that reaches `port` of the sandbox. */
  previewLink(id: string, port: number): ResultAsync<PreviewLink, KitError>;

  /**
   * Builds the prebaked image of `plan` unless one named `plan.name` exists (`built: false`); optional: drivers
   * without it cannot prebake. Idempotent across processes; a failed build's error ends with the build log's tail.
   */
  prebake?(plan: PrebakePlan, options: PrebakeOptions): ResultAsync<PrebakedImage, KitError>;
  /** The prebaked images whose name starts with `prefix` (with `prebake`). */
  listPrebaked?(prefix: string): ResultAsync<PrebakedEntry[], KitError>;
  /** Deletes one prebaked image; `NotFound` when absent (with `prebake`). */
  deletePrebaked?(name: string): ResultAsync<void, KitError>;
  /** Closes every client and socket the driver opened. Safe to call twice. */
  dispose(): Promise<void>;
}
