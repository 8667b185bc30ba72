/**
 * `@apex/daytona-kit/daytona`: the Daytona driver on its own, for callers who build or wrap drivers themselves.
 * `createKit({ driver: "daytona" })` needs nothing from here.
 * @module
 */
export type {
  DaytonaClientConfig,
  DaytonaClientLike,
  DaytonaCreateParams,
  DaytonaDownloadLike,
  DaytonaFileInfoLike,
  DaytonaSandboxLike,
  DaytonaSnapshotLike,
  DaytonaSnapshotServiceLike,
} from "./driver/daytona/client.js";
export { createDaytonaDriver, type DaytonaDriverOptions } from "./driver/daytona/index.js";
export { type ErrorContext, mapDaytonaError } from "./driver/daytona/map-error.js";
export type { DaytonaSandboxState } from "./driver/types.js";
