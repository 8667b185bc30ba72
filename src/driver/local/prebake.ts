/**
 * The local driver's prebake part: a prebaked image is a cached layer on top of a local base image.
 *
 * A build starts a builder sandbox from the base image, runs the plan's commands in it (output to `onLog`), stops
 * it and keeps its writable layer (the ext4 image holding its overlay upper directory) as a read-only layer named by
 * the plan. Sandboxes created with `{ image: plan.name }` stack that layer on the base image.
 *
 * Safe to race and to kill: builds of one name take its lock (a second process waits, then finds the layer:
 * `built: false`); the layer is published by one rename of a complete folder; the builder is a sandbox record that
 * stays `creating` and owned by the building process, so a SIGKILL leaves it to `gc()` like any interrupted create.
 * The deadline and the signal cover the whole call (waiting for another process's build included).
 * @module
 */
import { chmod, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { err, ok, type Result, ResultAsync } from "neverthrow";
import { unexpectedThrow } from "../../boundary.js";
import { isKitError, type KitError, kitError } from "../../errors.js";
import { prebakeArgumentProblem } from "../prebake-arguments.js";
import { prebakeBuildFailed } from "../prebake-error.js";
import type {
  PrebakeCapable,
  PrebakedEntry,
  PrebakedImage,
  PrebakeOptions,
  PrebakePlan,
} from "../prebake-types.js";
import type { ExecOutcome, ExecRequest } from "../types.js";
import { processStartTime, runHost } from "./host.js";
import {
  type ImageProgress,
  type LocalImage,
  progressReporter,
  type Report,
  resolveImage,
} from "./images.js";
import { sandboxPaths } from "./layout.js";
import type { SandboxLimits } from "./limits.js";
import { withFileLock } from "./lock.js";
import { newPreviewToken, newSandboxId, recordNewSandbox, type SandboxMeta, writeMeta } from "./meta.js";
import {
  deletingDir,
  layerDir,
  layerLock,
  layerNameProblem,
  listLayers,
  type PrebakedRecord,
  partialDir,
  prebakedDir,
  readLayerRecord,
  removeDeadLeftovers,
} from "./prebaked-store.js";
import { bringUp, createLayer, removeSandboxFiles, type SandboxHost, takeDown } from "./sandboxes.js";

/** The label that marks a builder sandbox (its value: the prebaked image it builds). */
export const BUILDER_LABEL = "daytona-kit.prebake-builder";

/** What the prebake part needs from the driver. */
export interface LocalPrebakeDeps {
  readonly home: string;
  /** Whether local sandboxes can run here at all. */
  guard(): Result<void, KitError>;
  host(): SandboxHost;
  /** Memory, CPU and processes of a builder (its disk is at least {@link BUILDER_DISK_GIB}). */
  readonly limits: SandboxLimits;
  /** Makes sure a base image exists (builds it the first time). */
  ensureImage(image: string, signal: AbortSignal): ResultAsync<LocalImage, KitError>;
  /** Runs one command in a started builder. */
  exec(meta: SandboxMeta, request: ExecRequest): Promise<Result<ExecOutcome, KitError>>;
  /** Removes what crashed processes left (builders of dead processes among them): run before a build. */
  sweep(): Promise<unknown>;
  /** Structured build progress. @default concise lines on stderr */
  readonly onProgress?: ((event: ImageProgress) => void) | undefined;
}

/** Size of a builder's writable layer in GiB (a sparse image: only what the build writes takes space). */
export const BUILDER_DISK_GIB = 16;

const TAIL_LINES = 20;
const STARTUP_MS = 10_000;
const MAX_TIMER_MS = 2 ** 31 - 1;
/** How early a timer set to the deadline may fire as `Date.now()` sees it. */
const TIMER_SLACK_MS = 250;

/** The prebake methods of the local driver. */
export function localPrebake(deps: LocalPrebakeDeps): PrebakeCapable {
  const { home } = deps;
  const entryOf = (layer: Awaited<ReturnType<typeof listLayers>>[number]): PrebakedEntry => ({
    name: layer.record.name,
    state: "active",
    sizeBytes: layer.sizeBytes,
    createdAt: layer.record.builtAt,
  });

  const prebake = (plan: PrebakePlan, options: PrebakeOptions): ResultAsync<PrebakedImage, KitError> => {
    const bad = prebakeArgumentProblem(plan, options) ?? layerNameProblem(plan.name);
    if (bad) return new ResultAsync(Promise.resolve(err(bad)));
    const guarded = deps.guard();
    if (guarded.isErr()) return new ResultAsync(Promise.resolve(err(guarded.error)));
    const base = resolveImage(plan.baseImage);
    if (base.isErr()) return new ResultAsync(Promise.resolve(err(base.error)));
    // Copies: a JavaScript caller may change its arrays while the build runs.
    const frozen: PrebakePlan = {
      name: plan.name,
      baseImage: plan.baseImage,
      commands: [...plan.commands],
      labels: { ...(plan.labels ?? {}) },
    };
    return new ResultAsync(run(frozen, options));
  };

  const run = async (
    plan: PrebakePlan,
    options: PrebakeOptions,
  ): Promise<Result<PrebakedImage, KitError>> => {
    const operation = `prebake ${plan.name}`;
    const deadline = Date.now() + options.timeoutMs;
    const timer = options.timeoutMs <= MAX_TIMER_MS ? AbortSignal.timeout(options.timeoutMs) : undefined;
    const signals = [options.signal, timer].filter((s): s is AbortSignal => s !== undefined);
    const signal = AbortSignal.any(signals);
    const stopped = (cause?: unknown): KitError =>
      options.signal?.aborted
        ? kitError.aborted(operation, options.signal.reason)
        : kitError.timeout(operation, options.timeoutMs, cause);
    const found: PrebakedImage = { name: plan.name, built: false, createFrom: { image: plan.name } };
    try {
      if (signal.aborted) return err(stopped());
      if (await readLayerRecord(home, plan.name)) return ok(found);
      const ready = await deps.ensureImage(plan.baseImage, signal);
      if (ready.isErr()) return signal.aborted ? err(stopped(ready.error)) : err(ready.error);
      const progress = progressReporter(plan.name, deps.onProgress);
      await mkdir(join(prebakedDir(home), ".locks"), { recursive: true });
      return await withFileLock(
        layerLock(home, plan.name),
        async () => {
          // Another process may have built it while we waited.
          if (await readLayerRecord(home, plan.name)) return ok(found);
          // Builders and partial layers of processes killed mid-build: not ours to keep.
          await deps.sweep().catch(() => undefined);
          await removeDeadLeftovers(home, plan.name);
          const built = await build(plan, ready.value, progress, { ...options, deadline, signal });
          // Steps stop only on the call's deadline or signal (their own timers are set to the deadline and may fire
          // a moment before the call's): any stop is the call's Timeout or Aborted.
          if (built.isErr()) return err(isStop(built.error) ? stopped(built.error) : built.error);
          return ok({ ...found, built: true });
        },
        {
          signal,
          onWait: (pid) => progress("waiting", `another process (pid ${pid}) is building it; waiting`),
        },
      );
    } catch (error) {
      if (signal.aborted) return err(stopped(error));
      return err(isKitError(error) ? error : unexpectedThrow(operation, error));
    }
  };

  /** Runs the plan in a builder and publishes its layer; the builder is gone afterwards, whatever happened. */
  const build = async (
    plan: PrebakePlan,
    ready: LocalImage,
    progress: Report,
    bounds: PrebakeOptions & { readonly deadline: number; readonly signal: AbortSignal },
  ): Promise<Result<void, KitError>> => {
    const { signal, deadline } = bounds;
    const started = Date.now();
    const host = deps.host();
    const id = newSandboxId();
    const paths = sandboxPaths(home, id);
    const owner = { pid: process.pid, startTime: (await processStartTime(process.pid)) ?? "" };
    let meta: SandboxMeta = {
      version: 1,
      id,
      labels: { [BUILDER_LABEL]: plan.name },
      image: plan.baseImage,
      imageKey: ready.key,
      state: "creating",
      owner,
      target: "local",
      memoryGiB: deps.limits.memoryGiB,
      cpu: deps.limits.cpu,
      diskGiB: Math.max(BUILDER_DISK_GIB, deps.limits.diskGiB),
      pids: deps.limits.pids,
      memoryLimit: "not started",
      createdAt: new Date().toISOString(),
      previewToken: newPreviewToken(),
      envVars: {},
      layer: "overlay",
    };
    const staging = partialDir(home, plan.name);
    let recorded = false;
    try {
      // The record first (state `creating`, owned by us): whatever happens next, gc() finds the builder.
      await recordNewSandbox(home, meta);
      recorded = true;
      progress("bootstrap", `starting a builder sandbox from ${plan.baseImage}`);
      meta = { ...meta, ...(await createLayer(paths, [ready.rootfs], meta.diskGiB ?? BUILDER_DISK_GIB)) };
      await writeMeta(home, meta);
      if (meta.layer !== "overlay" || meta.layerOnDisk !== true) {
        return err(
          kitError.unsupported(
            "prebake on the local driver without overlayfs and loop-mounted disk images",
            "A prebaked layer is the builder's disk image; this machine could not make one " +
              `(${meta.diskLimit ?? "overlayfs unavailable"}).`,
          ),
        );
      }
      if (signal.aborted || Date.now() >= deadline - TIMER_SLACK_MS) return err(kitError.aborted("prebake"));
      const up = await bringUp(
        paths,
        meta,
        [ready.rootfs],
        host,
        Math.max(1, Math.min(STARTUP_MS, remaining(deadline))),
      );
      meta = { ...up, state: "creating", owner };
      await writeMeta(home, meta);
      const tail: string[] = [];
      const log = lineSplitter((line) => {
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
        try {
          bounds.onLog?.(line);
        } catch {
          // A throwing log callback must not fail the build.
        }
      });
      for (const [index, command] of plan.commands.entries()) {
        const step = `step ${index + 1}/${plan.commands.length}`;
        progress("step", `${step}: ${firstLine(command)}`);
        log.push(`$ ${firstLine(command)}\n`);
        const ran = await deps.exec(meta, {
          // As a Dockerfile's RUN of a multi-line script: stop at the first failing line.
          command: `set -e\n${command}`,
          cwd: "/",
          timeoutMs: Math.max(1, remaining(deadline)),
          signal,
          onOutput: (chunk) => log.push(chunk),
        });
        log.flush();
        if (ran.isErr()) return err(ran.error);
        if (ran.value.exitCode !== 0) {
          return err(
            prebakeBuildFailed(
              plan.name,
              "build_failed",
              `${step} exited with ${ran.value.exitCode}: ${firstLine(command)}`,
              tail.join("\n"),
            ),
          );
        }
      }
      progress("layer", "stopping the builder and keeping its layer");
      // Give the blocks of files the build deleted (downloaded packages, temp files) back to the host: the layer's
      // image is sparse, but a freed ext4 block stays allocated in it until it is discarded.
      // (A sync first: ext4 frees a deleted file's blocks only when its transaction commits.)
      await runHost("sync", ["-f", paths.layer]).catch(() => undefined);
      await runHost("fstrim", [paths.layer]).catch(() => undefined);
      meta = { ...(await takeDown(paths, meta, host)), state: "creating", owner };
      await writeMeta(home, meta);
      const record: PrebakedRecord = {
        name: plan.name,
        baseImage: plan.baseImage,
        baseKey: ready.key,
        builtAt: new Date().toISOString(),
        commands: plan.commands.length,
        labels: plan.labels,
      };
      // Publish: a complete folder renamed into place (a kill before the rename leaves a dead partial, never a layer).
      await rm(staging, { recursive: true, force: true });
      await mkdir(staging, { recursive: true });
      await rename(paths.disk, join(staging, "layer.img"));
      await chmod(join(staging, "layer.img"), 0o444);
      await writeFile(join(staging, "prebaked.json"), `${JSON.stringify(record, null, 2)}\n`);
      await rename(staging, layerDir(home, plan.name));
      progress("done", `ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return ok(undefined);
    } catch (error) {
      if (isKitError(error)) return err(error);
      // The builder's start gives up at the deadline with a plain error (its timer, not the signal, fired first).
      if (signal.aborted || Date.now() >= deadline - TIMER_SLACK_MS)
        return err(kitError.aborted("prebake", error));
      return err(
        kitError.sandboxFailed("error", {
          sandboxId: id,
          reason: `the prebake builder failed: ${(error as Error).message}`,
          cause: error,
        }),
      );
    } finally {
      await rm(staging, { recursive: true, force: true }).catch(() => undefined);
      if (recorded) {
        // Left as `creating` with us as owner when this fails: gc() removes it once we are gone.
        await takeDown(paths, meta, host)
          .then(() => removeSandboxFiles(paths))
          .catch(() => undefined);
      }
    }
  };

  const listPrebaked = (prefix: string): ResultAsync<PrebakedEntry[], KitError> => {
    if (typeof prefix !== "string") {
      return new ResultAsync(
        Promise.resolve(err(kitError.invalidArgument("prefix", "prefix must be a string."))),
      );
    }
    return ResultAsync.fromPromise(listLayers(home, prefix), (error) =>
      unexpectedThrow("list prebaked images", error),
    ).map((layers) => layers.map(entryOf));
  };

  const deletePrebaked = (name: string): ResultAsync<void, KitError> => {
    const bad = layerNameProblem(name, "name");
    if (bad) return new ResultAsync(Promise.resolve(err(bad)));
    return new ResultAsync(
      (async (): Promise<Result<void, KitError>> => {
        try {
          await mkdir(join(prebakedDir(home), ".locks"), { recursive: true });
          return await withFileLock(layerLock(home, name), async () => {
            if (!(await readLayerRecord(home, name))) return err(kitError.notFound("prebaked image", name));
            // Gone at once (one rename), removed after; sandboxes keep their own link to the layer's image.
            const aside = deletingDir(home, name);
            await rename(layerDir(home, name), aside);
            await rm(aside, { recursive: true, force: true });
            return ok(undefined);
          });
        } catch (error) {
          return err(unexpectedThrow(`delete prebaked image ${name}`, error));
        }
      })(),
    );
  };

  return { prebake, listPrebaked, deletePrebaked };
}

/** Whether `error` is how a command ends when the build's deadline or signal fired. */
function isStop(error: KitError): boolean {
  return error.kind === "Timeout" || error.kind === "Aborted";
}

function remaining(deadline: number): number {
  return Math.min(MAX_TIMER_MS, deadline - Date.now());
}

function firstLine(command: string): string {
  const line = command.trim().split("\n")[0] ?? "";
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}

/** Cuts output chunks into lines (a chunk may end mid-line). */
function lineSplitter(onLine: (line: string) => void): { push(chunk: string): void; flush(): void } {
  let pending = "";
  return {
    push(chunk) {
      pending += chunk;
      const lines = pending.split(/\r?\n/);
      pending = lines.pop() ?? "";
      for (const line of lines) if (line !== "") onLine(line);
    },
    flush() {
      if (pending !== "") onLine(pending);
      pending = "";
    },
  };
}
