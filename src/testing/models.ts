/**
 * The response bodies the emulator builds, typed by the SDK's own generated models (`@daytona/api-client` and
 * `@daytona/toolbox-api-client`, the versions `@daytonaio/sdk` installs), so a body that lacks a field the SDK's
 * model requires fails `tsc`. Type-only imports: nothing of these packages reaches the emulator's JavaScript, and
 * none of these names is part of the public `./testing` types.
 */
import type {
  BuildInfo,
  ListSandboxesResponse,
  PaginatedSnapshots,
  PortPreviewUrl,
  Sandbox,
  SandboxLabels,
  SandboxListItem,
  SandboxState,
  SnapshotDto,
  ToolboxProxyUrl,
  Url,
} from "@daytona/api-client";
import type {
  Command,
  ErrorResponse,
  ExecuteResponse,
  FileInfo,
  Session,
  SessionCommandLogsResponse,
  SessionExecuteResponse,
} from "@daytona/toolbox-api-client";

export type {
  BuildInfo,
  Command,
  ErrorResponse,
  ExecuteResponse,
  FileInfo,
  ListSandboxesResponse,
  PaginatedSnapshots,
  PortPreviewUrl,
  Sandbox,
  SandboxLabels,
  SandboxListItem,
  SandboxState,
  Session,
  SessionCommandLogsResponse,
  SessionExecuteResponse,
  SnapshotDto,
  ToolboxProxyUrl,
  Url,
};

/**
 * The API's error body: the five fields of `AllExceptionsFilter` in Daytona's `apps/api`, plus `code`, `source`
 * and `method`, which Daytona Cloud's newer filter adds. The API's OpenAPI spec declares no schema for it, so it
 * is written out here.
 */
export interface ApiErrorBody {
  readonly path: string;
  readonly timestamp: string;
  readonly statusCode: number;
  readonly error: string;
  readonly message: string;
  readonly code: string;
  readonly source: "DAYTONA_API";
  readonly method: string;
}

/** `{ cmdId }`, the 202 body of an asynchronous session command (the SDK's model has only optional extras). */
export type SessionExecuteAccepted = Pick<SessionExecuteResponse, "cmdId">;
