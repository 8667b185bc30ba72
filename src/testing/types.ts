import type { DaytonaSandboxState, SandboxDriver } from "../driver/types.js";
import type { ToolboxChoice } from "./backend/toolbox-option.js";
import type { EmulatorRateLimits } from "./rate-limits.js";
import type { EmulatorRoute } from "./routes.js";

/** Every sandbox state Daytona's API can report (the SDK's `SandboxState` enum, as strings). */
export type EmulatedSandboxState = DaytonaSandboxState;

/** One command the emulated daemon ran (through `process/execute` or a session), in order. */
export interface RecordedCommand {
  readonly sandboxId: string;
  readonly command: string;
  readonly cwd: string | undefined;
  readonly env: Readonly<Record<string, string>>;
  /** The `timeout` field as sent, in seconds (`undefined` when the client sent none). */
  readonly timeoutSeconds: number | undefined;
  /** Set for session commands. */
  readonly sessionId?: string;
  readonly exitCode: number;
  readonly output: string;
  /** True when the emulated run exceeded the timeout and the daemon answered 408. */
  readonly timedOut: boolean;
  /** `Date.now()` when the command was received. */
  readonly at: number;
}

/** One command inside a session, as `GET …/command/:id` and `…/logs` report it. */
export interface SessionCommandRecord {
  readonly id: string;
  readonly command: string;
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  output: string;
}

/** A process session (`process.createSession`). */
export interface SessionRecord {
  readonly sessionId: string;
  readonly commands: SessionCommandRecord[];
  /** The session shell's working directory: `cd` in one command carries over to the next. */
  cwd: string;
  /** Variables the session's commands exported (or assigned): they carry over to the next command. */
  readonly vars: Record<string, string>;
}

/** A pending state change: the next `remainingPolls` GETs answer `intermediate`, then `final` is applied. */
export interface PendingTransition {
  intermediate: EmulatedSandboxState;
  final: EmulatedSandboxState;
  /** `Infinity` keeps the sandbox stuck in `intermediate` forever. */
  remainingPolls: number;
  errorReason?: string;
  recoverable?: boolean;
}

/**
 * The emulator's record of one sandbox: the DTO fields it serves plus the emulated filesystem, sessions and
 * commands. Tests read it (and may mutate it) to arrange and assert.
 */
export interface SandboxRecord {
  readonly id: string;
  name: string;
  organizationId: string;
  user: string;
  state: EmulatedSandboxState;
  desiredState: string;
  target: string;
  labels: Record<string, string>;
  env: Record<string, string>;
  public: boolean;
  cpu: number;
  gpu: number;
  memory: number;
  disk: number;
  snapshot: string | undefined;
  /** The Dockerfile text when created from an image (`buildInfo.dockerfileContent`). */
  dockerfileContent: string | undefined;
  /** `buildInfo.contextHashes` as sent with the image (empty for a plain base image). */
  contextHashes: string[];
  /** Network settings echoed from the create body. */
  networkBlockAll: boolean;
  networkAllowList: string | undefined;
  domainAllowList: string | undefined;
  /** The create body's `linkedSandbox`, served as `linkedSandboxId`. */
  linkedSandboxId: string | undefined;
  /** The create body's `volumes` (`{ volumeId, mountPath, subpath? }`). */
  volumes: { volumeId: string; mountPath: string; subpath?: string }[];
  errorReason: string | undefined;
  recoverable: boolean | undefined;
  autoStopInterval: number;
  autoArchiveInterval: number;
  autoDeleteInterval: number;
  createdAt: string;
  updatedAt: string;
  /** Moves on create, start, stop and every toolbox request; `GET /sandbox` sorts by it (newest first) by default. */
  lastActivityAt: string;
  /** The preview token; replaced on every start. */
  previewToken: string;
  /** Every field of the create body, as received (undefined for seeded sandboxes). */
  createBody: Readonly<Record<string, unknown>> | undefined;
  pending: PendingTransition | undefined;
  /** Emulated files: absolute path → bytes. */
  readonly files: Map<string, Uint8Array>;
  /** Emulated directories (absolute paths, `/` included). */
  readonly dirs: Set<string>;
  readonly sessions: Map<string, SessionRecord>;
  /** Commands run in this sandbox, in order. */
  readonly commands: RecordedCommand[];
}

/** One logged request. */
export interface RequestLogEntry {
  readonly method: string;
  readonly route: EmulatorRoute;
  readonly url: string;
  /** The answered status; `0` for an injected connection error. */
  status: number;
  readonly sandboxId: string | undefined;
  /** The emulator clock's `now()` when the request arrived (`Date.now()` unless a `clock` was given). */
  readonly at: number;
  /** The throttler that answered 429 (`"sandbox-create"`, …), when a rate limit or a storm refused the request. */
  throttledBy: string | undefined;
  /** Set when an injected fault shaped the answer: `"status"`, `"connection"` or `"latency"`. */
  fault: "status" | "connection" | "latency" | undefined;
}

/**
 * A fault for one route. With only `latencyMs`, the request is answered normally after the delay.
 *
 * @example
 * emulator.faults.inject("POST /sandbox", { status: 429, headers: { "Retry-After": "2" } });
 * emulator.faults.inject("POST /sandbox", { status: 504, applyFirst: true }); // created, but the client sees 504
 */
export interface Fault {
  /** HTTP status to answer with. */
  status?: number;
  /** Response body: an object is sent as JSON, a string as text. @default a Daytona-shaped JSON error body */
  body?: unknown;
  /** Extra response headers, e.g. `{ "Retry-After": "3" }` or `{ "Retry-After-sandbox-create": "3" }`. */
  headers?: Record<string, string>;
  /** Delay before answering, in milliseconds. */
  latencyMs?: number;
  /** How many of the next calls fail. @default 1 */
  times?: number;
  /** Answer with a network error (`HttpResponse.error()`); the SDK sees `DaytonaConnectionError`. */
  connectionError?: boolean;
  /** Perform the real effect first (e.g. create the sandbox), then answer with the fault. */
  applyFirst?: boolean;
}

/**
 * Probabilistic faults for soak tests. Deterministic for a given `seed`.
 *
 * @example
 * emulator.faults.random({ rate: 0.2, seed: 42, kinds: [{ status: 503 }, { connectionError: true }] });
 */
export interface RandomFaultOptions {
  /** Probability in [0, 1] that a request gets a fault. */
  rate: number;
  /** Faults to draw from (uniformly). `times` is ignored. @default 503, 502, 429 with Retry-After, connection error */
  kinds?: Fault[];
  /** PRNG seed. @default 1 */
  seed?: number;
  /** Only these routes get random faults. @default every route except the socket.io probe */
  routes?: EmulatorRoute[];
}

/** What a command responder answers. */
export interface CommandReply {
  exitCode: number;
  /** Combined output (stdout then stderr, as the daemon merges them). */
  output: string;
  /** Separate streams for session logs. @default stdout = output, stderr = "" */
  stdout?: string;
  stderr?: string;
  /**
   * Emulated run time in milliseconds. When it exceeds the `timeout` the client sent, the daemon answers 408.
   * The emulator does not actually wait.
   * @default 0
   */
  durationMs?: number;
}

/** Helpers a responder can use to read and change the emulated filesystem. */
export interface CommandFs {
  /** The file's bytes, or `undefined` when it is missing. */
  readFile(path: string): Uint8Array | undefined;
  /** The file as UTF-8, or `undefined` when it is missing. */
  readText(path: string): string | undefined;
  /** Writes a file, creating its parent directories. */
  writeFile(path: string, content: Uint8Array | string): void;
  /** Whether a file or directory exists at `path`. */
  exists(path: string): boolean;
  /** Whether `path` is a directory. */
  isDirectory(path: string): boolean;
  /** Creates a directory and its parents. */
  mkdir(path: string): void;
  /** Removes a file or a directory tree; missing paths are ignored. */
  remove(path: string): void;
}

/** Everything a responder knows about a command. */
export interface CommandContext {
  readonly command: string;
  /** Working directory as sent (a session's current one), or the user's home (`/home/daytona`). */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number | undefined;
  readonly sessionId: string | undefined;
  /** The session (live: its `cwd` and `vars` carry over between its commands), for session commands. */
  readonly session: SessionRecord | undefined;
  readonly sandbox: SandboxRecord;
  readonly fs: CommandFs;
}

/**
 * Answers a command, or returns `undefined` to let the next responder (finally the default one) answer.
 *
 * @example
 * const responder: CommandResponder = ({ command }) =>
 *   command.startsWith("npm ") ? { exitCode: 0, output: "added 1 package\n" } : undefined;
 */
export type CommandResponder = (
  ctx: CommandContext,
) => CommandReply | undefined | Promise<CommandReply | undefined>;

/** How one `POST /sandbox` should end; queued with `emulator.sandboxes.onNextCreate`. */
export interface CreateOverride {
  /** State the sandbox settles in. @default "started" */
  finalState?: EmulatedSandboxState;
  errorReason?: string;
  recoverable?: boolean;
  /** GETs answering `creating` before `finalState`. @default the emulator's `pollsUntilStarted` */
  polls?: number;
  /** Stay in `creating` forever. */
  stuck?: boolean;
}

/** The time source of the emulator: rate-limit windows, latency and the request log's `at` run on it. */
export interface EmulatorClock {
  /** The current time in epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` milliseconds of this clock's time. */
  sleep(ms: number): Promise<void>;
}

/** Options of {@link createDaytonaEmulator}. */
export interface DaytonaEmulatorOptions {
  /** @default "https://api.daytona.test/api" */
  apiUrl?: string;
  /** @default "https://proxy.daytona.test/toolbox" */
  toolboxUrl?: string;
  /** Requests without `Authorization: Bearer <apiKey>` answer 401. @default "emulator-api-key" */
  apiKey?: string;
  /** @default { known: ["us", "eu"], available: ["us", "eu"] } */
  regions?: { known?: string[]; available?: string[] };
  /** Use the older 403 message without " for class container". @default false */
  legacyRegionMessage?: boolean;
  /** GETs answering `creating`/`starting` before `started`. 0 means POST answers `started`. @default 0 */
  pollsUntilStarted?: number;
  /** A bulk-upload whose file parts together exceed this answers 400. @default 5 MiB */
  uploadLimitBytes?: number;
  /** Page size of `GET /sandbox` when the client sends no `limit`. @default 100 */
  listPageSize?: number;
  /** Tried before the built-in responder. */
  commandResponder?: CommandResponder;
  /** Added to every request, in milliseconds (benchmarks). @default 0 */
  latencyMs?: number;
  /**
   * Serve the toolbox proxy URL in sandbox DTOs; `false` serves `toolboxProxyUrl: ""` (the field stays present, as
   * the SDK's model requires), which makes the SDK ask `GET /sandbox/:id/toolbox-proxy-url`. @default true
   */
  includeToolboxProxyUrl?: boolean;
  /**
   * Snapshots a create may name; any other answers 400 `Snapshot X not found. Did you add it through the Daytona
   * Dashboard?` as Daytona does. A create naming no snapshot and no image uses the first one.
   * @default ["daytona-small", "daytona-medium", "daytona-large"] (Daytona Cloud's pre-built snapshots)
   */
  knownSnapshots?: string[];
  /**
   * Per-throttler rate limits, as Daytona's API enforces them (see docs/testing-with-the-emulator.md), e.g.
   * `{ "sandbox-create": { limit: 60, windowMs: 60_000 } }`. Change them or start a 429 storm later through
   * `emulator.rateLimits`. @default none enforced
   */
  rateLimits?: EmulatorRateLimits;
  /**
   * The clock for rate-limit windows, latency and the request log (a `createSimulatedClock()` runs scenarios in
   * simulated time). @default real time (`Date.now`, `setTimeout`)
   */
  clock?: EmulatorClock;
  /**
   * Builds the URL `GET /sandbox/:id/ports/:port/preview-url` answers (the local Daytona server points it back at
   * itself). @default `https://<port>-<id>.<toolbox host>`
   *
   * @example
   * createDaytonaEmulator({ previewUrl: (id, port) => `http://127.0.0.1:8080/preview/${id}/${port}/` });
   */
  previewUrl?: (sandboxId: string, port: number) => string;
  /**
   * What stands behind the sandboxes. `"memory"`: the in-memory model (a mini shell, fast, deterministic).
   * `"local"`: one real local sandbox per Daytona sandbox (the local driver; Linux and root, see
   * docs/local-daytona.md): real files, real processes, real exit codes, state kept across restarts under `home`.
   * A {@link SandboxDriver}: its sandboxes. Same routes, bodies and errors either way; with a driver, create overrides
   * and `pollsUntilStarted` do not apply (calls answer once the real change is done). An invalid value throws.
   * @default "memory"
   *
   * @example
   * const emulator = createDaytonaEmulator({ toolbox: "local", home: "/tmp/kit-home" });
   */
  toolbox?: ToolboxChoice;
  /**
   * With `toolbox: "local"` only: where the local driver keeps images and sandboxes.
   * @default $DAYTONA_KIT_HOME, else ~/.cache/daytona-kit
   */
  home?: string;
}
