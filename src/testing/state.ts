import { randomBytes, randomUUID } from "node:crypto";
import { INITIAL_DIRS, mkdirp, resolvePath, writeFile } from "./fs-state.js";
import type { EmulatedSandboxState, RecordedCommand, SandboxRecord } from "./types.js";

/** The organization every emulated sandbox belongs to. */
export const EMULATOR_ORGANIZATION_ID = "emulator-org";

/** A preview/auth token shaped like Daytona's (32 lowercase alphanumerics). */
export function newPreviewToken(): string {
  return randomBytes(24).toString("base64url").replace(/[-_]/g, "x").slice(0, 32).toLowerCase();
}

/** Fields a test may set when seeding a sandbox directly into state. */
export interface SeedSandbox {
  id?: string;
  name?: string;
  state?: EmulatedSandboxState;
  target?: string;
  labels?: Record<string, string>;
  env?: Record<string, string>;
  snapshot?: string;
  errorReason?: string;
  recoverable?: boolean;
  public?: boolean;
  cpu?: number;
  memory?: number;
  disk?: number;
  /** Files to place in the emulated filesystem: path → text or bytes. */
  files?: Record<string, string | Uint8Array>;
}

/**
 * The emulator's in-memory world: sandboxes by id (destroyed ones are kept, with state `destroyed`, so tests can
 * still inspect them) and the order they were created in.
 */
export class EmulatorState {
  /** Every sandbox by id, destroyed ones included. */
  readonly sandboxes = new Map<string, SandboxRecord>();

  /** Removes every sandbox. */
  clear(): void {
    this.sandboxes.clear();
  }

  /** The sandbox with this id or name, unless it was destroyed. */
  find(idOrName: string): SandboxRecord | undefined {
    const byId = this.sandboxes.get(idOrName);
    if (byId && byId.state !== "destroyed") return byId;
    for (const box of this.sandboxes.values()) {
      if (box.name === idOrName && box.state !== "destroyed") return box;
    }
    return undefined;
  }

  /** Every live (not destroyed) sandbox, newest first (the API's default order). */
  live(): SandboxRecord[] {
    return [...this.sandboxes.values()].filter((b) => b.state !== "destroyed").reverse();
  }

  /** Every command run in one sandbox, or in all of them (in arrival order). */
  commands(sandboxId?: string): RecordedCommand[] {
    if (sandboxId !== undefined) return [...(this.sandboxes.get(sandboxId)?.commands ?? [])];
    return [...this.sandboxes.values()].flatMap((b) => b.commands).sort((a, b) => a.at - b.at);
  }

  /** Creates a sandbox record from seed fields (used by create and by `sandboxes.seed`). */
  add(
    seed: SeedSandbox & { createBody?: Record<string, unknown>; dockerfileContent?: string },
  ): SandboxRecord {
    const id = seed.id ?? randomUUID();
    const now = new Date().toISOString();
    const state = seed.state ?? "started";
    const box: SandboxRecord = {
      id,
      name: seed.name ?? id,
      organizationId: EMULATOR_ORGANIZATION_ID,
      user: "daytona",
      state,
      desiredState: desiredStateFor(state),
      target: seed.target ?? "us",
      labels: { ...(seed.labels ?? {}) },
      env: { ...(seed.env ?? {}) },
      public: seed.public ?? false,
      cpu: seed.cpu ?? 1,
      gpu: 0,
      memory: seed.memory ?? 1,
      disk: seed.disk ?? 3,
      snapshot: seed.snapshot,
      dockerfileContent: seed.dockerfileContent,
      errorReason: seed.errorReason,
      recoverable: seed.recoverable,
      autoStopInterval: 15,
      autoArchiveInterval: 10080,
      autoDeleteInterval: -1,
      createdAt: now,
      updatedAt: now,
      previewToken: newPreviewToken(),
      createBody: seed.createBody,
      pending: undefined,
      files: new Map(),
      dirs: new Set(),
      sessions: new Map(),
      commands: [],
    };
    for (const dir of INITIAL_DIRS) mkdirp(box, dir);
    for (const [path, content] of Object.entries(seed.files ?? {})) {
      const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
      writeFile(box, resolvePath(path), bytes);
    }
    this.sandboxes.set(id, box);
    return box;
  }
}

/** The desired state the API pairs with a settled state. */
export function desiredStateFor(state: EmulatedSandboxState): string {
  switch (state) {
    case "stopped":
    case "stopping":
      return "stopped";
    case "destroyed":
    case "destroying":
      return "destroyed";
    case "archived":
    case "archiving":
      return "archived";
    default:
      return "started";
  }
}

/** Sets a sandbox's state (and error fields), cancelling any pending transition. */
export function applyState(
  box: SandboxRecord,
  state: EmulatedSandboxState,
  errorReason?: string,
  recoverable?: boolean,
): void {
  box.state = state;
  box.desiredState = desiredStateFor(state);
  box.pending = undefined;
  if (errorReason !== undefined) box.errorReason = errorReason;
  if (recoverable !== undefined) box.recoverable = recoverable;
  if (state === "started") box.errorReason = errorReason;
  box.updatedAt = new Date().toISOString();
}

/** Puts a sandbox in `intermediate` for `polls` GETs, then `final` (immediately when `polls` is 0). */
export function beginTransition(
  box: SandboxRecord,
  intermediate: EmulatedSandboxState,
  final: EmulatedSandboxState,
  polls: number,
  errorReason?: string,
  recoverable?: boolean,
): void {
  if (polls <= 0) {
    applyState(box, final, errorReason, recoverable);
    return;
  }
  box.state = intermediate;
  box.desiredState = desiredStateFor(final);
  box.updatedAt = new Date().toISOString();
  box.pending = { intermediate, final, remainingPolls: polls };
  if (errorReason !== undefined) box.pending.errorReason = errorReason;
  if (recoverable !== undefined) box.pending.recoverable = recoverable;
}

/** Advances a pending transition by one poll: answers the intermediate state or applies the final one. */
export function advanceOnPoll(box: SandboxRecord): void {
  const pending = box.pending;
  if (!pending) return;
  if (pending.remainingPolls > 0) {
    pending.remainingPolls -= 1;
    return;
  }
  applyState(box, pending.final, pending.errorReason, pending.recoverable);
}

/** The Sandbox DTO the API serves for a record. */
export function toDto(box: SandboxRecord, toolboxUrl: string | undefined): Record<string, unknown> {
  const dto: Record<string, unknown> = {
    id: box.id,
    organizationId: box.organizationId,
    name: box.name,
    user: box.user,
    env: { ...box.env },
    labels: { ...box.labels },
    public: box.public,
    networkBlockAll: false,
    target: box.target,
    cpu: box.cpu,
    gpu: box.gpu,
    memory: box.memory,
    disk: box.disk,
    state: box.state,
    desiredState: box.pending ? desiredStateFor(box.pending.final) : box.desiredState,
    backupState: "None",
    autoStopInterval: box.autoStopInterval,
    autoArchiveInterval: box.autoArchiveInterval,
    autoDeleteInterval: box.autoDeleteInterval,
    createdAt: box.createdAt,
    updatedAt: box.updatedAt,
  };
  if (box.snapshot !== undefined) dto.snapshot = box.snapshot;
  if (box.dockerfileContent !== undefined) {
    dto.buildInfo = { dockerfileContent: box.dockerfileContent, createdAt: box.createdAt };
  }
  if (box.errorReason !== undefined) dto.errorReason = box.errorReason;
  if (box.recoverable !== undefined) dto.recoverable = box.recoverable;
  if (toolboxUrl !== undefined) dto.toolboxProxyUrl = toolboxUrl;
  return dto;
}
