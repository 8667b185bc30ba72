import type { RequestHandler } from "msw";
import { type SetupServer, setupServer } from "msw/node";
import { createDriverBackend } from "./backend/driver-backend.js";
import { driverSessionRoutes } from "./backend/driver-session-routes.js";
import { createMemoryBackend } from "./backend/memory-backend.js";
import { resolveToolbox } from "./backend/toolbox-option.js";
import type { EmulatorContext, ResolvedOptions } from "./context.js";
import { FaultRegistry } from "./faults.js";
import { fileHandlers } from "./handlers/files.js";
import { processHandlers } from "./handlers/process.js";
import { sandboxHandlers } from "./handlers/sandbox.js";
import { snapshotHandlers } from "./handlers/snapshots.js";
import { unservedHandlers } from "./handlers/unserved.js";
import { socketIoRoute } from "./pipeline.js";
import { EmulatorRateLimiter } from "./rate-limits.js";
import { RequestLog } from "./request-log.js";
import type { EmulatorRoute } from "./routes.js";
import { applyState, EmulatorState, type SeedSandbox } from "./state.js";
import type {
  CommandContext,
  CommandReply,
  CommandResponder,
  CreateOverride,
  DaytonaEmulatorOptions,
  EmulatedSandboxState,
  RecordedCommand,
  RequestLogEntry,
  SandboxRecord,
} from "./types.js";

/** Matches a command for {@link DaytonaEmulator.onCommand}: a RegExp, an exact string, or a predicate. */
export type CommandMatcher = RegExp | string | ((ctx: CommandContext) => boolean);

/** Arranging and inspecting sandboxes directly in state. */
export interface EmulatorSandboxes {
  /** Creates a sandbox directly in state (any state, labels, errorReason, files). */
  seed(seed?: SeedSandbox): SandboxRecord;
  /** Sets a sandbox's state (cancelling any pending transition). Throws for an unknown id (a test bug). */
  setState(id: string, state: EmulatedSandboxState, errorReason?: string): SandboxRecord;
  /** The record by id (destroyed ones included). */
  get(id: string): SandboxRecord | undefined;
  /** Every live (not destroyed) sandbox, newest first. */
  list(): SandboxRecord[];
  /** Shapes the next `POST /sandbox` (overrides queue: one per create, in order). */
  onNextCreate(override: CreateOverride): void;
}

/** The emulator: msw handlers, inspectable state, request log, faults. See {@link createDaytonaEmulator}. */
export interface DaytonaEmulator {
  /** The msw handlers to pass to `setupServer(...)`. */
  readonly handlers: RequestHandler[];
  /** The resolved URLs and key. */
  readonly apiUrl: string;
  readonly toolboxUrl: string;
  readonly apiKey: string;
  /** In-memory state: `state.sandboxes` (id → record) and `state.commands(id?)`. */
  readonly state: EmulatorState;
  /** Every request, in order: `{ method, route, url, status, sandboxId?, at, fault? }`. */
  readonly requests: readonly RequestLogEntry[];
  readonly sandboxes: EmulatorSandboxes;
  readonly faults: FaultRegistry;
  /** Per-throttler limits and 429 storms (see {@link EmulatorRateLimiter}). */
  readonly rateLimits: EmulatorRateLimiter;
  /** Starts an msw server with these handlers and `onUnhandledRequest: "error"`; returns it (idempotent). */
  listen(): SetupServer;
  /** Closes the server started by `listen()` (no-op otherwise). */
  close(): void;
  /** `{ apiKey, apiUrl, target }` for `new Daytona(...)`, plus `useDeprecatedPolling: true`. */
  clientConfig(target?: string): {
    apiKey: string;
    apiUrl: string;
    target: string;
    useDeprecatedPolling: true;
  };
  /** Logged requests for a route (all routes when omitted). */
  count(route?: EmulatorRoute): number;
  /** Requests of a route (all when omitted) being answered right now. */
  inFlight(route?: EmulatorRoute): number;
  /** Peak simultaneous requests of a route (all when omitted). */
  maxInFlight(route?: EmulatorRoute): number;
  /** Every recorded command (of one sandbox, or all in arrival order). */
  commands(sandboxId?: string): RecordedCommand[];
  /**
   * Answers matching commands (newest rule first, before the `commandResponder` option and the built-in one).
   *
   * @example
   * emulator.onCommand(/^npm install/, { exitCode: 0, output: "added 12 packages\n" });
   * emulator.onCommand("make", () => ({ exitCode: 2, output: "make: *** No targets.\n" }));
   */
  onCommand(matcher: CommandMatcher, reply: CommandReply | CommandResponder): void;
  /**
   * Deletes the sandboxes this emulator created through `POST /sandbox` (seeded ones, and with a driver toolbox the
   * ones an earlier run created, are left alone): marked destroyed in memory, deleted for real with a driver toolbox.
   * Resolves with their ids.
   */
  deleteCreated(): Promise<string[]>;
  /**
   * Resolves once the back end has loaded the sandboxes it already holds (with a driver toolbox: those an earlier
   * run created, after a restart). Requests wait for it anyway; call it to inspect `sandboxes` before any request.
   */
  ready(): Promise<void>;
  /** Clears sandboxes, the request log, faults, rate-limit windows and storms, command rules and create overrides. */
  reset(): void;
}

const MIB = 1024 * 1024;

const realClock = {
  now: () => Date.now(),
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};

function resolveOptions(options: DaytonaEmulatorOptions): ResolvedOptions {
  const trim = (url: string) => url.replace(/\/+$/, "");
  const known = options.regions?.known ?? ["us", "eu"];
  return {
    apiUrl: trim(options.apiUrl ?? "https://api.daytona.test/api"),
    toolboxUrl: trim(options.toolboxUrl ?? "https://proxy.daytona.test/toolbox"),
    apiKey: options.apiKey ?? "emulator-api-key",
    knownRegions: known,
    availableRegions: options.regions?.available ?? known,
    legacyRegionMessage: options.legacyRegionMessage ?? false,
    pollsUntilStarted: options.pollsUntilStarted ?? 0,
    uploadLimitBytes: options.uploadLimitBytes ?? 5 * MIB,
    listPageSize: options.listPageSize ?? 100,
    latencyMs: options.latencyMs ?? 0,
    includeToolboxProxyUrl: options.includeToolboxProxyUrl ?? true,
    knownSnapshots: options.knownSnapshots ?? ["daytona-small", "daytona-medium", "daytona-large"],
    commandResponder: options.commandResponder,
    clock: options.clock ?? realClock,
    previewUrl: options.previewUrl,
  };
}

function matches(matcher: CommandMatcher, ctx: CommandContext): boolean {
  if (typeof matcher === "string") return ctx.command === matcher;
  if (matcher instanceof RegExp) return matcher.test(ctx.command);
  return matcher(ctx);
}

/**
 * Creates an emulator of Daytona's HTTP API (control plane and toolbox) as msw v2 handlers over an in-memory
 * state, so the real `@daytonaio/sdk` runs unmodified in tests (use polling mode).
 *
 * Snapshots (`daytona.snapshot.create/get/list/delete`, see `handlers/snapshots.ts`) go `pending` → `building` →
 * `active`, one step per GET; a duplicate name is Daytona's 409. To make a build fail, give it a step the shell
 * would fail (`Image.base(x).runCommands("exit 3")` or `"false"`): it ends `build_failed` with Docker's
 * `returned a non-zero code` as `errorReason` and last log line. A step `sleep infinity` never finishes.
 *
 * @example
 * const emulator = createDaytonaEmulator({ pollsUntilStarted: 2 });
 * emulator.listen();
 * const daytona = new Daytona(emulator.clientConfig());
 * const sandbox = await daytona.create({ image: "node:20-slim" });
 * expect(emulator.count("GET /sandbox/:id")).toBe(3);
 * await daytona[Symbol.asyncDispose]();
 * emulator.close();
 *
 * @throws TypeError when `toolbox` or `home` is invalid (a test's setup bug, reported at once).
 */
export function createDaytonaEmulator(options: DaytonaEmulatorOptions = {}): DaytonaEmulator {
  const toolbox = resolveToolbox(options.toolbox, options.home);
  if (toolbox.isErr()) throw new TypeError(`createDaytonaEmulator: ${toolbox.error.message}`);
  const choice = toolbox.value;
  const resolved = resolveOptions(options);
  const ctx: EmulatorContext = {
    options: resolved,
    state: new EmulatorState(),
    log: new RequestLog(() => resolved.clock.now()),
    faults: new FaultRegistry(),
    rateLimits: new EmulatorRateLimiter(options.rateLimits ?? {}, () => resolved.clock.now()),
    createOverrides: [],
    responders: [],
    backend:
      choice.kind === "memory"
        ? createMemoryBackend(() => ctx)
        : createDriverBackend(() => ctx, choice.driver, {
            ownsDriver: choice.owned,
            // Sessions are emulated with shell scripts: every driver that runs a real shell, not the memory
            // driver's mini shell (its session routes answer 501).
            ...(choice.driver.name === "memory" ? {} : { sessions: driverSessionRoutes(choice.driver) }),
          }),
  };
  const handlers: RequestHandler[] = [
    ...sandboxHandlers(ctx),
    ...fileHandlers(ctx),
    ...processHandlers(ctx),
    ...snapshotHandlers(ctx),
    socketIoRoute(ctx, resolved.apiUrl),
    // Last: every other path under the API and the toolbox answers 501 naming the route.
    ...unservedHandlers(ctx),
  ];
  let server: SetupServer | undefined;

  const sandboxes: EmulatorSandboxes = {
    seed: (seed = {}) => ctx.state.add(seed),
    setState: (id, state, errorReason) => {
      const box = ctx.state.sandboxes.get(id);
      if (!box) throw new Error(`emulator: no sandbox with id ${id}`);
      applyState(box, state, errorReason);
      return box;
    },
    get: (id) => ctx.state.sandboxes.get(id),
    list: () => ctx.state.live(),
    onNextCreate: (override) => {
      ctx.createOverrides.push(override);
    },
  };

  return {
    handlers,
    apiUrl: resolved.apiUrl,
    toolboxUrl: resolved.toolboxUrl,
    apiKey: resolved.apiKey,
    state: ctx.state,
    requests: ctx.log.entries,
    sandboxes,
    faults: ctx.faults,
    rateLimits: ctx.rateLimits,
    listen() {
      if (server) return server;
      const started = setupServer(...handlers);
      started.listen({ onUnhandledRequest: "error" });
      server = started;
      return started;
    },
    close() {
      server?.close();
      server = undefined;
    },
    clientConfig(target) {
      return {
        apiKey: resolved.apiKey,
        apiUrl: resolved.apiUrl,
        target: target ?? resolved.availableRegions[0] ?? "us",
        useDeprecatedPolling: true,
      };
    },
    count: (route) => ctx.log.count(route),
    inFlight: (route) => ctx.log.inFlight(route),
    maxInFlight: (route) => ctx.log.maxInFlight(route),
    commands: (sandboxId) => ctx.state.commands(sandboxId),
    onCommand(matcher, reply) {
      ctx.responders.push(async (commandCtx) => {
        if (!matches(matcher, commandCtx)) return undefined;
        return typeof reply === "function" ? reply(commandCtx) : reply;
      });
    },
    deleteCreated: () => ctx.backend.deleteCreated(),
    ready: async () => {
      await ctx.backend.ready?.();
    },
    reset() {
      ctx.state.clear();
      ctx.log.clear();
      ctx.faults.clear();
      ctx.rateLimits.clear();
      ctx.responders.length = 0;
      ctx.createOverrides.length = 0;
    },
  };
}
