import { createHash, randomBytes, randomUUID } from "node:crypto";
import type {
  BuildInfo,
  Sandbox,
  SandboxDesiredState,
  SandboxListItem,
  SandboxState,
} from "@daytona/api-client";
import { INITIAL_DIRS, mkdirp, resolvePath, writeFile } from "./fs-state.js";
import type { SnapshotRecord } from "./snapshot-rules.js";
import type { EmulatedSandboxState, RecordedCommand, SandboxRecord } from "./types.js";

/** The organization every emulated sandbox belongs to. */
export const EMULATOR_ORGANIZATION_ID = "emulator-org";

/** A preview/auth token shaped like Daytona's (32 lowercase alphanumerics). */
export function newPreviewToken(): string {
  return randomBytes(24).toString("base64url").replace(/[-_]/g, "x").slice(0, 32).toLowerCase();
}

let lastStamp = 0;

/**
 * The current time as an ISO string, strictly later than the previous stamp (at least 1 ms apart), so sandboxes
 * created or touched in the same millisecond still sort in the order things happened.
 */
export function stamp(): string {
  lastStamp = Math.max(Date.now(), lastStamp + 1);
  return new Date(lastStamp).toISOString();
}

/** Records activity on a sandbox (the API moves `lastActivityAt` on lifecycle calls and toolbox traffic). */
export function touch(box: SandboxRecord): void {
  box.lastActivityAt = stamp();
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
  networkBlockAll?: boolean;
  networkAllowList?: string;
  domainAllowList?: string;
  /** Minutes; `0` makes the sandbox ephemeral (a stop deletes it). @default -1 (never) */
  autoDeleteInterval?: number;
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
  /** Every snapshot by id (see `snapshot-rules.ts`); a deleted one is removed. */
  readonly snapshots = new Map<string, SnapshotRecord>();

  /** Removes every sandbox and snapshot. */
  clear(): void {
    this.sandboxes.clear();
    this.snapshots.clear();
  }

  /** The snapshot with this id or name. */
  findSnapshot(idOrName: string): SnapshotRecord | undefined {
    const byId = this.snapshots.get(idOrName);
    if (byId) return byId;
    for (const snapshot of this.snapshots.values()) if (snapshot.name === idOrName) return snapshot;
    return undefined;
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
    seed: SeedSandbox & {
      createBody?: Record<string, unknown>;
      dockerfileContent?: string;
      contextHashes?: string[];
      linkedSandboxId?: string;
      volumes?: SandboxRecord["volumes"];
    },
  ): SandboxRecord {
    const id = seed.id ?? randomUUID();
    const now = stamp();
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
      contextHashes: [...(seed.contextHashes ?? [])],
      networkBlockAll: seed.networkBlockAll ?? false,
      networkAllowList: seed.networkAllowList,
      domainAllowList: seed.domainAllowList,
      linkedSandboxId: seed.linkedSandboxId,
      volumes: [...(seed.volumes ?? [])],
      errorReason: seed.errorReason,
      recoverable: seed.recoverable,
      autoStopInterval: 15,
      autoArchiveInterval: 10080,
      autoDeleteInterval: seed.autoDeleteInterval ?? -1,
      createdAt: now,
      updatedAt: now,
      lastActivityAt: now,
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
  // Upstream renames a sandbox when it reaches `destroyed` (`DESTROYED_<name>_<ms>`): that is what frees its name
  // for a new sandbox. Until then (`destroying`) the name is still taken.
  if (state === "destroyed" && box.state !== "destroyed") box.name = `DESTROYED_${box.name}_${Date.now()}`;
  box.state = state;
  box.desiredState = desiredStateFor(state);
  box.pending = undefined;
  if (errorReason !== undefined) box.errorReason = errorReason;
  if (recoverable !== undefined) box.recoverable = recoverable;
  if (state === "started") box.errorReason = errorReason;
  box.updatedAt = stamp();
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
  box.updatedAt = stamp();
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

/** `buildInfo.snapshotRef` as the API derives it: `daytona-<sha256 of the Dockerfile and sorted context hashes>:daytona`. */
export function snapshotRefOf(dockerfileContent: string, contextHashes: readonly string[]): string {
  const hash = createHash("sha256")
    .update(dockerfileContent + [...contextHashes].sort().join(""))
    .digest("hex");
  return `daytona-${hash}:daytona`;
}

/** The desired state the API reports with the current state. */
function reportedDesiredState(box: SandboxRecord): SandboxDesiredState {
  return (box.pending ? desiredStateFor(box.pending.final) : box.desiredState) as SandboxDesiredState;
}

/**
 * The Sandbox DTO the API serves for a record (`SandboxDto.fromSandbox` upstream). `toolboxUrl` is `""` when the
 * emulator is told not to serve it.
 */
export function toDto(box: SandboxRecord, toolboxUrl: string): Sandbox {
  const dto: Sandbox = {
    ...commonFields(box, toolboxUrl),
    env: { ...box.env },
  };
  if (box.dockerfileContent !== undefined) {
    const buildInfo: BuildInfo = {
      dockerfileContent: box.dockerfileContent,
      contextHashes: [...box.contextHashes],
      createdAt: new Date(box.createdAt),
      updatedAt: new Date(box.createdAt),
      snapshotRef: snapshotRefOf(box.dockerfileContent, box.contextHashes),
    };
    dto.buildInfo = buildInfo;
  }
  if (box.volumes.length > 0) dto.volumes = box.volumes.map((v) => ({ ...v }));
  if (box.linkedSandboxId !== undefined) dto.linkedSandboxId = box.linkedSandboxId;
  return dto;
}

/** The list item `GET /sandbox` serves (no `env`, no `buildInfo`, as the API's `SandboxListItem`). */
export function toListItem(box: SandboxRecord, toolboxUrl: string): SandboxListItem {
  return commonFields(box, toolboxUrl);
}

/** The fields a Sandbox DTO and a list item share. */
function commonFields(box: SandboxRecord, toolboxUrl: string): SandboxListItem {
  const item: SandboxListItem = {
    id: box.id,
    organizationId: box.organizationId,
    name: box.name,
    target: box.target,
    user: box.user,
    labels: { ...box.labels },
    public: box.public,
    networkBlockAll: box.networkBlockAll,
    cpu: box.cpu,
    gpu: box.gpu,
    memory: box.memory,
    disk: box.disk,
    state: box.state as SandboxState,
    desiredState: reportedDesiredState(box),
    backupState: "None",
    autoStopInterval: box.autoStopInterval,
    autoArchiveInterval: box.autoArchiveInterval,
    autoDeleteInterval: box.autoDeleteInterval,
    sandboxClass: "container",
    createdAt: box.createdAt,
    updatedAt: box.updatedAt,
    lastActivityAt: box.lastActivityAt,
    toolboxProxyUrl: toolboxUrl,
  };
  if (box.snapshot !== undefined) item.snapshot = box.snapshot;
  if (box.networkAllowList !== undefined) item.networkAllowList = box.networkAllowList;
  if (box.domainAllowList !== undefined) item.domainAllowList = box.domainAllowList;
  if (box.errorReason !== undefined) item.errorReason = box.errorReason;
  if (box.recoverable !== undefined) item.recoverable = box.recoverable;
  return item;
}
