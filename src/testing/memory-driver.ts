/**
 * `createMemoryDriver()`: a {@link SandboxDriver} that keeps every sandbox in memory, for fast unit tests of code
 * written against the port (or against `createKit({ driver })`). It shares its model with the Daytona emulator:
 * the same sandbox records ({@link EmulatorState}), filesystem rules (`fs-state.ts`), lifecycle rules
 * (`lifecycle-rules.ts`) and mini shell, so the two cannot drift. What it leaves out is HTTP and the SDK: use the
 * emulator to test the Daytona driver itself, this driver to test what sits above the port.
 * @module
 */
import { readFile } from "node:fs/promises";
import { err, ok, type Result, ResultAsync } from "neverthrow";
import type { SandboxDriver } from "../driver/types.js";
import { isKitError, type KitError, kitError } from "../errors.js";
import { mkdirp } from "./fs-state.js";
import { isRefusal, toolboxRule } from "./lifecycle-rules.js";
import {
  checkId,
  checkMs,
  checkObject,
  checkPath,
  checkStringRecord,
  firstFailure,
  optional,
} from "./memory-arguments.js";
import { refusalError } from "./memory-errors.js";
import { runMemoryCommand } from "./memory-exec.js";
import {
  deleteFileIn,
  downloadFrom,
  fileEntryOf,
  folderIn,
  listFilesIn,
  moveFileIn,
  uploadTo,
} from "./memory-files.js";
import {
  createIn,
  deleteIn,
  findLive,
  infoOf,
  labelIn,
  listIn,
  startIn,
  stopIn,
} from "./memory-lifecycle.js";
import {
  checkRequest,
  type MemoryDriverCall,
  type MemoryDriverMethod,
  type MemoryDriverOptions,
  resolveOptions,
} from "./memory-options.js";
import { deletePrebakedIn, listPrebakedIn, prebakeIn } from "./memory-prebake.js";
import { EmulatorState, type SeedSandbox } from "./state.js";
import type { SandboxRecord } from "./types.js";

export type { MemoryDriverCall, MemoryDriverMethod, MemoryDriverOptions };

/** The memory driver: the port, plus ways to arrange and inspect its sandboxes without going through the port. */
export interface MemoryDriver extends SandboxDriver {
  /** The shared model: every sandbox record (destroyed ones too, with state `destroyed`). */
  readonly state: EmulatorState;
  /**
   * Adds a sandbox directly (no port call, no `onCall`): started unless `seed.state` says otherwise, with
   * `seed.files` in place. Returns its record; `record.id` is what the port methods take.
   */
  seed(seed?: SeedSandbox): SandboxRecord;
  /** Absolute paths of every file of a sandbox, sorted (`[]` for an unknown id). */
  filePaths(id: string): string[];
  /** Absolute paths of every directory of a sandbox, sorted (`[]` for an unknown id). */
  dirPaths(id: string): string[];
  /** A copy of one file's bytes, or `undefined`. */
  peek(id: string, path: string): Uint8Array | undefined;
}

/**
 * Creates an empty in-memory driver. Every method returns a `ResultAsync` with the `KitError` kinds the real
 * drivers return (`NotFound` for an unknown sandbox, `Conflict` for files or exec on a stopped one,
 * `InvalidArgument` for a bad argument from a JavaScript caller), and none throws.
 *
 * `exec` runs the emulator's mini shell (see docs/testing-with-the-emulator.md for what it runs); a command's
 * emulated run time (`sleep 2`) is waited for real, so deadlines and AbortSignals behave as on a real sandbox.
 * `previewLink` answers `Unsupported`: no servers run in memory.
 *
 * @throws TypeError when an option has the wrong type (a programming error, found at construction).
 * @example
 * ```ts
 * import { createKit } from "@apex/daytona-kit";
 * import { createMemoryDriver } from "@apex/daytona-kit/testing";
 *
 * const kit = createKit({ driver: createMemoryDriver() });
 * const sandbox = (await kit.ensure({ projectId: "demo" }))._unsafeUnwrap();
 * await sandbox.fs.writeText("hello.txt", "hi\n");
 * (await sandbox.exec("cat hello.txt"))._unsafeUnwrap().output; // "hi\n"
 * ```
 */
export function createMemoryDriver(options: MemoryDriverOptions = {}): MemoryDriver {
  const settings = resolveOptions(options);
  const state = new EmulatorState();
  const responders = settings.commandResponder ? [settings.commandResponder] : [];
  /** Commands waiting out their run time, by sandbox: a stop or delete ends them (as it ends every process). */
  const running = new Map<string, Set<AbortController>>();
  /** Runs a stop or delete; when it succeeds, every command still running in that sandbox ends. */
  const ending = <T>(id: string, act: () => Result<T, KitError>): Result<T, KitError> => {
    const boxId = state.find(id)?.id ?? id; // `id` may be a name
    const result = act();
    if (result.isOk()) for (const controller of running.get(boxId) ?? []) controller.abort();
    return result;
  };

  /** The one boundary: fault hook, latency, argument checks, and any throw turned into `Unexpected`. */
  const call = <T>(
    method: MemoryDriverMethod,
    args: unknown[],
    run: () => Result<T, KitError> | Promise<Result<T, KitError>>,
  ): ResultAsync<T, KitError> =>
    new ResultAsync(
      (async (): Promise<Result<T, KitError>> => {
        try {
          const injected = settings.onCall?.({ method, args });
          if (injected) return err(injected);
          if (settings.latencyMs > 0) await new Promise((r) => setTimeout(r, settings.latencyMs));
          return await run();
        } catch (cause) {
          return err(kitError.unexpected(`The memory driver's ${method} failed unexpectedly.`, { cause }));
        }
      })(),
    );
  /** The checks, then `run` with the started sandbox `id` (toolbox calls: files and exec). */
  const onRunning = <T>(
    method: MemoryDriverMethod,
    id: unknown,
    failure: KitError | undefined,
    run: (box: SandboxRecord) => Result<T, KitError> | Promise<Result<T, KitError>>,
  ): Result<T, KitError> | Promise<Result<T, KitError>> => {
    const bad = checkId(id) ?? failure;
    if (bad) return err(bad);
    const box = toolboxRule(state.sandboxes.get(id as string), id as string);
    return isRefusal(box) ? err(refusalError(box, id as string, method)) : run(box);
  };
  const checked = <T>(failure: KitError | undefined, run: () => Result<T, KitError>) =>
    failure ? err(failure) : run();

  const driver: MemoryDriver = {
    name: "memory",
    state,

    create: (spec) =>
      call("create", [spec], () =>
        checked(
          firstFailure(
            () => checkObject(spec, "spec"),
            () => optional(spec.name, (v) => checkId(v, "name")),
            () => optional(spec.target, (v) => checkId(v, "target")),
            () => optional(spec.labels, (v) => checkStringRecord(v, "labels")),
            () => optional(spec.envVars, (v) => checkStringRecord(v, "envVars")),
            () => optional(spec.resources, (v) => checkObject(v, "resources")),
            () => checkMs(spec.timeoutMs, "timeoutMs"),
          ) ?? (spec.signal?.aborted ? kitError.aborted("create", spec.signal.reason) : undefined),
          () => createIn(state, spec, settings.target, settings.dirs),
        ),
      ),
    get: (id) => call("get", [id], () => checked(checkId(id), () => findLive(state, id).map(infoOf))),
    list: (query) =>
      call("list", [query], () =>
        checked(
          firstFailure(
            () => optional(query, (v) => checkObject(v, "query")),
            () => optional(query?.labels, (v) => checkStringRecord(v, "labels")),
          ),
          () => ok(listIn(state, query?.labels ?? {})),
        ),
      ),
    start: (id, wait) => call("start", [id, wait], () => checked(checkId(id), () => startIn(state, id))),
    stop: (id, wait) =>
      call("stop", [id, wait], () => checked(checkId(id), () => ending(id, () => stopIn(state, id)))),
    delete: (id, wait) =>
      call("delete", [id, wait], () => checked(checkId(id), () => ending(id, () => deleteIn(state, id)))),
    setLabels: (id, labels) =>
      call("setLabels", [id, labels], () =>
        checked(checkId(id) ?? checkStringRecord(labels, "labels"), () => labelIn(state, id, labels)),
      ),

    uploadFiles: (id, files, opts) =>
      call("uploadFiles", [id, files, opts], () =>
        onRunning(
          "uploadFiles",
          id,
          Array.isArray(files)
            ? opts?.signal?.aborted
              ? kitError.aborted("uploadFiles", opts.signal.reason)
              : undefined
            : kitError.invalidArgument("files", "files must be an array of { path, data }."),
          (box) => uploadTo(box, files),
        ),
      ),
    uploadLocalFile: (id, localPath, remotePath) =>
      call("uploadLocalFile", [id, localPath, remotePath], () =>
        onRunning(
          "uploadLocalFile",
          id,
          checkPath(localPath, "localPath") ?? checkPath(remotePath, "remotePath"),
          async (box) => {
            const data = await readFile(localPath).then(
              (bytes) => new Uint8Array(bytes),
              (cause) => kitError.notFound("local file", localPath, cause),
            );
            return isKitError(data) ? err(data) : uploadTo(box, [{ path: remotePath, data }]);
          },
        ),
      ),
    downloadFiles: (id, paths) =>
      call("downloadFiles", [id, paths], () =>
        onRunning(
          "downloadFiles",
          id,
          Array.isArray(paths) && paths.every((p) => checkPath(p) === undefined)
            ? undefined
            : kitError.invalidArgument("paths", "paths must be an array of non-empty strings."),
          (box) => ok(downloadFrom(box, paths)),
        ),
      ),
    listFiles: (id, path) =>
      call("listFiles", [id, path], () =>
        onRunning("listFiles", id, checkPath(path), (box) => listFilesIn(box, path)),
      ),
    fileInfo: (id, path) =>
      call("fileInfo", [id, path], () =>
        onRunning("fileInfo", id, checkPath(path), (box) => fileEntryOf(box, path)),
      ),
    createFolder: (id, path, mode) =>
      call("createFolder", [id, path, mode], () =>
        onRunning("createFolder", id, checkPath(path), (box) => folderIn(box, path)),
      ),
    deleteFile: (id, path, recursive) =>
      call("deleteFile", [id, path, recursive], () =>
        onRunning(
          "deleteFile",
          id,
          checkPath(path) ??
            (typeof recursive === "boolean"
              ? undefined
              : kitError.invalidArgument("recursive", "recursive must be true or false.")),
          (box) => deleteFileIn(box, path, recursive),
        ),
      ),
    moveFile: (id, source, destination, options) =>
      call("moveFile", [id, source, destination, options], () =>
        onRunning(
          "moveFile",
          id,
          checkPath(source, "source") ?? checkPath(destination, "destination"),
          (box) => moveFileIn(box, source, destination, options?.overwrite === true),
        ),
      ),

    exec: (id, request) =>
      call("exec", [id, request], () =>
        onRunning("exec", id, checkRequest(request), async (box) => {
          const interrupt = new AbortController();
          const commands = running.get(box.id) ?? new Set();
          running.set(box.id, commands.add(interrupt));
          try {
            const outcome = await runMemoryCommand(box, request, responders, interrupt.signal, () =>
              box.state === "started"
                ? undefined
                : kitError.conflict(`Sandbox ${id} was stopped or deleted while the command ran.`),
            );
            return isKitError(outcome) ? err(outcome) : ok(outcome);
          } finally {
            commands.delete(interrupt);
            if (commands.size === 0) running.delete(box.id);
          }
        }),
      ),
    previewLink: (id, port) =>
      call("previewLink", [id, port], () =>
        onRunning(
          "previewLink",
          id,
          Number.isInteger(port) && port >= 1 && port <= 65_535
            ? undefined
            : kitError.invalidArgument("port", `port must be an integer 1–65535, got ${String(port)}.`),
          () =>
            err(
              kitError.unsupported(
                "previewLink",
                "The memory driver runs no servers; use the local driver or the emulator for preview links.",
              ),
            ),
        ),
      ),
    prebake: (plan, options) => call("prebake", [plan, options], () => prebakeIn(state, plan, options)),
    listPrebaked: (prefix) => call("listPrebaked", [prefix], () => listPrebakedIn(state, prefix)),
    deletePrebaked: (name) => call("deletePrebaked", [name], () => deletePrebakedIn(state, name)),
    dispose: async () => {},

    seed: (seed = {}) => {
      const box = state.add({ target: settings.target, ...seed });
      for (const dir of settings.dirs) mkdirp(box, dir);
      return box;
    },
    filePaths: (id) => [...(state.sandboxes.get(id)?.files.keys() ?? [])].sort(),
    dirPaths: (id) => [...(state.sandboxes.get(id)?.dirs ?? [])].sort(),
    peek: (id, path) => state.sandboxes.get(id)?.files.get(path)?.slice(),
  };
  return driver;
}
