/**
 * The seam between the emulator's routes and what stands behind a sandbox. One route table and one pipeline (auth,
 * request log, faults, latency, rate limits) serve every back end; the route handlers check requests and build
 * Daytona's answers, and ask the back end only for the effect: the in-memory model (`memory-backend.ts`, a mini
 * shell over an emulated filesystem) or any {@link SandboxDriver} (`driver-backend.ts`, in practice real local
 * sandboxes).
 * @module
 */
import type { CommandOutcome, CommandRequest } from "../command-types.js";
import type { FsFailure } from "../fs-state.js";
import type { FileInfo } from "../models.js";
import type { DownloadPart } from "../multipart.js";
import type { RouteInput } from "../route-input.js";
import type { EmulatorRoute } from "../routes.js";
import type { SeedSandbox } from "../state.js";
import type { SandboxRecord } from "../types.js";

/** A refusal of the control plane: the API's status and message. */
export interface ApiFailure {
  readonly status: number;
  readonly message: string;
}

/** True when a back end answered a refusal rather than a value. */
export function isApiFailure(value: unknown): value is ApiFailure {
  return (
    typeof value === "object" &&
    value !== null &&
    "status" in value &&
    "message" in value &&
    !("code" in value) &&
    !("id" in value)
  );
}

/** What `POST /sandbox` asks a back end to make, after the route checked the body. */
export type SandboxSeed = SeedSandbox & {
  createBody: Record<string, unknown>;
  dockerfileContent?: string;
  contextHashes?: string[];
  linkedSandboxId?: string;
  volumes?: SandboxRecord["volumes"];
};

/** The image or snapshot a create asks for, as the record will show it. */
export interface ImageChoice {
  /** The snapshot the record names (`undefined` for a create from an image). */
  readonly snapshot: string | undefined;
}

/** The session routes (`/toolbox/:id/process/session…`). */
export type SessionRoute = Extract<EmulatorRoute, `${string} /toolbox/process/session${string}`>;

/**
 * Answers a session route for a sandbox the toolbox proxy let through (started, known). A back end without its
 * own leaves the sessions to the in-memory model.
 */
export type SessionRoutes = (
  route: SessionRoute,
  input: RouteInput,
  box: SandboxRecord,
) => Response | Promise<Response>;

/** What stands behind the emulated sandboxes. Every method runs after the route's own checks passed. */
export interface ToolboxBackend {
  /** `"memory"` (the emulated model) or `"driver"` (a {@link SandboxDriver}'s real sandboxes). */
  readonly kind: "memory" | "driver";
  /** Where relative toolbox paths (and commands without `cwd`) start. */
  readonly homeDir: string;
  /** Loads what the back end already holds (a restart); awaited before each request when present. */
  ready?(): Promise<void>;
  /** Brings every record up to date before a list (sandboxes changed outside the server). */
  sync?(): Promise<void>;

  /** The snapshot a create body asks for, or the API's refusal (unknown snapshot: 400). */
  chooseImage(body: Record<string, unknown>, fromImage: boolean): ImageChoice | ApiFailure;
  /** Makes the sandbox and its record (settling as the back end does). */
  create(seed: SandboxSeed): Promise<SandboxRecord | ApiFailure>;
  /** Called on each `GET /sandbox/:id`: advances a pending state, or reads the real state. */
  onGet(box: SandboxRecord): Promise<ApiFailure | undefined>;
  /** Starts a stopped sandbox (the route checked the lifecycle rules). */
  start(box: SandboxRecord): Promise<ApiFailure | undefined>;
  /** Stops a started sandbox. */
  stop(box: SandboxRecord): Promise<ApiFailure | undefined>;
  /** Deletes a sandbox (also an ephemeral one's stop). */
  destroy(box: SandboxRecord): Promise<ApiFailure | undefined>;
  /** Replaces the user's labels. */
  setLabels(box: SandboxRecord, labels: Record<string, string>): Promise<ApiFailure | undefined>;
  /** Deletes the sandboxes this emulator created (not seeded or adopted ones); their ids. */
  deleteCreated(): Promise<string[]>;

  /** Writes files (parents created), each path absolute. */
  upload(
    box: SandboxRecord,
    files: readonly { path: string; bytes: Uint8Array }[],
  ): Promise<FsFailure | undefined>;
  /** One part per requested path: the bytes, or the daemon's per-file error. */
  download(box: SandboxRecord, paths: readonly string[]): Promise<DownloadPart[]>;
  /** A directory's entries, `depth` levels deep. */
  list(box: SandboxRecord, path: string, depth: number): Promise<FileInfo[] | FsFailure>;
  /** One path's details. */
  info(box: SandboxRecord, path: string): Promise<FileInfo | FsFailure>;
  /** Creates a directory and its parents. */
  folder(box: SandboxRecord, path: string, mode: string): Promise<FsFailure | undefined>;
  /** Deletes a file, or a directory with `recursive`. */
  remove(box: SandboxRecord, path: string, recursive: boolean): Promise<FsFailure | undefined>;
  /** Moves a file or a tree; never overwrites. */
  move(box: SandboxRecord, source: string, destination: string): Promise<FsFailure | undefined>;
  /** Runs one command (`process/execute`); records it on the sandbox. */
  execute(box: SandboxRecord, request: CommandRequest): Promise<CommandOutcome | FsFailure>;
  /** Answers the session routes; absent: the in-memory sessions of the record. */
  readonly sessions?: SessionRoutes;
  /** Releases what the back end opened (a driver it made). */
  dispose(): Promise<void>;
}
