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
  start(timeout?: number): Promise<void>;
  stop(timeout?: number, force?: boolean): Promise<void>;
  delete(timeout?: number, wait?: boolean): Promise<void>;
  refreshData(): Promise<void>;
  setLabels(labels: Record<string, string>): Promise<Record<string, string>>;
  getPreviewLink(port: number): Promise<{ url: string; token: string }>;
  readonly fs: {
    uploadFiles(files: { source: Buffer; destination: string }[], timeout?: number): Promise<void>;
    uploadFile(localPath: string, remotePath: string, timeout?: number): Promise<void>;
    downloadFiles(files: { source: string }[], timeoutSec?: number): Promise<DaytonaDownloadLike[]>;
    listFiles(path: string): Promise<DaytonaFileInfoLike[]>;
    getFileDetails(path: string): Promise<DaytonaFileInfoLike>;
    createFolder(path: string, mode: string): Promise<void>;
    deleteFile(path: string, recursive?: boolean): Promise<void>;
    moveFiles(source: string, destination: string): Promise<void>;
  };
  readonly process: {
    executeCommand(
      command: string,
      cwd?: string,
      env?: Record<string, string>,
      timeout?: number,
    ): Promise<{ exitCode?: number; result?: string }>;
    createSession(sessionId: string): Promise<void>;
    executeSessionCommand(
      sessionId: string,
      request: { command: string; runAsync?: boolean },
      timeout?: number,
    ): Promise<{ cmdId?: string; exitCode?: number; output?: string }>;
    getSessionCommand(sessionId: string, commandId: string): Promise<{ exitCode?: number | null }>;
    getSessionCommandLogs(
      sessionId: string,
      commandId: string,
    ): Promise<{ output?: string; stdout?: string }>;
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

/** The parts of an SDK `Daytona` client this library touches. */
export interface DaytonaClientLike {
  create(params: DaytonaCreateParams, options?: { timeout?: number }): Promise<DaytonaSandboxLike>;
  get(idOrName: string): Promise<DaytonaSandboxLike>;
  list(query?: { labels?: Record<string, string> }): AsyncIterable<DaytonaSandboxLike>;
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
