/**
 * The narrow, structural view of the Daytona SDK this library uses. Both `@daytonaio/sdk` and its renamed twin
 * `@daytona/sdk` fit it, and so does a hand-written fake. The SDK itself is imported lazily, on first use.
 * @module
 */

/** A file entry as the SDK returns it. */
export interface DaytonaFileInfoLike {
  name: string;
  isDir: boolean;
  size: number;
  /** Symbolic, as `ls -l` prints it: `"-rw-r--r--"`. */
  mode?: string;
  /** Octal with a leading zero: `"0644"`. */
  permissions?: string;
  modTime?: string;
  modifiedAt?: string;
  path?: string;
}

/** One result of `fs.downloadFiles`. */
export interface DaytonaDownloadLike {
  source: string;
  result?: Buffer | string | Uint8Array;
  error?: string;
  errorDetails?: { message: string; statusCode?: number; code?: string; source?: string };
}

/** The parts of an SDK `Sandbox` this library touches. */
export interface DaytonaSandboxLike {
  readonly id: string;
  readonly name?: string;
  readonly state?: string;
  readonly target?: string;
  readonly labels?: Record<string, string>;
  readonly errorReason?: string;
  readonly recoverable?: boolean;
  readonly cpu?: number;
  readonly memory?: number;
  readonly disk?: number;
  /** Starts the sandbox; `timeout` in seconds. */
  start(timeout?: number): Promise<void>;
  /** Stops the sandbox; `timeout` in seconds. */
  stop(timeout?: number, force?: boolean): Promise<void>;
  /** Deletes the sandbox; `timeout` in seconds. */
  delete(timeout?: number, wait?: boolean): Promise<void>;
  /** Reloads `state` and the other fields from the server. */
  refreshData(): Promise<void>;
  /** Replaces the sandbox's labels. */
  setLabels(labels: Record<string, string>): Promise<Record<string, string>>;
  /** The preview URL (and its token) of a port. */
  getPreviewLink(port: number): Promise<{ url: string; token: string }>;
  readonly fs: {
    /** Uploads byte buffers (never local paths) in one multipart request. */
    uploadFiles(files: { source: Buffer; destination: string }[], timeout?: number): Promise<void>;
    /** Uploads one local file by path (the explicit local-file call). */
    uploadFile(localPath: string, remotePath: string, timeout?: number): Promise<void>;
    /** Downloads files; one outcome per requested path. */
    downloadFiles(files: { source: string }[], timeoutSec?: number): Promise<DaytonaDownloadLike[]>;
    /** The entries of a directory. */
    listFiles(path: string): Promise<DaytonaFileInfoLike[]>;
    /** Stat of one path. */
    getFileDetails(path: string): Promise<DaytonaFileInfoLike>;
    /** Creates a directory with an octal `mode` such as `"755"`. */
    createFolder(path: string, mode: string): Promise<void>;
    /** Deletes a file, or a directory when `recursive`. */
    deleteFile(path: string, recursive?: boolean): Promise<void>;
    /** Renames or moves a path. */
    moveFiles(source: string, destination: string): Promise<void>;
  };
  readonly process: {
    /** Runs a command and waits for it; `timeout` in seconds. */
    executeCommand(
      command: string,
      cwd?: string,
      env?: Record<string, string>,
      timeout?: number,
    ): Promise<{ exitCode?: number; result?: string }>;
    /** Opens a named shell session. */
    createSession(sessionId: string): Promise<void>;
    /** Runs a command in a session, synchronously or (`runAsync`) in the background. */
    executeSessionCommand(
      sessionId: string,
      request: { command: string; runAsync?: boolean },
      timeout?: number,
    ): Promise<{ cmdId?: string; exitCode?: number; output?: string }>;
    /** A session command's status; `exitCode` is unset while it runs. */
    getSessionCommand(sessionId: string, commandId: string): Promise<{ exitCode?: number | null }>;
    /** A session command's output so far. */
    getSessionCommandLogs(
      sessionId: string,
      commandId: string,
    ): Promise<{ output?: string; stdout?: string }>;
    /** Closes a session and ends its processes. */
    deleteSession(sessionId: string): Promise<void>;
  };
}

/** Create parameters as the SDK takes them (the subset this library sends). */
export interface DaytonaCreateParams {
  name?: string;
  image?: string;
  snapshot?: string;
  envVars?: Record<string, string>;
  labels?: Record<string, string>;
  resources?: { cpu?: number; memory?: number; disk?: number };
  autoStopInterval?: number;
}

/** A snapshot as the SDK returns it (the fields the kit reads). */
export interface DaytonaSnapshotLike {
  readonly id: string;
  readonly name: string;
  /** `pending`, `building`, `active`, `error`, `build_failed`, … */
  readonly state?: string;
  readonly errorReason?: string | null;
  readonly createdAt?: string | Date;
  /** GiB, once known. */
  readonly size?: number | null;
}

/** The SDK's snapshot service (`daytona.snapshot`). */
export interface DaytonaSnapshotServiceLike {
  /** Creates a snapshot from an SDK `Image` and waits for a terminal state; `options.timeout` in seconds. */
  create(
    params: { name: string; image: unknown },
    options?: { onLogs?: (chunk: string) => void; timeout?: number },
  ): Promise<DaytonaSnapshotLike>;
  /** One snapshot by id or name. */
  get(idOrName: string): Promise<DaytonaSnapshotLike>;
  /** One page of the organisation's snapshots. */
  list(page?: number, limit?: number): Promise<{ items: DaytonaSnapshotLike[]; totalPages?: number }>;
  /** Deletes a snapshot. */
  delete(snapshot: DaytonaSnapshotLike): Promise<void>;
}

/** The parts of an SDK `Daytona` client this library touches. */
export interface DaytonaClientLike {
  /** Snapshots (absent in clients without them: prebake is then `Unsupported`). */
  readonly snapshot?: DaytonaSnapshotServiceLike;
  /** Creates a sandbox; `options.timeout` in seconds. */
  create(params: DaytonaCreateParams, options?: { timeout?: number }): Promise<DaytonaSandboxLike>;
  /** Finds a sandbox by id or name. */
  get(idOrName: string): Promise<DaytonaSandboxLike>;
  /** Every sandbox whose labels include `query.labels`, page by page. */
  list(query?: { labels?: Record<string, string> }): AsyncIterable<DaytonaSandboxLike>;
  /** Closes the client's sockets (newer SDKs). */
  [Symbol.asyncDispose]?(): Promise<void>;
}

/** How to build a client when none is injected. */
export interface DaytonaClientConfig {
  readonly apiKey?: string | undefined;
  readonly apiUrl?: string | undefined;
  readonly target: string;
  /** Poll instead of opening a socket.io connection (quieter, and what the emulator needs). */
  readonly useDeprecatedPolling?: boolean | undefined;
}

/** Builds one SDK client. Loads `@daytonaio/sdk` on first call only (importing this library stays cheap). */
export async function createSdkClient(config: DaytonaClientConfig): Promise<DaytonaClientLike> {
  const sdk = await import("@daytonaio/sdk");
  // The SDK's config object gets no field set to undefined: it is third-party code, so make no assumptions.
  const client = new sdk.Daytona({
    ...(config.apiKey === undefined ? {} : { apiKey: config.apiKey }),
    ...(config.apiUrl === undefined ? {} : { apiUrl: config.apiUrl }),
    target: config.target,
    ...(config.useDeprecatedPolling === undefined
      ? {}
      : { useDeprecatedPolling: config.useDeprecatedPolling }),
  });
  return client as unknown as DaytonaClientLike;
}
