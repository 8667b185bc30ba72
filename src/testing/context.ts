import type { ToolboxBackend } from "./backend/toolbox-backend.js";
import type { FaultRegistry } from "./faults.js";
import type { EmulatorRateLimiter } from "./rate-limits.js";
import type { RequestLog } from "./request-log.js";
import type { EmulatorState } from "./state.js";
import type { CommandResponder, CreateOverride, EmulatorClock } from "./types.js";

/** Options with every default applied. */
export interface ResolvedOptions {
  readonly apiUrl: string;
  readonly toolboxUrl: string;
  readonly apiKey: string;
  readonly knownRegions: readonly string[];
  readonly availableRegions: readonly string[];
  readonly legacyRegionMessage: boolean;
  readonly pollsUntilStarted: number;
  readonly uploadLimitBytes: number;
  readonly listPageSize: number;
  readonly latencyMs: number;
  readonly includeToolboxProxyUrl: boolean;
  readonly knownSnapshots: readonly string[];
  readonly commandResponder: CommandResponder | undefined;
  readonly clock: EmulatorClock;
  readonly previewUrl: ((sandboxId: string, port: number) => string) | undefined;
}

/** Everything the route handlers share. Internal to the emulator. */
export interface EmulatorContext {
  readonly options: ResolvedOptions;
  readonly state: EmulatorState;
  readonly log: RequestLog;
  readonly faults: FaultRegistry;
  readonly rateLimits: EmulatorRateLimiter;
  /** Overrides consumed, in order, by the next creates. */
  readonly createOverrides: CreateOverride[];
  /** Responders added with `onCommand`, newest last (tried newest first). */
  readonly responders: CommandResponder[];
  /** What stands behind the sandboxes: the in-memory model or a driver's real sandboxes. */
  readonly backend: ToolboxBackend;
}
