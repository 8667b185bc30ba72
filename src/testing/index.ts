/**
 * `@apex/daytona-kit/testing`: an emulator of Daytona's HTTP API (msw v2 handlers + in-memory state) that runs the
 * real `@daytonaio/sdk` in tests; `startLocalDaytona`, the same emulator served over HTTP on 127.0.0.1 for clients
 * in other processes; and `createMemoryDriver()`, an in-memory driver for the port that shares the emulator's
 * sandbox model. msw is an optional peer dependency needed only by the emulator; `@hono/node-server` one needed
 * only to serve.
 */
export type { ToolboxChoice } from "./backend/toolbox-option.js";
export { defaultResponder } from "./default-responder.js";
export {
  type CommandMatcher,
  createDaytonaEmulator,
  type DaytonaEmulator,
  type EmulatorSandboxes,
} from "./emulator.js";
export { FaultRegistry } from "./faults.js";
export {
  createMemoryDriver,
  type MemoryDriver,
  type MemoryDriverCall,
  type MemoryDriverMethod,
  type MemoryDriverOptions,
} from "./memory-driver.js";
export {
  type EmulatedThrottler,
  EmulatorRateLimiter,
  type EmulatorRateLimits,
  type ThrottleDecision,
  type ThrottlerLimit,
  throttlersOf,
} from "./rate-limits.js";
export { EMULATOR_ROUTES, type EmulatorRoute, isEmulatorRoute } from "./routes.js";
export { type LocalDaytona, type LocalDaytonaOptions, startLocalDaytona } from "./serve/local-daytona.js";
export { createSimulatedClock, type SimulatedClock, type SimulatedClockOptions } from "./simulated-clock.js";
export type { SnapshotRecord, SnapshotState } from "./snapshot-rules.js";
export { EmulatorState, type SeedSandbox } from "./state.js";
export type {
  CommandContext,
  CommandFs,
  CommandReply,
  CommandResponder,
  CreateOverride,
  DaytonaEmulatorOptions,
  EmulatedSandboxState,
  EmulatorClock,
  Fault,
  PendingTransition,
  RandomFaultOptions,
  RecordedCommand,
  RequestLogEntry,
  SandboxRecord,
  SessionCommandRecord,
  SessionRecord,
} from "./types.js";
