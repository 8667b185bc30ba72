/**
 * The in-memory back end: the emulator's own model. Files live in the record (`fs-state.ts`), commands run in the
 * mini shell (`commands.ts`), lifecycle changes take the configured number of polls. Fast and deterministic, for
 * unit tests; nothing real runs.
 * @module
 */
import { runCommand } from "../commands.js";
import type { EmulatorContext } from "../context.js";
import { fileInfo, HOME_DIR, listDir, mkdirp, move, remove, resolvePath, writeFile } from "../fs-state.js";
import type { DownloadErrorBody, DownloadPart } from "../multipart.js";
import { advanceOnPoll, applyState, beginTransition, newPreviewToken, stamp, touch } from "../state.js";
import type { ApiFailure, ImageChoice, ToolboxBackend } from "./toolbox-backend.js";

/** The upstream 400 of a create naming a snapshot that does not exist. */
export function unknownSnapshot(name: string | undefined): ApiFailure {
  return {
    status: 400,
    message: `Snapshot ${name ?? ""} not found. Did you add it through the Daytona Dashboard?`,
  };
}

/** The back end over the emulator's in-memory model (`ctx` is read lazily: it holds this back end). */
export function createMemoryBackend(context: () => EmulatorContext): ToolboxBackend {
  return {
    kind: "memory",
    homeDir: HOME_DIR,

    chooseImage(body, fromImage): ImageChoice | ApiFailure {
      if (fromImage) return { snapshot: undefined };
      const ctx = context();
      const { knownSnapshots } = ctx.options;
      const named = typeof body.snapshot === "string" ? body.snapshot.trim() : undefined;
      const snapshot = named || knownSnapshots[0];
      // A snapshot made through `POST /snapshots` (handlers/snapshots.ts) is usable once it is active.
      const made = snapshot === undefined ? undefined : ctx.state.findSnapshot(snapshot);
      if (made && made.state !== "active")
        return { status: 400, message: `Snapshot ${made.name} is ${made.state}` };
      if (made) return { snapshot: made.name };
      if (snapshot === undefined || !knownSnapshots.includes(snapshot)) return unknownSnapshot(snapshot);
      return { snapshot };
    },

    async create(seed) {
      const ctx = context();
      const box = ctx.state.add({ ...seed, state: "creating" });
      const override = ctx.createOverrides.shift();
      const polls = override?.stuck
        ? Number.POSITIVE_INFINITY
        : (override?.polls ?? ctx.options.pollsUntilStarted);
      beginTransition(
        box,
        "creating",
        override?.finalState ?? "started",
        polls,
        override?.errorReason,
        override?.recoverable,
      );
      return box;
    },

    async onGet(box) {
      advanceOnPoll(box);
      return undefined;
    },

    async start(box) {
      box.previewToken = newPreviewToken();
      touch(box);
      beginTransition(box, "starting", "started", context().options.pollsUntilStarted);
      return undefined;
    },

    async stop(box) {
      applyState(box, "stopped");
      return undefined;
    },

    async destroy(box) {
      applyState(box, "destroyed");
      return undefined;
    },

    async setLabels(box, labels) {
      box.labels = { ...labels };
      box.updatedAt = stamp();
      return undefined;
    },

    async deleteCreated() {
      const created = context()
        .state.live()
        .filter((box) => box.createBody !== undefined);
      for (const box of created) {
        applyState(box, "destroyed");
        box.sessions.clear();
      }
      return created.map((box) => box.id);
    },

    async upload(box, files) {
      for (const file of files) {
        const failure = writeFile(box, file.path, file.bytes);
        if (failure) return failure;
      }
      return undefined;
    },

    async download(box, paths) {
      return paths.map((requested): DownloadPart => {
        const path = resolvePath(requested);
        const bytes = box.files.get(path);
        if (bytes) return { kind: "file", path: requested, bytes };
        const isDir = box.dirs.has(path);
        // Per-file error parts name the FILE in `path` (not the request path), as the daemon writes them.
        const error: DownloadErrorBody = {
          statusCode: isDir ? 400 : 404,
          message: isDir
            ? `invalid file path: path points to a directory: ${requested}`
            : `file not found: ${requested}`,
          code: isDir ? "INVALID_FILE_PATH" : "FILE_NOT_FOUND",
          source: "DAYTONA_DAEMON",
          path: requested,
          method: "POST",
          timestamp: new Date().toISOString(),
        };
        return { kind: "error", path: requested, error };
      });
    },

    list: async (box, path, depth) => listDir(box, path, depth),
    info: async (box, path) => fileInfo(box, path),
    folder: async (box, path) => mkdirp(box, path),
    remove: async (box, path, recursive) => remove(box, path, recursive),
    move: async (box, source, destination) => move(box, source, destination),
    execute: (box, request) => runCommand(context(), box, request),
    dispose: async () => undefined,
  };
}
