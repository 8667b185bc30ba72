/**
 * The back end over any {@link SandboxDriver} (in practice the local driver): each Daytona sandbox is one real
 * sandbox of the driver and the record adopts its id, so no id mapping exists. The driver's records are the source
 * of truth: the Daytona-side fields ride in the sandbox's labels (`daytona-labels.ts`), the emulator's records are
 * rebuilt from them when the server starts again, and GETs and lists read the real state.
 *
 * Records the driver does not know (seeded with `emulator.sandboxes.seed`) keep the in-memory behaviour.
 * @module
 */
import { randomBytes } from "node:crypto";
import type { SandboxDriver, SandboxInfo } from "../../driver/types.js";
import type { EmulatorContext } from "../context.js";
import { missingSandbox } from "../lifecycle-rules.js";
import { applyState, newPreviewToken, stamp, touch } from "../state.js";
import type { EmulatedSandboxState, SandboxRecord } from "../types.js";
import { CREATED_BY_LABEL, fromLocalLabels, isServedSandbox, toLocalLabels } from "./daytona-labels.js";
import { apiFailureOf } from "./driver-answers.js";
import { driverToolbox } from "./driver-toolbox.js";
import { chooseLocalImage } from "./local-image-choice.js";
import { createMemoryBackend } from "./memory-backend.js";
import type { ApiFailure, SessionRoutes, ToolboxBackend } from "./toolbox-backend.js";
import { unservedSessions } from "./unserved-sessions.js";

/** Options of {@link createDriverBackend}. */
export interface DriverBackendOptions {
  /** Where relative toolbox paths and commands without `cwd` start. @default "/workspace" (the local driver's) */
  readonly homeDir?: string;
  /** Marks the sandboxes this emulator creates (`deleteCreated` deletes only those). @default a random id */
  readonly runId?: string;
  /** Dispose the driver with the back end (it was made for it). @default false */
  readonly ownsDriver?: boolean;
  /** Answers the session routes. @default 501 naming the route */
  readonly sessions?: SessionRoutes;
}

/** How long one lifecycle call may take (a create from a built image takes seconds). */
const LIFECYCLE_MS = 120_000;

const asState = (state: string) => state as EmulatedSandboxState;

/**
 * A {@link ToolboxBackend} over `driver`. `context` is read lazily (the context holds this back end).
 *
 * @example
 * const backend = createDriverBackend(() => ctx, createLocalDriver({ home }), { ownsDriver: true });
 */
export function createDriverBackend(
  context: () => EmulatorContext,
  driver: SandboxDriver,
  options: DriverBackendOptions = {},
): ToolboxBackend {
  const homeDir = options.homeDir ?? "/workspace";
  const runId = options.runId ?? `run-${randomBytes(6).toString("hex")}`;
  const memory = createMemoryBackend(context);
  const toolbox = driverToolbox(driver, homeDir);
  /** Ids of records that are real sandboxes of the driver. */
  const real = new Set<string>();
  /** Ids with a lifecycle call in flight: their state is the route's, not yet the driver's. */
  const busy = new Set<string>();
  /** Names of creates in flight (the record exists only once the driver made the sandbox). */
  const pendingNames = new Set<string>();
  let loading: Promise<void> | undefined;

  const isReal = (box: SandboxRecord) => real.has(box.id);

  /** Adds the record of a served sandbox the emulator does not know yet. */
  const adopt = (info: SandboxInfo): void => {
    const ctx = context();
    if (ctx.state.sandboxes.has(info.id)) return;
    const side = fromLocalLabels(info.labels, info.id, ctx.options.availableRegions[0] ?? "us");
    ctx.state.add({
      id: info.id,
      name: side.name,
      target: side.target,
      labels: { ...side.labels },
      state: asState(info.state),
      ...(side.snapshot !== undefined ? { snapshot: side.snapshot } : {}),
      ...(info.errorReason !== undefined ? { errorReason: info.errorReason } : {}),
      ...(info.cpu !== undefined ? { cpu: info.cpu } : {}),
      ...(info.memoryGiB !== undefined ? { memory: info.memoryGiB } : {}),
      ...(info.diskGiB !== undefined ? { disk: info.diskGiB } : {}),
    });
    real.add(info.id);
  };

  /** The record follows the driver's state (unless a call of ours is changing it). */
  const follow = (box: SandboxRecord, info: SandboxInfo): void => {
    if (busy.has(box.id) || box.state === "destroyed") return;
    if (info.state !== box.state) applyState(box, asState(info.state), info.errorReason);
  };

  /** Reads every served sandbox of the driver: adopts new ones, updates known ones, marks vanished ones destroyed. */
  const readAll = async (): Promise<void> => {
    const listed = await driver.list();
    if (listed.isErr()) return;
    const served = listed.value.filter((info) => isServedSandbox(info.labels));
    const seen = new Set(served.map((info) => info.id));
    const ctx = context();
    for (const info of served) {
      const box = ctx.state.sandboxes.get(info.id);
      if (box) follow(box, info);
      else adopt(info);
    }
    for (const id of real) {
      const box = ctx.state.sandboxes.get(id);
      if (box && !seen.has(id) && !busy.has(id) && box.state !== "destroyed") applyState(box, "destroyed");
    }
  };

  /** Runs a lifecycle call with the record in `during` until the driver answers. */
  const transition = async (
    box: SandboxRecord,
    during: EmulatedSandboxState,
    final: EmulatedSandboxState,
    call: () => Promise<ApiFailure | undefined>,
  ): Promise<ApiFailure | undefined> => {
    busy.add(box.id);
    box.state = during;
    box.desiredState = final === "destroyed" ? "destroyed" : final;
    box.updatedAt = stamp();
    try {
      return await call();
    } finally {
      busy.delete(box.id);
      // Whatever happened, the record ends in the driver's state (or gone).
      if (box.state === during) {
        const fresh = await driver.get(box.id);
        if (fresh.isOk()) applyState(box, asState(fresh.value.state), fresh.value.errorReason);
        else if (fresh.error.kind === "NotFound") applyState(box, "destroyed");
        else applyState(box, "error", fresh.error.message);
      }
    }
  };

  const wait = { timeoutMs: LIFECYCLE_MS };

  return {
    kind: "driver",
    homeDir,

    ready() {
      loading ??= readAll().catch((error: unknown) => {
        loading = undefined;
        throw error;
      });
      return loading;
    },

    sync: () => readAll(),

    chooseImage(body, fromImage) {
      const chosen = chooseLocalImage(body);
      if (chosen.isErr()) return { status: 400, message: chosen.error };
      return { snapshot: fromImage ? undefined : chosen.value };
    },

    async create(seed) {
      const name = seed.name;
      if (name !== undefined && pendingNames.has(name)) {
        return { status: 409, message: `Sandbox with name ${name} already exists` };
      }
      const image = chooseLocalImage(seed.createBody);
      if (image.isErr()) return { status: 400, message: image.error };
      const target = seed.target ?? context().options.availableRegions[0] ?? "us";
      const labels = toLocalLabels({
        labels: seed.labels ?? {},
        name,
        target,
        createdBy: runId,
        snapshot: seed.snapshot,
      });
      if (labels.isErr()) return { status: 400, message: labels.error };
      if (name !== undefined) pendingNames.add(name);
      try {
        const made = await driver.create({
          image: image.value,
          labels: labels.value,
          envVars: seed.env ?? {},
          // Memory, CPU and disk become the local limits; GPUs, volumes, network rules and auto-stop are ignored.
          resources: { cpu: seed.cpu ?? 1, memoryGiB: seed.memory ?? 1, diskGiB: seed.disk ?? 3 },
          timeoutMs: LIFECYCLE_MS,
        });
        if (made.isErr()) {
          const failure = apiFailureOf(made.error, name ?? "");
          return made.error.kind === "Conflict" && name !== undefined
            ? { status: 409, message: `Sandbox with name ${name} already exists` }
            : failure;
        }
        const info = made.value;
        real.add(info.id);
        return context().state.add({
          ...seed,
          id: info.id,
          target,
          state: asState(info.state),
          cpu: info.cpu ?? seed.cpu ?? 1,
          memory: info.memoryGiB ?? seed.memory ?? 1,
          disk: info.diskGiB ?? seed.disk ?? 3,
        });
      } finally {
        if (name !== undefined) pendingNames.delete(name);
      }
    },

    async onGet(box) {
      if (!isReal(box)) return memory.onGet(box);
      if (busy.has(box.id)) return undefined;
      const fresh = await driver.get(box.id);
      if (fresh.isOk()) follow(box, fresh.value);
      else if (fresh.error.kind === "NotFound") {
        applyState(box, "destroyed");
        return { status: 404, message: missingSandbox(box.id).message };
      }
      return undefined;
    },

    async start(box) {
      if (!isReal(box)) return memory.start(box);
      box.previewToken = newPreviewToken();
      touch(box);
      return transition(box, "starting", "started", async () => {
        const started = await driver.start(box.id, wait);
        if (started.isErr()) return apiFailureOf(started.error, box.id);
        applyState(box, asState(started.value.state));
        return undefined;
      });
    },

    async stop(box) {
      if (!isReal(box)) return memory.stop(box);
      return transition(box, "stopping", "stopped", async () => {
        const stopped = await driver.stop(box.id, wait);
        if (stopped.isErr()) return apiFailureOf(stopped.error, box.id);
        applyState(box, asState(stopped.value.state));
        return undefined;
      });
    },

    async destroy(box) {
      if (!isReal(box)) return memory.destroy(box);
      return transition(box, "destroying", "destroyed", async () => {
        const deleted = await driver.delete(box.id, wait);
        // Already gone is what a delete wants.
        if (deleted.isErr() && deleted.error.kind !== "NotFound") return apiFailureOf(deleted.error, box.id);
        applyState(box, "destroyed");
        return undefined;
      });
    },

    async setLabels(box, labels) {
      if (!isReal(box)) return memory.setLabels(box, labels);
      // The server's own labels are read back from the driver, so only the user's part changes.
      const current = await driver.get(box.id);
      if (current.isErr()) return apiFailureOf(current.error, box.id);
      const side = fromLocalLabels(current.value.labels, box.id, box.target);
      const local = toLocalLabels({ ...side, labels });
      if (local.isErr()) return { status: 400, message: local.error };
      const set = await driver.setLabels(box.id, local.value);
      if (set.isErr()) return apiFailureOf(set.error, box.id);
      box.labels = { ...labels };
      box.updatedAt = stamp();
      return undefined;
    },

    async deleteCreated() {
      const mine = await driver.list({ labels: { [CREATED_BY_LABEL]: runId } });
      if (mine.isErr()) return [];
      const deleted: string[] = [];
      for (const info of mine.value) {
        const gone = await driver.delete(info.id, wait);
        if (gone.isErr() && gone.error.kind !== "NotFound") continue;
        deleted.push(info.id);
        const box = context().state.sandboxes.get(info.id);
        if (box && box.state !== "destroyed") {
          applyState(box, "destroyed");
          box.sessions.clear();
        }
      }
      return deleted;
    },

    // Files and commands of real sandboxes go to the driver (driver-toolbox.ts); seeded records stay in memory.
    upload: (box, files) => (isReal(box) ? toolbox.upload(box, files) : memory.upload(box, files)),
    download: (box, paths) => (isReal(box) ? toolbox.download(box, paths) : memory.download(box, paths)),
    list: (box, path, depth) =>
      isReal(box) ? toolbox.list(box, path, depth) : memory.list(box, path, depth),
    info: (box, path) => (isReal(box) ? toolbox.info(box, path) : memory.info(box, path)),
    folder: (box, path, mode) =>
      isReal(box) ? toolbox.folder(box, path, mode) : memory.folder(box, path, mode),
    remove: (box, path, recursive) =>
      isReal(box) ? toolbox.remove(box, path, recursive) : memory.remove(box, path, recursive),
    move: (box, source, destination) =>
      isReal(box) ? toolbox.move(box, source, destination) : memory.move(box, source, destination),
    execute: (box, request) => (isReal(box) ? toolbox.execute(box, request) : memory.execute(box, request)),

    sessions: options.sessions ?? unservedSessions,

    async dispose() {
      if (options.ownsDriver) await driver.dispose();
    },
  };
}
