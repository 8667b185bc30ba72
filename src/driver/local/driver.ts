/**
 * `createLocalDriver`: the {@link SandboxDriver} port over real Debian sandboxes on this Linux machine.
 * @module
 */
import { rm } from "node:fs/promises";
import { err, errAsync, ok, okAsync, type Result, ResultAsync } from "neverthrow";
import { isKitError, type KitError, kitError } from "../../errors.js";
import { checkEnv } from "../../exec/env.js";
import type {
  CreateSandboxSpec,
  ExecOutcome,
  ExecRequest,
  PreviewLink,
  SandboxDriver,
  SandboxInfo,
  WaitOptions,
} from "../types.js";
import { type CgroupSupport, detectCgroupSupport } from "./cgroup.js";
import { execInSandbox, SANDBOX_PATH } from "./exec.js";
import * as files from "./files.js";
import { forwardPort } from "./forward.js";
import { checkHostSupport, checkHostTools } from "./host.js";
import {
  DEFAULT_LOCAL_IMAGE,
  type EnsureImageOptions,
  ensureLocalImage,
  type ImageProgress,
  imageRootfs,
  type LocalImage,
  resolveImage,
} from "./images.js";
import { kitHome, SANDBOX_ID_PATTERN, type SandboxPaths, sandboxPaths } from "./layout.js";
import { withFileLock } from "./lock.js";
import {
  listMetas,
  newPreviewToken,
  newSandboxId,
  readMeta,
  type SandboxMeta,
  toSandboxInfo,
  writeMeta,
} from "./meta.js";
import { bringUp, createLayer, HOST_CA_BUNDLE, liveState, takeDown } from "./sandboxes.js";

/** Options of {@link createLocalDriver}. */
export interface LocalDriverOptions {
  /** Where images and sandboxes live. @default $DAYTONA_KIT_HOME, else ~/.cache/daytona-kit */
  readonly home?: string;
  /** Progress lines of long steps (building a base image). @default concise lines on stderr */
  readonly onProgress?: (line: string) => void;
  /** Structured progress of image builds (takes precedence over `onProgress`). */
  readonly onImageProgress?: (event: ImageProgress) => void;
  /** Debian mirror for image builds. @default $DAYTONA_KIT_DEBIAN_MIRROR, else the host's apt sources */
  readonly mirror?: string;
  /** Memory of a sandbox when the spec asks for none, in GiB (Daytona's default). @default 1 */
  readonly defaultMemoryGiB?: number;
}

/** What this machine gives local sandboxes (for diagnostics and docs). */
export interface LocalCapabilities {
  /** `Unsupported` explanation when local sandboxes cannot run at all. */
  readonly unsupported?: string;
  /** How memory limits are enforced, or why they are not. */
  readonly memoryLimit: string;
  readonly home: string;
}

/** The local driver: the port plus local-only helpers. */
export interface LocalDriver extends SandboxDriver {
  readonly name: "local";
  /** Builds (or finds) the images ahead of time, so `create` never waits for a build. */
  prepare(images?: readonly string[]): ResultAsync<LocalImage[], KitError>;
  /** What this machine supports. */
  capabilities(): LocalCapabilities;
  /** Deletes every local sandbox under this driver's home (a clean slate for tests and scripts). */
  deleteAll(options?: WaitOptions): ResultAsync<number, KitError>;
}

const STARTUP_MS = 10_000;

/**
 * Real Debian sandboxes on this machine (Linux, root): the library's default when no Daytona API key is set.
 * Sandboxes outlive the process; state is under `$DAYTONA_KIT_HOME`. Not a security boundary.
 *
 * @example
 * ```ts
 * const driver = createLocalDriver();
 * const box = await driver.create({ image: "python:3.12-slim-bookworm", timeoutMs: 60_000 });
 * if (box.isOk()) {
 *   const run = await driver.exec(box.value.id, { command: "python3 --version", timeoutMs: 10_000 });
 * }
 * ```
 */
export function createLocalDriver(options: LocalDriverOptions = {}): LocalDriver {
  const home = kitHome(options.home);
  let cgroups: CgroupSupport | undefined;
  const cgroupSupport = () => {
    cgroups ??= detectCgroupSupport();
    return cgroups;
  };

  const guard = (): Result<void, KitError> => checkHostSupport().andThen(() => checkHostTools());

  const imageOptions = (signal?: AbortSignal): EnsureImageOptions => {
    const printLine = options.onProgress;
    const onProgress =
      options.onImageProgress ??
      (printLine
        ? (() => {
            let last: string | undefined;
            return (event: ImageProgress) => {
              if (event.stage === last) return;
              last = event.stage;
              printLine(`${event.image}: ${event.message}`);
            };
          })()
        : undefined);
    return {
      home,
      ...(onProgress ? { onProgress } : {}),
      ...(options.mirror ? { mirror: options.mirror } : {}),
      ...(signal ? { signal } : {}),
    };
  };

  /** Runs `task` under the sandbox's lifecycle lock (cross-process), mapping throws to KitErrors. */
  const locked = <T>(
    id: string,
    operation: string,
    task: (paths: SandboxPaths, meta: SandboxMeta) => Promise<Result<T, KitError>>,
    signal?: AbortSignal,
  ): ResultAsync<T, KitError> => {
    const guarded = guard();
    if (guarded.isErr()) return errAsync(guarded.error);
    return new ResultAsync(
      (async (): Promise<Result<T, KitError>> => {
        const paths = sandboxPaths(home, id);
        if (!(await readMeta(home, id))) return err(kitError.notFound("sandbox", id));
        try {
          return await withFileLock(
            paths.lock,
            async () => {
              const meta = await readMeta(home, id);
              if (!meta) return err(kitError.notFound("sandbox", id));
              return task(paths, meta);
            },
            signal ? { signal } : {},
          );
        } catch (error) {
          if (signal?.aborted) return err(kitError.aborted(operation, error));
          if ((error as NodeJS.ErrnoException).code === "ENOENT")
            return err(kitError.notFound("sandbox", id));
          return err(
            isKitError(error)
              ? error
              : kitError.unexpected(`${operation} failed: ${(error as Error).message}`, { cause: error }),
          );
        }
      })(),
    );
  };

  /** The record of a started sandbox, or the reason commands and files cannot reach it. */
  const running = async (id: string): Promise<Result<SandboxMeta, KitError>> => {
    const guarded = guard();
    if (guarded.isErr()) return err(guarded.error);
    const meta = await readMeta(home, id);
    if (!meta) return err(kitError.notFound("sandbox", id));
    if ((await liveState(meta)) !== "started") {
      return err(
        kitError.conflict(
          `Sandbox ${id} is not started (state ${meta.state === "started" ? "stopped" : meta.state}); start it first.`,
        ),
      );
    }
    return ok(meta);
  };

  const withRoot = <T>(
    id: string,
    task: (root: string) => Promise<Result<T, KitError>>,
  ): ResultAsync<T, KitError> =>
    new ResultAsync(
      (async () => {
        const meta = await running(id);
        if (meta.isErr()) return err(meta.error);
        try {
          return await task(sandboxPaths(home, id).root);
        } catch (error) {
          return err(
            kitError.unexpected(`File operation failed: ${(error as Error).message}`, { cause: error }),
          );
        }
      })(),
    );

  const info = async (meta: SandboxMeta): Promise<SandboxInfo> =>
    toSandboxInfo({ ...meta, state: await liveState(meta) });

  const lowerOf = (meta: SandboxMeta): string =>
    imageRootfs(home, { key: meta.imageKey, suite: "bookworm", withNode: false });

  const create = (spec: CreateSandboxSpec): ResultAsync<SandboxInfo, KitError> => {
    const guarded = guard();
    if (guarded.isErr()) return errAsync(guarded.error);
    const image = spec.image ?? spec.snapshot ?? DEFAULT_LOCAL_IMAGE;
    const recipe = resolveImage(image);
    if (recipe.isErr()) return errAsync(recipe.error);
    const envCheck = checkEnv(spec.envVars);
    if (envCheck.isErr()) return errAsync(envCheck.error);
    const memoryGiB = spec.resources?.memoryGiB ?? options.defaultMemoryGiB ?? 1;
    if (!(memoryGiB > 0))
      return errAsync(kitError.invalidArgument("resources.memoryGiB", "memoryGiB must be positive."));
    if (spec.target !== undefined && spec.target !== "local") {
      return errAsync(
        kitError.regionUnavailable(
          spec.target,
          `The local driver has one target, "local"; got ${JSON.stringify(spec.target)}.`,
        ),
      );
    }
    // Building the image is not part of the deadline: it happens once per machine (call prepare() to do it early).
    return ensureLocalImage(image, imageOptions(spec.signal)).andThen(
      (ready) => new ResultAsync(createFrom(spec, image, ready, memoryGiB)),
    );
  };

  const createFrom = async (
    spec: CreateSandboxSpec,
    image: string,
    ready: LocalImage,
    memoryGiB: number,
  ): Promise<Result<SandboxInfo, KitError>> => {
    const deadline = Date.now() + spec.timeoutMs;
    const id = newSandboxId();
    const paths = sandboxPaths(home, id);
    let meta: SandboxMeta = {
      version: 1,
      id,
      ...(spec.name !== undefined ? { name: spec.name } : {}),
      labels: { ...(spec.labels ?? {}) },
      image,
      imageKey: ready.key,
      state: "creating",
      target: "local",
      memoryGiB,
      memoryLimit: "not started",
      createdAt: new Date().toISOString(),
      previewToken: newPreviewToken(),
      envVars: { ...(spec.envVars ?? {}) },
      layer: "overlay",
    };
    const overdue = (): KitError | undefined => {
      if (spec.signal?.aborted) return kitError.aborted("create", spec.signal.reason);
      if (Date.now() > deadline) return kitError.timeout("create", spec.timeoutMs);
      return undefined;
    };
    try {
      const layer = await createLayer(paths, ready.rootfs);
      meta = { ...meta, layer };
      await writeMeta(home, meta);
      const early = overdue();
      if (early) throw early;
      meta = await bringUp(
        paths,
        meta,
        ready.rootfs,
        cgroupSupport(),
        Math.max(1, Math.min(STARTUP_MS, deadline - Date.now())),
      );
      await writeMeta(home, meta);
      const late = overdue();
      if (late) throw late;
      return ok(toSandboxInfo(meta));
    } catch (error) {
      // Unlike Daytona, a failed or timed-out create leaves nothing behind: there is no orphan to bill.
      await takeDown(paths, meta).catch(() => undefined);
      await rm(paths.dir, { recursive: true, force: true }).catch(() => undefined);
      if (isKitError(error)) return err(error);
      const late = overdue();
      if (late) return err(late);
      return err(
        kitError.sandboxFailed("error", { sandboxId: id, reason: (error as Error).message, cause: error }),
      );
    }
  };

  const get = (id: string): ResultAsync<SandboxInfo, KitError> => {
    const guarded = guard();
    if (guarded.isErr()) return errAsync(guarded.error);
    return ResultAsync.fromSafePromise(readMeta(home, id)).andThen((meta) =>
      meta ? ResultAsync.fromSafePromise(info(meta)) : errAsync(kitError.notFound("sandbox", id)),
    );
  };

  const list: SandboxDriver["list"] = (query) => {
    const guarded = guard();
    if (guarded.isErr()) return errAsync(guarded.error);
    const wanted = Object.entries(query?.labels ?? {});
    return ResultAsync.fromPromise(listMetas(home), (error) =>
      kitError.unexpected("Listing local sandboxes failed.", { cause: error }),
    ).andThen((metas) =>
      ResultAsync.fromSafePromise(
        Promise.all(metas.filter((m) => wanted.every(([k, v]) => m.labels[k] === v)).map((m) => info(m))),
      ),
    );
  };

  const start = (id: string, wait: WaitOptions): ResultAsync<SandboxInfo, KitError> =>
    locked(
      id,
      "start",
      async (paths, meta) => {
        if ((await liveState(meta)) === "started") return ok(toSandboxInfo(meta));
        // Clean up whatever a crash or reboot left (stale mounts, an empty cgroup) before starting again.
        const clean = await takeDown(paths, meta);
        const up = await bringUp(
          paths,
          clean,
          lowerOf(meta),
          cgroupSupport(),
          Math.max(1, Math.min(STARTUP_MS, wait.timeoutMs)),
        );
        await writeMeta(home, up);
        return ok(toSandboxInfo(up));
      },
      wait.signal,
    );

  const stop = (id: string, wait: WaitOptions): ResultAsync<SandboxInfo, KitError> =>
    locked(
      id,
      "stop",
      async (paths, meta) => {
        const down = await takeDown(paths, meta);
        await writeMeta(home, down);
        return ok(toSandboxInfo(down));
      },
      wait.signal,
    );

  const remove = (id: string, wait: WaitOptions): ResultAsync<void, KitError> =>
    locked(
      id,
      "delete",
      async (paths, meta) => {
        await takeDown(paths, meta);
        await rm(paths.dir, { recursive: true, force: true });
        return ok(undefined);
      },
      wait.signal,
    );

  const setLabels = (id: string, labels: Readonly<Record<string, string>>) =>
    locked(id, "setLabels", async (_paths, meta) => {
      const updated = { ...meta, labels: { ...labels } };
      await writeMeta(home, updated);
      return ok({ ...labels });
    });

  const exec = (id: string, request: ExecRequest): ResultAsync<ExecOutcome, KitError> =>
    new ResultAsync(
      (async () => {
        const meta = await running(id);
        if (meta.isErr()) return err(meta.error);
        const paths = sandboxPaths(home, id);
        return execInSandbox(
          {
            initPid: meta.value.init!.pid,
            initStartTime: meta.value.init!.startTime,
            root: paths.root,
            execDir: paths.exec,
            ...(meta.value.cgroup ? { cgroupProcs: `${meta.value.cgroup}/cgroup.procs` } : {}),
            env: {
              PATH: SANDBOX_PATH,
              HOME: "/root",
              LANG: "C.UTF-8",
              HOSTNAME: id,
              ...imageEnv(meta.value.image),
              // Node keeps its own CA list; where the host's Node needs extra CAs, the sandbox's does too.
              ...(process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: HOST_CA_BUNDLE } : {}),
              ...meta.value.envVars,
            },
          },
          request,
        );
      })(),
    );

  const previewLink = (id: string, port: number): ResultAsync<PreviewLink, KitError> => {
    if (!Number.isInteger(port) || port < 1 || port > 65_535) {
      return errAsync(kitError.invalidArgument("port", `port must be an integer 1–65535, got ${port}.`));
    }
    // Under the lifecycle lock: concurrent callers (other processes too) get the same forwarder, and a stop or
    // delete cannot run while one is being made.
    return locked(id, "preview", async (paths, meta) => {
      if ((await liveState(meta)) !== "started") {
        return err(kitError.conflict(`Sandbox ${id} is not started; start it first.`));
      }
      const hostPort = await forwardPort(paths, port);
      return ok({ url: `http://127.0.0.1:${hostPort}`, token: meta.previewToken });
    });
  };

  const driver: LocalDriver = {
    name: "local",
    create,
    get,
    list,
    start,
    stop,
    delete: remove,
    setLabels,
    uploadFiles: (id, entries, opts) =>
      withRoot(id, (root) => files.uploadFiles(root, entries, opts?.signal)),
    uploadLocalFile: (id, localPath, remotePath) =>
      withRoot(id, (root) => files.uploadLocalFile(root, localPath, remotePath)),
    downloadFiles: (id, paths) => withRoot(id, async (root) => ok(await files.downloadFiles(root, paths))),
    listFiles: (id, path) => withRoot(id, (root) => files.listFiles(root, path)),
    fileInfo: (id, path) => withRoot(id, (root) => files.fileInfo(root, path)),
    createFolder: (id, path, mode) => withRoot(id, (root) => files.createFolder(root, path, mode)),
    deleteFile: (id, path, recursive) => withRoot(id, (root) => files.deleteFile(root, path, recursive)),
    moveFile: (id, source, destination) => withRoot(id, (root) => files.moveFile(root, source, destination)),
    exec,
    previewLink,
    prepare: (images = [DEFAULT_LOCAL_IMAGE]) => {
      const guarded = guard();
      if (guarded.isErr()) return errAsync(guarded.error);
      return ResultAsync.combine(images.map((image) => ensureLocalImage(image, imageOptions())));
    },
    capabilities: () => {
      const guarded = guard();
      const support = cgroupSupport();
      return {
        ...(guarded.isErr() ? { unsupported: guarded.error.message } : {}),
        memoryLimit: support.kind === "none" ? `not enforced: ${support.reason}` : `cgroup ${support.kind}`,
        home,
      };
    },
    deleteAll: (wait = { timeoutMs: 60_000 }) =>
      list().andThen((all) =>
        ResultAsync.combine(
          all.map((box) =>
            remove(box.id, wait).orElse((e) => (e.kind === "NotFound" ? okAsync(undefined) : errAsync(e))),
          ),
        ).map(() => all.length),
      ),
    // Nothing to close: sandboxes are processes of their own and keep running until stopped.
    dispose: async () => undefined,
  };
  return driver;
}

/** Variables the real images set (so scripts that read them behave the same). */
function imageEnv(image: string): Record<string, string> {
  if (image === "node:20-slim") return { NODE_VERSION: process.versions.node };
  return {};
}

export { SANDBOX_ID_PATTERN };
