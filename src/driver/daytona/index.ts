/**
 * The Daytona driver: the driver port over `@daytonaio/sdk` (or any client of the same shape).
 * It converts milliseconds to the SDK's seconds, sends bytes only, keeps one client per target (the SDK binds the
 * target per client), and maps every throw to a `KitError`.
 * @module
 */
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { type KitError, kitError } from "../../errors.js";
import { currentScope } from "../../policy/deadline.js";
import { realSleep } from "../../policy/sleep.js";
import type {
  CreateSandboxSpec,
  DownloadOutcome,
  ExecOutcome,
  ExecRequest,
  FileEntry,
  PreviewLink,
  SandboxDriver,
  SandboxInfo,
  UploadEntry,
  WaitOptions,
} from "../types.js";
import { createSdkClient, type DaytonaClientLike, type DaytonaSandboxLike } from "./client.js";
import { type ErrorContext, mapDaytonaError } from "./map-error.js";
import { daytonaPrebake } from "./prebake.js";
import { replaceCommand, replaceOutcome } from "./replace-file.js";
import { checkNotAborted, execInSession } from "./session-exec.js";
import { toCreateParams, toFileEntry, toSandboxInfo, toSdkSeconds as toSeconds } from "./translate.js";
import { createTransport } from "./transport.js";

/** Options of {@link createDaytonaDriver}. */
export interface DaytonaDriverOptions {
  /** API key; defaults to the SDK's own lookup (`DAYTONA_API_KEY`). Never appears in an error. */
  readonly apiKey?: string | undefined;
  /** API URL; defaults to the SDK's (`DAYTONA_API_URL`, then Daytona Cloud). */
  readonly apiUrl?: string | undefined;
  /**
   * Targets (regions) this driver may address, in order; the first one serves get/list.
   * @default ["us", "eu"]
   */
  readonly targets?: readonly string[];
  /** Injected clients, one per target (e.g. `@daytona/sdk` clients, or clients pointed at the emulator). */
  readonly clients?: Readonly<Record<string, DaytonaClientLike>> | undefined;
  /** Builds a client for a target when none is injected. @default `new Daytona({ apiKey, apiUrl, target })` */
  readonly clientFactory?: (target: string) => Promise<DaytonaClientLike> | DaytonaClientLike;
  /** Poll sandbox state instead of opening a socket.io connection per client. @default SDK default */
  readonly useDeprecatedPolling?: boolean | undefined;
  /** How often a streaming exec polls its session logs. @default 250 */
  readonly sessionPollMs?: number;
  /** How often a prebake polls a snapshot another caller is building. @default 1000 */
  readonly snapshotPollMs?: number;
}

/**
 * Creates the Daytona driver.
 *
 * @example
 * ```ts
 * const driver = createDaytonaDriver({ apiKey: process.env.DAYTONA_API_KEY, targets: ["eu"] });
 * const info = await driver.create({ image: "node:20-slim", timeoutMs: 120_000, target: "eu" });
 * await driver.dispose();
 * ```
 */
export function createDaytonaDriver(options: DaytonaDriverOptions = {}): SandboxDriver {
  const targets = options.targets?.length
    ? [...options.targets]
    : Object.keys(options.clients ?? {}).length > 0
      ? Object.keys(options.clients ?? {})
      : ["us", "eu"];
  const secrets = options.apiKey ? [options.apiKey] : [];
  const clients = new Map<string, Promise<DaytonaClientLike>>();
  const sandboxes = new Map<string, DaytonaSandboxLike>();
  const pollMs = options.sessionPollMs ?? 250;
  // Every SDK request runs under the public call's deadline and signal, on sockets dispose() can destroy.
  const transport = createTransport();
  let disposed = false;

  const mapper = (context: Omit<ErrorContext, "secrets">) => (thrown: unknown) =>
    mapDaytonaError(thrown, { ...context, secrets });

  const call = <T>(
    context: Omit<ErrorContext, "secrets">,
    run: () => Promise<T>,
  ): ResultAsync<T, KitError> =>
    disposed
      ? errAsync(kitError.aborted(context.operation, "the kit was disposed"))
      : ResultAsync.fromPromise(Promise.resolve().then(run), mapper(context));

  const clientFor = (target: string): ResultAsync<DaytonaClientLike, KitError> => {
    let client = clients.get(target);
    if (!client) {
      const injected = options.clients?.[target];
      client = injected
        ? Promise.resolve(injected)
        : Promise.resolve(
            options.clientFactory
              ? options.clientFactory(target)
              : createSdkClient({
                  target,
                  apiKey: options.apiKey,
                  apiUrl: options.apiUrl,
                  useDeprecatedPolling: options.useDeprecatedPolling,
                }),
          );
      client = client.then((built) => {
        transport.adopt(built);
        return built;
      });
      clients.set(target, client);
      // A failed construction must not be cached forever.
      client.catch(() => clients.delete(target));
    }
    return call({ operation: `connect to Daytona (${target})`, region: target }, () => client);
  };
  const defaultClient = () => clientFor(targets[0] ?? "us");

  const remember = (sandbox: DaytonaSandboxLike): SandboxInfo => {
    transport.adopt(sandbox);
    sandboxes.set(sandbox.id, sandbox);
    return toSandboxInfo(sandbox);
  };

  const fetchSandbox = (id: string): ResultAsync<DaytonaSandboxLike, KitError> =>
    defaultClient().andThen((client) =>
      call({ operation: `get sandbox ${id}`, resource: { kind: "sandbox", id } }, () => client.get(id)).map(
        (sandbox) => {
          transport.adopt(sandbox);
          sandboxes.set(sandbox.id, sandbox);
          return sandbox;
        },
      ),
    );
  /** The SDK object for `id`: cached from an earlier call, else one GET. */
  const sandboxFor = (id: string): ResultAsync<DaytonaSandboxLike, KitError> => {
    const cached = sandboxes.get(id);
    return cached ? okAsync(cached) : fetchSandbox(id);
  };
  const onSandbox = <T>(
    id: string,
    context: Omit<ErrorContext, "secrets">,
    run: (sandbox: DaytonaSandboxLike) => Promise<T>,
  ): ResultAsync<T, KitError> => sandboxFor(id).andThen((sandbox) => call(context, () => run(sandbox)));

  /** start/stop: the SDK call waits for the new state; the SDK object then holds it. */
  const changeState = (id: string, verb: "start" | "stop", wait: WaitOptions) =>
    checkNotAborted(wait.signal, `${verb} sandbox`).andThen(() =>
      onSandbox(
        id,
        { operation: `${verb} sandbox ${id}`, timeoutMs: wait.timeoutMs, resource: { kind: "sandbox", id } },
        async (sandbox) => {
          await sandbox[verb](toSeconds(wait.timeoutMs));
          return toSandboxInfo(sandbox);
        },
      ),
    );

  return {
    name: "daytona",
    // Prebaked images are Daytona snapshots (./prebake.ts); snapshots belong to the organisation, so the first
    // target's client serves them.
    ...daytonaPrebake({ client: defaultClient, call, pollMs: options.snapshotPollMs ?? 1_000 }),

    create(spec: CreateSandboxSpec) {
      const target = spec.target ?? targets[0] ?? "us";
      return checkNotAborted(spec.signal, "create sandbox")
        .andThen(() => clientFor(target))
        .andThen((client) =>
          call({ operation: "create sandbox", timeoutMs: spec.timeoutMs, region: target }, () =>
            client.create(toCreateParams(spec), { timeout: toSeconds(spec.timeoutMs) }),
          ),
        )
        .map(remember);
    },

    get: (id) => fetchSandbox(id).map(toSandboxInfo),

    list(query = {}) {
      return defaultClient().andThen((client) =>
        call({ operation: "list sandboxes" }, async () => {
          const found: SandboxInfo[] = [];
          for await (const sandbox of client.list(query.labels ? { labels: { ...query.labels } } : {})) {
            found.push(remember(sandbox));
          }
          return found;
        }),
      );
    },

    start: (id: string, wait: WaitOptions) => changeState(id, "start", wait),
    stop: (id: string, wait: WaitOptions) => changeState(id, "stop", wait),

    delete: (id: string, wait: WaitOptions) =>
      onSandbox(
        id,
        { operation: `delete sandbox ${id}`, timeoutMs: wait.timeoutMs, resource: { kind: "sandbox", id } },
        (sandbox) => sandbox.delete(toSeconds(wait.timeoutMs)),
      ).map(() => {
        sandboxes.delete(id);
      }),

    setLabels: (id, labels) =>
      onSandbox(id, { operation: `set labels of ${id}`, resource: { kind: "sandbox", id } }, (sandbox) =>
        sandbox.setLabels({ ...labels }),
      ),

    uploadFiles: (id: string, files: readonly UploadEntry[], opts = {}) =>
      checkNotAborted(opts.signal, "upload").andThen(() =>
        onSandbox(
          id,
          { operation: "upload files", resource: { kind: "file", id: files[0]?.path ?? "" } },
          (sb) =>
            // Buffers over the caller's bytes (no copy); the SDK reads a string here as a LOCAL PATH, so never pass one.
            sb.fs.uploadFiles(
              files.map((file) => ({
                source: Buffer.from(file.data.buffer, file.data.byteOffset, file.data.byteLength),
                destination: file.path,
              })),
            ),
        ),
      ),

    uploadLocalFile: (id, localPath, remotePath) =>
      onSandbox(
        id,
        { operation: "upload local file", resource: { kind: "file", id: remotePath } },
        (sandbox) =>
          // The one deliberate string-as-path call: the caller named a local file explicitly.
          sandbox.fs.uploadFile(localPath, remotePath),
      ),

    downloadFiles: (id, paths) =>
      onSandbox(id, { operation: "download files" }, async (sandbox) => {
        const results = await sandbox.fs.downloadFiles(paths.map((source) => ({ source })));
        return paths.map((path): DownloadOutcome => {
          const found = results.find((r) => r.source === path);
          if (found?.result !== undefined && !found.error) {
            const data =
              typeof found.result === "string" ? new TextEncoder().encode(found.result) : found.result;
            return { path, ok: true, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
          }
          const details = found?.errorDetails ?? { message: found?.error ?? "no data received" };
          const error = mapDaytonaError(
            { name: "DaytonaError", ...details },
            { operation: `download ${path}`, resource: { kind: "file", id: path }, secrets },
          );
          return { path, ok: false, error };
        });
      }),

    listFiles: (id, path) =>
      onSandbox(id, { operation: `list ${path}`, resource: { kind: "file", id: path } }, async (sandbox) =>
        (await sandbox.fs.listFiles(path)).map((info): FileEntry => toFileEntry(info, path)),
      ),

    fileInfo: (id, path) =>
      onSandbox(id, { operation: `stat ${path}`, resource: { kind: "file", id: path } }, async (sandbox) =>
        toFileEntry(await sandbox.fs.getFileDetails(path), path, true),
      ),

    createFolder: (id, path, mode) =>
      onSandbox(id, { operation: `create folder ${path}` }, (sandbox) => sandbox.fs.createFolder(path, mode)),

    deleteFile: (id, path, recursive) =>
      onSandbox(id, { operation: `delete ${path}`, resource: { kind: "file", id: path } }, (sandbox) =>
        sandbox.fs.deleteFile(path, recursive ? true : undefined),
      ),

    moveFile: (id, source, destination, options) =>
      options?.overwrite === true
        ? onSandbox(id, { operation: `replace ${destination}` }, (sandbox) =>
            sandbox.process.executeCommand(replaceCommand(source, destination), undefined, undefined, 60),
          ).andThen((response) => {
            const failure = replaceOutcome(
              { exitCode: response.exitCode ?? -1, output: response.result ?? "" },
              source,
              destination,
            );
            return failure ? errAsync(failure) : okAsync(undefined);
          })
        : onSandbox(id, { operation: `move ${source}`, resource: { kind: "file", id: source } }, (sandbox) =>
            sandbox.fs.moveFiles(source, destination),
          ),

    exec(id: string, request: ExecRequest): ResultAsync<ExecOutcome, KitError> {
      const context = { operation: `exec ${request.command}`, timeoutMs: request.timeoutMs };
      return checkNotAborted(request.signal, "exec").andThen(() =>
        sandboxFor(id).andThen((sandbox) => {
          if (request.onOutput) {
            // The poll pause ends with the call (deadline, abort, dispose): no timer outlives it.
            const sleep = (ms: number) =>
              realSleep(ms, AbortSignal.any([transport.signal, currentScope()?.signal ?? transport.signal]));
            const timing = { pollMs, sleep, now: Date.now };
            return execInSession(sandbox, request, timing, mapper(context));
          }
          const run = call(context, () =>
            sandbox.process.executeCommand(
              request.command,
              request.cwd,
              request.env ? { ...request.env } : undefined,
              toSeconds(request.timeoutMs),
            ),
          ).andThen((response) =>
            typeof response.exitCode === "number"
              ? okAsync({ exitCode: response.exitCode, output: response.result ?? "" })
              : errAsync(kitError.unexpected("Daytona answered an exec without an exit code.")),
          );
          return request.signal ? raceAbort(run, request.signal, "exec") : run;
        }),
      );
    },

    previewLink: (id, port): ResultAsync<PreviewLink, KitError> =>
      onSandbox(id, { operation: `preview link for port ${port}` }, async (sandbox) => {
        const link = await sandbox.getPreviewLink(port);
        return { url: link.url, token: link.token };
      }),

    async dispose() {
      disposed = true;
      // Abort what is in flight and destroy every socket first: closing the clients may wait on the network.
      transport.close();
      for (const sandbox of sandboxes.values()) endStateWaits(sandbox);
      const open = [...clients.values()];
      clients.clear();
      sandboxes.clear();
      await Promise.all(
        open.map((pending) =>
          pending.then((client) => client[Symbol.asyncDispose]?.()).catch(() => undefined),
        ),
      );
    },
  };
}

/**
 * Ends the SDK's own state waits on a sandbox object (`start`/`stop` poll with timers of up to 1 s that an
 * aborted request cannot cancel), so no timer keeps Node alive after dispose. Objects of another shape: no-op.
 */
function endStateWaits(sandbox: DaytonaSandboxLike): void {
  const waiters = (sandbox as { stateWaiters?: unknown }).stateWaiters;
  if (!Array.isArray(waiters)) return;
  for (const waiter of [...waiters]) {
    const reject = (waiter as { reject?: unknown } | undefined)?.reject;
    if (typeof reject === "function") reject.call(waiter, new Error("The kit was disposed."));
  }
}

/** Settles with `Aborted` as soon as `signal` fires; the server-side command still ends at its own timeout. */
function raceAbort<T>(run: ResultAsync<T, KitError>, signal: AbortSignal, operation: string) {
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(kitError.aborted(operation));
    signal.addEventListener("abort", onAbort, { once: true });
  });
  const settled = run.match(
    (value) => value,
    (error) => {
      throw error;
    },
  );
  return ResultAsync.fromPromise(
    Promise.race([settled, aborted]).finally(() => signal.removeEventListener("abort", onAbort)),
    (e) => e as KitError,
  );
}
