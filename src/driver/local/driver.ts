/**
 * `createLocalDriver`: the {@link SandboxDriver} port over real Debian sandboxes on this Linux machine.
 * @module
 */
import { existsSync } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import { err, errAsync, ok, okAsync, type Result, ResultAsync } from "neverthrow";
import { unexpectedThrow } from "../../boundary.js";
import { isKitError, type KitError, kitError } from "../../errors.js";
import { checkEnv } from "../../shell/env.js";
import { checkSandboxName } from "../../validate/sandbox-name.js";
import type {
  CreateSandboxSpec,
  ExecOutcome,
  ExecRequest,
  PreviewLink,
  SandboxDriver,
  SandboxInfo,
  WaitOptions,
} from "../types.js";
import {
  type CgroupSupport,
  cgroupIds,
  cgroupPids,
  detectCgroupSupport,
  homeTag,
  removeCgroups,
  sandboxCgroups,
} from "./cgroup.js";
import { execInSandbox, SANDBOX_PATH } from "./exec.js";
import * as files from "./files.js";
import { forwardPort } from "./forward.js";
import { checkHostSupport, checkHostTools, pidExists, processStartTime } from "./host.js";
import {
  DEFAULT_LOCAL_IMAGE,
  type EnsureImageOptions,
  ensureLocalImage,
  type ImageProgress,
  imageRootfs,
  type LocalImage,
  resolveImage,
} from "./images.js";
import { kitHome, SANDBOX_ID_PATTERN, type SandboxPaths, sandboxesDir, sandboxPaths } from "./layout.js";
import { DEFAULT_MAX_PROCESSES, resolveLimits, type SandboxLimits } from "./limits.js";
import { withFileLock } from "./lock.js";
import {
  listMetas,
  newPreviewToken,
  newSandboxId,
  readMeta,
  recordNewSandbox,
  type SandboxMeta,
  stagingDirs,
  toSandboxInfo,
  writeMeta,
} from "./meta.js";
import { claimName, releaseName, sandboxIdByName } from "./names.js";
import { localPrebake } from "./prebake.js";
import { linkLayer, mountLayer } from "./prebaked-mount.js";
import { type PrebakedRecord, readLayerRecord, removeDeadLeftovers } from "./prebaked-store.js";
import { sandboxProcesses } from "./processes.js";
import { killInit } from "./runtime.js";
import {
  bringUp,
  createLayer,
  HOST_CA_BUNDLE,
  liveState,
  removeSandboxFiles,
  type SandboxHost,
  takeDown,
} from "./sandboxes.js";
import { sweepInterruptedWrites } from "./temp-sweep.js";

/** Options of {@link createLocalDriver}. */
export interface LocalDriverOptions {
  /** Where images and sandboxes live. @default $DAYTONA_KIT_HOME, else ~/.cache/daytona-kit */
  readonly home?: string | undefined;
  /** Progress lines of long steps (building a base image). @default concise lines on stderr */
  readonly onProgress?: ((line: string) => void) | undefined;
  /** Structured progress of image builds (takes precedence over `onProgress`). */
  readonly onImageProgress?: (event: ImageProgress) => void;
  /** Debian mirror for image builds. @default $DAYTONA_KIT_DEBIAN_MIRROR, else the host's apt sources */
  readonly mirror?: string;
  /** Memory of a sandbox when the spec asks for none, in GiB (Daytona's default). @default 1 */
  readonly defaultMemoryGiB?: number;
  /** CPU quota of a sandbox when the spec asks for none, in vCPUs (Daytona's default). @default 1 */
  readonly defaultCpu?: number;
  /**
   * Size of a sandbox's writable layer when the spec asks for none, in GiB (Daytona's default): a sparse disk image,
   * so the host only loses what is written. @default 3
   */
  readonly defaultDiskGiB?: number;
  /** Most processes (and threads) one sandbox may run at once: a fork bomb stops there. @default 1024 */
  readonly maxProcesses?: number;
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
  /** Deletes every local sandbox under this driver's home (a clean slate for tests and scripts), then runs `gc()`. */
  deleteAll(options?: WaitOptions): ResultAsync<number, KitError>;
  /**
   * Removes what crashed processes left under this driver's home: sandboxes whose creator died before it finished
   * (records still `creating`), sandbox folders without a record, staging folders, and cgroups, mounts and processes
   * of sandboxes that no longer exist, and temp and part files of interrupted writes in the `/workspace` of started
   * sandboxes. Never touches a sandbox that is being created by a live process, nor a write in progress.
   * Also runs (without the `/workspace` sweep), at most once a minute, before `create`.
   */
  gc(): ResultAsync<GcReport, KitError>;
}

/** What {@link LocalDriver.gc} removed. */
export interface GcReport {
  /** Ids of half-created or half-deleted sandboxes that were removed. */
  readonly sandboxes: readonly string[];
  /** Cgroup directories of sandboxes that no longer exist. */
  readonly cgroups: number;
  /** Processes of sandboxes that no longer exist. */
  readonly processes: number;
  /** Temp and part files of interrupted writes removed from the `/workspace` of started sandboxes. */
  readonly tempFiles: number;
  /** Partial prebaked layers (and interrupted deletions of layers) of processes that died. */
  readonly partialLayers: number;
}

const STARTUP_MS = 10_000;
const GC_EVERY_MS = 60_000;

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
  const sandboxHost = (): SandboxHost => ({
    cgroups: cgroupSupport(),
    tag: homeTag(home),
    sandboxesDir: sandboxesDir(home),
    defaultPids: options.maxProcesses ?? DEFAULT_MAX_PROCESSES,
    defaultCpu: options.defaultCpu ?? 1,
  });
  let lastGc = 0;

  const guard = (): Result<void, KitError> => checkHostSupport().andThen(() => checkHostTools());

  const imageOptions = (signal?: AbortSignal): EnsureImageOptions => {
    const printLine = options.onProgress;
    const onProgress =
      options.onImageProgress ??
      (printLine
        ? (() => {
            let last: string | undefined;
            return (event: ImageProgress) => {
              if (event.stage === last && event.stage !== "step") return;
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

  /**
   * Runs `task` under the sandbox's lifecycle lock (cross-process), mapping throws to KitErrors. The wait's deadline
   * covers waiting for the lock and the task: past it the call answers `Timeout` (the task, once begun, still runs
   * to its end under the lock, so nothing is left half done).
   */
  const locked = <T>(
    id: string,
    operation: string,
    task: (paths: SandboxPaths, meta: SandboxMeta) => Promise<Result<T, KitError>>,
    wait?: WaitOptions,
  ): ResultAsync<T, KitError> => {
    const guarded = guard();
    if (guarded.isErr()) return errAsync(guarded.error);
    const timeoutMs = wait?.timeoutMs;
    if (timeoutMs !== undefined && !(typeof timeoutMs === "number" && timeoutMs > 0)) {
      return errAsync(kitError.invalidArgument("timeoutMs", "timeoutMs must be a positive number."));
    }
    return new ResultAsync(
      (async (): Promise<Result<T, KitError>> => {
        const paths = sandboxPaths(home, id);
        if (!(await readMeta(home, id))) return err(kitError.notFound("sandbox", id));
        const timer =
          timeoutMs !== undefined && timeoutMs <= MAX_TIMER_MS ? AbortSignal.timeout(timeoutMs) : undefined;
        const signals = [wait?.signal, timer].filter((x): x is AbortSignal => x !== undefined);
        const signal = signals.length > 0 ? AbortSignal.any(signals) : undefined;
        const work = withFileLock(
          paths.lock,
          async () => {
            const meta = await readMeta(home, id);
            if (!meta) return err(kitError.notFound("sandbox", id));
            return task(paths, meta);
          },
          signal ? { signal } : {},
        );
        try {
          return await untilAborted(work, signal);
        } catch (error) {
          if (wait?.signal?.aborted) return err(kitError.aborted(operation, error));
          if (timer?.aborted) return err(kitError.timeout(operation, timeoutMs));
          if ((error as NodeJS.ErrnoException).code === "ENOENT")
            return err(kitError.notFound("sandbox", id));
          return err(unexpectedThrow(operation, error));
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
          return err(unexpectedThrow("File operation", error));
        }
      })(),
    );

  const info = async (meta: SandboxMeta): Promise<SandboxInfo> => {
    if (meta.state === "creating" && !(await ownerAlive(meta))) {
      return toSandboxInfo({ ...meta, state: "error" }, INTERRUPTED);
    }
    return toSandboxInfo({ ...meta, state: await liveState(meta) });
  };

  /**
   * The layers of a sandbox's root, topmost first: its prebaked layer (mounted here, from the sandbox's own link)
   * over the base image's root filesystem.
   */
  const lowersOf = async (paths: SandboxPaths, meta: SandboxMeta): Promise<string[]> => {
    const base = imageRootfs(home, { key: meta.imageKey, suite: "bookworm", withNode: false });
    return meta.prebaked ? [await mountLayer(paths), base] : [base];
  };

  /** A prebaked image's record and its base image, or `undefined` when `image` names none. */
  const prebakedSource = async (
    image: string,
    signal: AbortSignal | undefined,
  ): Promise<Result<{ record: PrebakedRecord; ready: LocalImage }, KitError> | undefined> => {
    const record = await readLayerRecord(home, image);
    if (!record) return undefined;
    const ready = await ensureLocalImage(record.baseImage, imageOptions(signal));
    return ready.map((value) => ({ record, ready: value }));
  };

  const create = (spec: CreateSandboxSpec): ResultAsync<SandboxInfo, KitError> => {
    const guarded = guard();
    if (guarded.isErr()) return errAsync(guarded.error);
    const image = spec.image ?? spec.snapshot ?? DEFAULT_LOCAL_IMAGE;
    const recipe = resolveImage(image);
    const envCheck = checkEnv(spec.envVars);
    if (envCheck.isErr()) return errAsync(envCheck.error);
    const limits = resolveLimits(spec.resources, options);
    if (limits.isErr()) return errAsync(limits.error);
    // A name becomes a folder under names/: only names that can never climb out of it.
    if (spec.name !== undefined) {
      const name = checkSandboxName(spec.name);
      if (name.isErr()) return errAsync(name.error);
    }
    if (spec.target !== undefined && spec.target !== "local") {
      return errAsync(
        kitError.regionUnavailable(
          spec.target,
          `The local driver has one target, "local"; got ${JSON.stringify(spec.target)}.`,
        ),
      );
    }
    // Building the image is not part of the deadline: it happens once per machine (call prepare() to do it early).
    if (recipe.isOk()) {
      return ensureLocalImage(image, imageOptions(spec.signal)).andThen(
        (ready) => new ResultAsync(createFrom(spec, image, ready, limits.value)),
      );
    }
    // Not a base image: a prebaked one (its layer over its base image), else the base image's error.
    return new ResultAsync(
      (async (): Promise<Result<SandboxInfo, KitError>> => {
        const source = await prebakedSource(image, spec.signal).catch((error) =>
          err(unexpectedThrow("create", error)),
        );
        if (source === undefined) return err(recipe.error);
        if (source.isErr()) return err(source.error);
        const { record, ready } = source.value;
        return createFrom(spec, image, ready, limits.value, record);
      })(),
    );
  };

  const createFrom = async (
    spec: CreateSandboxSpec,
    image: string,
    ready: LocalImage,
    limits: SandboxLimits,
    prebaked?: PrebakedRecord,
  ): Promise<Result<SandboxInfo, KitError>> => {
    const deadline = Date.now() + spec.timeoutMs;
    if (Date.now() - lastGc > GC_EVERY_MS) await collectGarbage().catch(() => undefined);
    const host = sandboxHost();
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
      owner: { pid: process.pid, startTime: (await processStartTime(process.pid)) ?? "" },
      target: "local",
      memoryGiB: limits.memoryGiB,
      cpu: limits.cpu,
      diskGiB: limits.diskGiB,
      pids: limits.pids,
      memoryLimit: "not started",
      createdAt: new Date().toISOString(),
      previewToken: newPreviewToken(),
      envVars: { ...(spec.envVars ?? {}) },
      layer: "overlay",
      ...(prebaked ? { prebaked: { name: prebaked.name, baseImage: prebaked.baseImage } } : {}),
    };
    const overdue = (): KitError | undefined => {
      if (spec.signal?.aborted) return kitError.aborted("create", spec.signal.reason);
      if (Date.now() > deadline) return kitError.timeout("create", spec.timeoutMs);
      return undefined;
    };
    let recorded = false;
    let named = false;
    try {
      // The name before anything else: a second process creating the same name gets Daytona's 409 and makes nothing.
      if (spec.name !== undefined) {
        const claimed = await claimName(home, spec.name, id);
        if (claimed.isErr()) return err(claimed.error);
        named = true;
      }
      // The record first: from here on every folder, mount, cgroup and process made for the sandbox is findable.
      await recordNewSandbox(home, meta);
      recorded = true;
      // The sandbox's own link to its prebaked layer: deleting the prebaked image later cannot take it away.
      if (prebaked) await linkLayer(home, prebaked.name, paths);
      const lowers = await lowersOf(paths, meta);
      meta = { ...meta, ...(await createLayer(paths, lowers, limits.diskGiB)) };
      await writeMeta(home, meta);
      const early = overdue();
      if (early) throw early;
      const up = await bringUp(
        paths,
        meta,
        lowers,
        host,
        Math.max(1, Math.min(STARTUP_MS, deadline - Date.now())),
      );
      const { owner: _owner, ...created } = up;
      meta = created;
      await writeMeta(home, meta);
      const late = overdue();
      if (late) throw late;
      return ok(toSandboxInfo(meta));
    } catch (error) {
      // Unlike Daytona, a failed or timed-out create leaves nothing behind: there is no orphan to bill.
      if (named && spec.name !== undefined) await releaseName(home, spec.name, id).catch(() => undefined);
      if (recorded) {
        const cleaned = await takeDown(paths, meta, host)
          .then(() => removeSandboxFiles(paths))
          .then(
            () => true,
            () => false,
          );
        // What cannot be removed now stays listed (as `error`) for delete() or gc() to finish.
        if (!cleaned) {
          const { owner: _owner, ...orphan } = meta;
          await writeMeta(home, { ...orphan, state: "creating" }).catch(() => undefined);
        }
      }
      if (isKitError(error)) return err(error);
      const late = overdue();
      if (late) return err(late);
      return err(
        kitError.sandboxFailed("error", { sandboxId: id, reason: (error as Error).message, cause: error }),
      );
    }
  };

  /** The record of a sandbox by id, or (like Daytona's get) by the name it holds. */
  const metaByIdOrName = async (idOrName: string): Promise<SandboxMeta | undefined> => {
    if (SANDBOX_ID_PATTERN.test(idOrName)) return readMeta(home, idOrName);
    if (checkSandboxName(idOrName).isErr()) return undefined;
    const id = await sandboxIdByName(home, idOrName);
    return id === undefined ? undefined : readMeta(home, id);
  };

  const get = (id: string): ResultAsync<SandboxInfo, KitError> => {
    const guarded = guard();
    if (guarded.isErr()) return errAsync(guarded.error);
    return ResultAsync.fromSafePromise(metaByIdOrName(id)).andThen((meta) =>
      meta ? ResultAsync.fromSafePromise(info(meta)) : errAsync(kitError.notFound("sandbox", id)),
    );
  };

  const list: SandboxDriver["list"] = (query) => {
    const guarded = guard();
    if (guarded.isErr()) return errAsync(guarded.error);
    const wanted = Object.entries(query?.labels ?? {});
    return ResultAsync.fromPromise(listMetas(home), (error) =>
      unexpectedThrow("Listing local sandboxes", error),
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
        const deadline = Date.now() + wait.timeoutMs;
        if (meta.state === "creating") {
          return err(
            (await ownerAlive(meta))
              ? kitError.conflict(`Sandbox ${id} is still being created.`)
              : kitError.sandboxFailed("error", { sandboxId: id, reason: INTERRUPTED }),
          );
        }
        if ((await liveState(meta)) === "started") return ok(toSandboxInfo(meta));
        const host = sandboxHost();
        // Clean up whatever a crash or reboot left (stale mounts, an empty cgroup) before starting again.
        const clean = await takeDown(paths, meta, host);
        try {
          const up = await bringUp(
            paths,
            clean,
            await lowersOf(paths, meta),
            host,
            Math.max(1, Math.min(STARTUP_MS, deadline - Date.now())),
          );
          if (Date.now() > deadline) throw kitError.timeout("start", wait.timeoutMs);
          await writeMeta(home, up);
          return ok(toSandboxInfo(up));
        } catch (error) {
          // A start that fails leaves the sandbox stopped, with nothing of the attempt running, mounted or grouped.
          await takeDown(paths, clean, host);
          await writeMeta(home, clean);
          if (isKitError(error)) return err(error);
          if (Date.now() > deadline) return err(kitError.timeout("start", wait.timeoutMs, error));
          throw error;
        }
      },
      wait,
    );

  const stop = (id: string, wait: WaitOptions): ResultAsync<SandboxInfo, KitError> =>
    locked(
      id,
      "stop",
      async (paths, meta) => {
        if (meta.state === "creating") {
          return err(kitError.conflict(`Sandbox ${id} is being created or its creation was interrupted.`));
        }
        const down = await takeDown(paths, meta, sandboxHost());
        await writeMeta(home, down);
        return ok(toSandboxInfo(down));
      },
      wait,
    );

  const remove = (id: string, wait: WaitOptions): ResultAsync<void, KitError> =>
    locked(
      id,
      "delete",
      async (paths, meta) => {
        await takeDown(paths, meta, sandboxHost());
        await removeSandboxFiles(paths);
        if (meta.name !== undefined) await releaseName(home, meta.name, id);
        return ok(undefined);
      },
      wait,
    );

  /** Removes leftovers of crashed processes (see {@link LocalDriver.gc}). */
  const collectGarbage = async (sweepWrites = false): Promise<GcReport> => {
    lastGc = Date.now();
    const host = sandboxHost();
    for (const staging of await stagingDirs(home)) {
      if (!pidExists(staging.pid)) await rm(staging.path, { recursive: true, force: true });
    }
    const removed: string[] = [];
    const ids = (await readdir(sandboxesDir(home)).catch(() => [] as string[])).filter((name) =>
      SANDBOX_ID_PATTERN.test(name),
    );
    for (const id of ids) {
      const paths = sandboxPaths(home, id);
      const abandoned = async (): Promise<SandboxMeta | undefined> => {
        const meta = await readMeta(home, id);
        if (meta === undefined) return orphanMeta(id);
        return meta.state === "creating" && !(await ownerAlive(meta)) ? meta : undefined;
      };
      if ((await abandoned()) === undefined) continue;
      await withFileLock(paths.lock, async () => {
        const meta = await abandoned();
        if (meta === undefined) return;
        await takeDown(paths, meta, host);
        await removeSandboxFiles(paths);
        removed.push(id);
      }).catch(() => undefined);
    }
    let cgroupCount = 0;
    for (const id of await cgroupIds(host.cgroups, host.tag)) {
      if (existsSync(sandboxPaths(home, id).dir)) continue;
      const dirs = sandboxCgroups(host.cgroups, host.tag, id).dirs.filter((dir) => existsSync(dir));
      await killInit(undefined, cgroupPids(dirs));
      await removeCgroups(dirs).catch(() => undefined);
      cgroupCount += dirs.length;
    }
    let processCount = 0;
    for (const [id, pids] of await sandboxProcesses(sandboxesDir(home))) {
      if (existsSync(sandboxPaths(home, id).dir)) continue;
      await killInit(undefined, pids);
      processCount += pids.length;
    }
    // Leftovers of writers that died mid-write, in sandboxes whose root is mounted (a stopped one's are swept
    // after its next start, by the next write or gc). Only for an explicit gc(): walking every /workspace tree
    // (node_modules included) is no work to add to each create.
    let tempFiles = 0;
    for (const id of sweepWrites ? ids : []) {
      const meta = await readMeta(home, id);
      if (!meta || (await liveState(meta)) !== "started") continue;
      tempFiles += await sweepInterruptedWrites(sandboxPaths(home, id).root).catch(() => 0);
    }
    const partialLayers = await removeDeadLeftovers(home).catch(() => 0);
    return { sandboxes: removed, cgroups: cgroupCount, processes: processCount, tempFiles, partialLayers };
  };

  const setLabels = (id: string, labels: Readonly<Record<string, string>>) =>
    locked(id, "setLabels", async (_paths, meta) => {
      const updated = { ...meta, labels: { ...labels } };
      await writeMeta(home, updated);
      return ok({ ...labels });
    });

  /** Runs `request` in the started sandbox of `meta` (a builder too, which stays `creating`). */
  const execOn = (meta: SandboxMeta, request: ExecRequest): Promise<Result<ExecOutcome, KitError>> => {
    const paths = sandboxPaths(home, meta.id);
    return execInSandbox(
      {
        initPid: meta.init!.pid,
        initStartTime: meta.init!.startTime,
        root: paths.root,
        execDir: paths.exec,
        ...(meta.cgroup ? { cgroupProcs: `${meta.cgroup}/cgroup.procs` } : {}),
        moreCgroupProcs: (meta.cgroups ?? [])
          .filter((dir) => dir !== meta.cgroup)
          .map((dir) => `${dir}/cgroup.procs`),
        env: {
          PATH: SANDBOX_PATH,
          HOME: "/root",
          LANG: "C.UTF-8",
          HOSTNAME: meta.id,
          ...imageEnv(meta.prebaked?.baseImage ?? meta.image),
          // Node keeps its own CA list; where the host's Node needs extra CAs, the sandbox's does too.
          ...(process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: HOST_CA_BUNDLE } : {}),
          ...meta.envVars,
        },
      },
      request,
    );
  };

  const exec = (id: string, request: ExecRequest): ResultAsync<ExecOutcome, KitError> =>
    new ResultAsync(
      (async () => {
        const meta = await running(id);
        if (meta.isErr()) return err(meta.error);
        return execOn(meta.value, request);
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

  const gc = (): ResultAsync<GcReport, KitError> => {
    const guarded = guard();
    if (guarded.isErr()) return errAsync(guarded.error);
    return ResultAsync.fromPromise(collectGarbage(true), (error) => unexpectedThrow("gc", error));
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
    moveFile: (id, source, destination, options) =>
      withRoot(id, (root) => files.moveFile(root, source, destination, options?.overwrite === true)),
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
      list()
        .andThen((all) =>
          ResultAsync.combine(
            all.map((box) =>
              remove(box.id, wait).orElse((e) => (e.kind === "NotFound" ? okAsync(undefined) : errAsync(e))),
            ),
          ).map(() => all.length),
        )
        .andThen((count) => gc().map(() => count)),
    gc,
    ...localPrebake({
      home,
      guard,
      host: sandboxHost,
      limits: {
        memoryGiB: options.defaultMemoryGiB ?? 1,
        cpu: options.defaultCpu ?? 1,
        diskGiB: options.defaultDiskGiB ?? 3,
        pids: options.maxProcesses ?? DEFAULT_MAX_PROCESSES,
      },
      ensureImage: (image, signal) => ensureLocalImage(image, imageOptions(signal)),
      exec: execOn,
      sweep: () => collectGarbage(),
      onProgress: imageOptions().onProgress,
    }),
    // Nothing to close: sandboxes are processes of their own and keep running until stopped.
    dispose: async () => undefined,
  };
  return driver;
}

/** Longest deadline a timer can hold; longer ones are treated as none. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const INTERRUPTED =
  "Creation was interrupted (the creating process exited before it finished); delete the sandbox or run gc().";

/** Whether the process creating a `creating` record still runs (same pid and start time). */
async function ownerAlive(meta: SandboxMeta): Promise<boolean> {
  if (meta.owner === undefined) return false;
  return (await processStartTime(meta.owner.pid)) === meta.owner.startTime;
}

/** A stand-in record for a sandbox folder whose record is gone (enough to find and remove what it has). */
function orphanMeta(id: string): SandboxMeta {
  return {
    version: 1,
    id,
    labels: {},
    image: "",
    imageKey: "",
    state: "stopped",
    target: "local",
    memoryGiB: 0,
    memoryLimit: "",
    createdAt: "",
    previewToken: "",
    envVars: {},
    layer: "overlay",
  };
}

/** Settles with `work`, or rejects as soon as `signal` aborts (the work itself goes on). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  work.catch(() => undefined);
  if (signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** Variables the real images set (so scripts that read them behave the same). */
function imageEnv(image: string): Record<string, string> {
  if (image === "node:20-slim") return { NODE_VERSION: process.versions.node };
  return {};
}

export { SANDBOX_ID_PATTERN };
