import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { err, ok, type Result } from "neverthrow";
import type { LocalDriver } from "../../driver/local/index.js";
import type { SandboxDriver } from "../../driver/types.js";
import { type KitError, kitError } from "../../errors.js";
import { isServedSandbox } from "../backend/daytona-labels.js";
import { resolveToolbox } from "../backend/toolbox-option.js";
import { createDaytonaEmulator, type DaytonaEmulator } from "../emulator.js";
import type { DaytonaEmulatorOptions } from "../types.js";
import { type Dispatch, fetchListener } from "./fetch-adapter.js";
import { loadNodeAdapter } from "./node-adapter.js";
import { answerPreview, previewUrlOn } from "./preview.js";
import { proxyPreview } from "./preview-proxy.js";

const MIB = 1024 * 1024;

/** The only address the server binds: it is a test double holding an API key, never a network service. */
export const LOCAL_HOST = "127.0.0.1";

/** Options of {@link startLocalDaytona}: the emulator's (but its URLs, which are the server's) plus the socket's. */
export interface LocalDaytonaOptions
  extends Omit<DaytonaEmulatorOptions, "apiUrl" | "toolboxUrl" | "previewUrl"> {
  /** TCP port; `0` picks a free one (read it from `url`). @default 0 */
  port?: number;
  /** Must be `"127.0.0.1"` (any other host is refused). @default "127.0.0.1" */
  host?: string;
  /** The key clients must send (`Authorization: Bearer <key>`). @default a random key, see `apiKey` on the handle */
  apiKey?: string;
  /**
   * On `close()`, delete the sandboxes this server run created (seeded ones, and with a real back end those of
   * earlier runs, are the user's). @default false
   */
  cleanup?: boolean;
}

/** A running local Daytona: see {@link startLocalDaytona}. */
export interface LocalDaytona extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `<url>/api`: Daytona's control plane (`DAYTONA_API_URL`). */
  readonly apiUrl: string;
  /** `<url>/toolbox`: the toolbox proxy the sandboxes' DTOs name. */
  readonly toolboxUrl: string;
  readonly apiKey: string;
  /** The region to use (`DAYTONA_TARGET`). */
  readonly target: string;
  /** The emulator behind the server: state, request log (`requests`, `count`), faults, `onCommand`. */
  readonly emulator: DaytonaEmulator;
  /** `DAYTONA_API_URL`, `DAYTONA_API_KEY` and `DAYTONA_TARGET` for a client in another process. */
  env(): Record<"DAYTONA_API_URL" | "DAYTONA_API_KEY" | "DAYTONA_TARGET", string>;
  /** Stops serving (open connections are closed); with `cleanup`, deletes what it created. Idempotent. */
  close(): Promise<{ readonly deleted: readonly string[] }>;
}

const invalid = (argument: string, message: string) => err(kitError.invalidArgument(argument, message));

/** Run-time checks of the options (JavaScript callers pass anything). */
function checkOptions(options: unknown): Result<LocalDaytonaOptions, KitError> {
  if (options === undefined) return ok({});
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    return invalid("options", "startLocalDaytona: options must be an object");
  }
  const { port, host, apiKey, cleanup } = options as Record<string, unknown>;
  if (port !== undefined && !(Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65535)) {
    return invalid(
      "port",
      `port must be an integer from 0 to 65535 (0 = any free port), got ${String(port)}`,
    );
  }
  if (host !== undefined && host !== LOCAL_HOST) {
    return invalid("host", `the local Daytona server binds ${LOCAL_HOST} only, got ${String(host)}`);
  }
  if (apiKey !== undefined && (typeof apiKey !== "string" || !/^[\x21-\x7e]+$/.test(apiKey))) {
    return invalid("apiKey", "apiKey must be a non-empty string of printable ASCII without spaces");
  }
  if (cleanup !== undefined && typeof cleanup !== "boolean") {
    return invalid("cleanup", "cleanup must be a boolean");
  }
  return ok(options as LocalDaytonaOptions);
}

/**
 * The toolbox to serve: the in-memory model, or a driver; `"local"` on a machine that cannot run local sandboxes is
 * `Unsupported` (said at start, not on the first create).
 */
function localBackend(toolbox: unknown, home: unknown): Result<"memory" | SandboxDriver, KitError> {
  return resolveToolbox(toolbox, home).andThen((choice) => {
    if (choice.kind === "memory") return ok("memory" as const);
    const local = choice.driver as Partial<LocalDriver>;
    const unsupported = toolbox === "local" ? local.capabilities?.().unsupported : undefined;
    if (unsupported !== undefined) {
      return err(
        kitError.unsupported(
          "The local toolbox back end",
          `${unsupported} Serve the in-memory back end instead (toolbox "memory").`,
        ),
      );
    }
    return ok(choice.driver);
  });
}

/**
 * The preview URLs of a driver back end: proxied to the driver's link of the sandbox's port (bodies streamed). A
 * sandbox the server does not know answers 404 even if the driver has it (it is not this Daytona's).
 */
function previewProxy(
  emulator: DaytonaEmulator,
  driver: SandboxDriver,
): (request: Request) => Promise<Response | undefined> {
  return (request) =>
    proxyPreview(request, async (sandboxId, port) => {
      if (!emulator.state.find(sandboxId)) {
        // Not loaded yet (a restarted server before its first API call): a sandbox served by a run of it still is.
        const local = await driver.get(sandboxId);
        if (local.isErr()) return err(local.error);
        if (!isServedSandbox(local.value.labels)) return err(kitError.notFound("sandbox", sandboxId));
      }
      return driver.previewLink(sandboxId, port);
    });
}

/** Listens on 127.0.0.1; a busy or forbidden port is the caller's argument, anything else unexpected. */
function listen(server: Server, port: number): Promise<Result<number, KitError>> {
  return new Promise((resolve) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE" || error.code === "EACCES") {
        resolve(invalid("port", `cannot listen on ${LOCAL_HOST}:${port}: ${error.code}`));
      } else {
        resolve(
          err(
            kitError.unexpected(`cannot listen on ${LOCAL_HOST}:${port}: ${error.message}`, { cause: error }),
          ),
        );
      }
    };
    server.once("error", onError);
    server.listen(port, LOCAL_HOST, () => {
      server.off("error", onError);
      resolve(ok((server.address() as AddressInfo).port));
    });
  });
}

/**
 * Starts a local Daytona: Daytona's control plane (`/api/…`) and toolbox (`/toolbox/:id/…`) over HTTP on
 * 127.0.0.1, answered by the emulator's route table and pipeline (auth, request log, faults, latency), so any
 * Daytona client in any process or language can use it. The back end (`toolbox`) is the emulator's in-memory model
 * (a mini shell, not real processes; the default) or `"local"`: a real local sandbox per Daytona sandbox, whose
 * records under `home` survive a restart of the server (`Unsupported` where local sandboxes cannot run). Routes it
 * does not serve answer 501 naming the route. Needs the optional peer dependency `@hono/node-server`
 * (`Unsupported` when it is missing).
 *
 * @example
 * const started = await startLocalDaytona({ port: 0 });
 * if (started.isErr()) throw new Error(started.error.message);
 * await using local = started.value;
 * const daytona = new Daytona({ apiUrl: local.apiUrl, apiKey: local.apiKey, target: local.target });
 * const sandbox = await daytona.create();
 * console.log((await sandbox.process.executeCommand("echo hi")).result); // "hi"
 * console.log(local.emulator.count("POST /sandbox")); // 1
 *
 * @example
 * // Real sandboxes, kept under a home of their own; close() deletes the ones this run created.
 * const real = await startLocalDaytona({ toolbox: "local", home: "/tmp/kit-home", cleanup: true });
 */
export async function startLocalDaytona(
  options?: LocalDaytonaOptions,
): Promise<Result<LocalDaytona, KitError>> {
  const checked = checkOptions(options);
  if (checked.isErr()) return err(checked.error);
  const { port = 0, host: _host, cleanup = false, apiKey, toolbox, home, ...emulatorOptions } = checked.value;
  const backend = localBackend(toolbox, home);
  if (backend.isErr()) return err(backend.error);
  const adapter = await loadNodeAdapter();
  if (adapter.isErr()) return err(adapter.error);

  let dispatch: Dispatch | undefined;
  const server = createServer(fetchListener(adapter.value, () => dispatch));
  const listening = await listen(server, port);
  if (listening.isErr()) return err(listening.error);

  const url = `http://${LOCAL_HOST}:${listening.value}`;
  const emulator = createDaytonaEmulator({
    ...emulatorOptions,
    apiKey: apiKey ?? `local-${randomBytes(16).toString("hex")}`,
    apiUrl: `${url}/api`,
    toolboxUrl: `${url}/toolbox`,
    previewUrl: previewUrlOn(url),
    toolbox: backend.value,
  });
  dispatch = {
    origin: url,
    // Above the upload limit (whose 400 the route answers, as Daytona does), far below what hurts the process.
    maxBodyBytes: Math.max(64 * MIB, 2 * (emulatorOptions.uploadLimitBytes ?? 0)),
    handlers: emulator.handlers,
    before: (request) => answerPreview(emulator.state, request),
    ...(backend.value === "memory" ? {} : { streaming: previewProxy(emulator, backend.value) }),
  };
  const target = emulator.clientConfig().target;
  // A restart: the sandboxes an earlier run made under `home` are records before the caller looks.
  await emulator.ready();

  let closing: Promise<{ readonly deleted: readonly string[] }> | undefined;
  const close = () => {
    closing ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // After the last request: nothing is being created while the server's own sandboxes are deleted.
      const deleted = cleanup ? await emulator.deleteCreated() : [];
      return { deleted };
    })();
    return closing;
  };

  return ok({
    url,
    apiUrl: emulator.apiUrl,
    toolboxUrl: emulator.toolboxUrl,
    apiKey: emulator.apiKey,
    target,
    emulator,
    env: () => ({
      DAYTONA_API_URL: emulator.apiUrl,
      DAYTONA_API_KEY: emulator.apiKey,
      DAYTONA_TARGET: target,
    }),
    close,
    [Symbol.asyncDispose]: async () => {
      await close();
    },
  });
}
