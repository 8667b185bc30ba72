/**
 * `createKit`: picks the driver, wires the policies (retry, region fallback, validated registry) and returns the
 * facade users work with.
 * @module
 */
import { setMaxListeners } from "node:events";
import { err, errAsync, ok, okAsync, type Result, ResultAsync } from "neverthrow";
import { type KitOptions, type ResolvedDriver, resolveConfig } from "./config.js";
import { createDaytonaDriver } from "./driver/daytona/index.js";
import { createLocalDriver } from "./driver/local/index.js";
import { withRetries } from "./driver/retrying.js";
import { withCallScopes } from "./driver/scoped.js";
import { withSerializedLifecycle } from "./driver/serialized.js";
import { withThrottling } from "./driver/throttled.js";
import type { PrebakedImage, SandboxDriver, SandboxInfo } from "./driver/types.js";
import type { KitError } from "./errors.js";
import { type ClientRateLimits, createClientLimiters } from "./policy/client-limits.js";
import { withScope } from "./policy/deadline.js";
import { createKeyedQueue } from "./policy/keyed-queue.js";
import { createRegionFallback } from "./policy/region.js";
import { realSleep } from "./policy/sleep.js";
import { createKitThrottling } from "./policy/throttling.js";
import { compilePrebake, PREBAKED_FROM_LABEL } from "./provision/prebake-compile.js";
import { stableJson } from "./provision/prebake-name.js";
import type { PrebakeSpec } from "./provision/prebake-spec.js";
import { type EnsureRequest, ensureSandbox } from "./sandbox/ensure.js";
import { type FanOutOptions, type FanOutReport, type FanOutWork, runFanOut } from "./sandbox/fan-out.js";
import { createSandboxHandle, type KitSandbox } from "./sandbox/handle.js";
import {
  type PrebakeCallOptions,
  type PrebakedImages,
  type PrebakedSandbox,
  prebakeCompiled,
  prebakedImages,
  prebakeSpec,
  startPrebaked,
} from "./sandbox/prebaked.js";
import { checkProjectId, projectLabel } from "./sandbox/project.js";
import { createSandboxRegistry } from "./sandbox/registry.js";
import { systemClock, type WaitClock } from "./sandbox/wait.js";
import { checkSandboxId } from "./validate/identifiers.js";
import { checkEnsureRequest, checkListQuery } from "./validate/kit-requests.js";

/** The entry point: sandboxes for projects, on Daytona or on this machine. */
export interface Kit extends AsyncDisposable {
  /** `"daytona"`, `"local"` or a custom driver's name; `"unconfigured"` when the options were invalid. */
  readonly driverName: string;
  /**
   * Ok when the options (with defaults and the environment applied) are usable; otherwise the `InvalidArgument` or
   * `Auth` error every call of this kit returns.
   */
  check(): Result<void, KitError>;
  /**
   * The project's sandbox created from the prebaked image of `request.prebaked` (built first when missing), with
   * only the per-sandbox steps run on it: `services` holds their result (URLs), typed like `provision.all`'s.
   * A driver that cannot prebake answers `Unsupported`. See docs/provisioners/prebaked.md.
   *
   * @example
   * ```ts
   * const spec = { git: true, postgres: { database: "app" }, redis: true } as const;
   * const sandbox = (await kit.ensure({ projectId: "blog", prebaked: spec }))._unsafeUnwrap();
   * sandbox.services.postgres.url; // "postgresql://postgres@localhost:5432/app"
   * ```
   */
  ensure<const S extends PrebakeSpec>(
    request: EnsureRequest & { readonly prebaked: S },
  ): ResultAsync<PrebakedSandbox<S>, KitError>;
  /**
   * The project's sandbox, started: found by label, started if stopped, created (through the region fallback)
   * only if absent, under the project's sandbox name. Concurrent calls for one project share one operation;
   * retries never create a duplicate, and neither do other processes: a create that loses the name race (409)
   * adopts the winner's sandbox. See docs/lifecycle.md.
   */
  ensure(request: EnsureRequest): ResultAsync<KitSandbox, KitError>;
  /**
   * Builds the prebaked image of `spec` once: its install part (one apt install of every package the services and
   * `spec.apt` need, PostgreSQL's cluster and configuration, Node.js) baked into a Daytona snapshot or a local
   * cached layer, named from the content (`apex-prebaked-<16 hex>`). An existing image is reused
   * (`built: false`, nothing runs); two callers racing on one spec end with one image. A failed build is a typed
   * error ending with the build log's tail. `Unsupported` on a driver that cannot prebake.
   *
   * @example
   * ```ts
   * const image = await kit.prebake({ postgres: true, redis: true }, { onLog: (line) => console.log(line) });
   * image.map(({ name, built }) => `${name} ${built ? "built" : "reused"}`);
   * ```
   */
  prebake(spec: PrebakeSpec, options?: PrebakeCallOptions): ResultAsync<PrebakedImage, KitError>;
  /** Dry runs (`plan`), listing and deleting of the kit's prebaked images. */
  readonly prebaked: PrebakedImages;
  /**
   * Ensures each project's sandbox and runs `work` in it, many at once: at most `concurrency` projects in
   * progress, requests kept under client-side limits per Daytona throttler class (default: Daytona's published
   * limits). Resolves with every project's Result in input order and a summary; one project's failure (or a throw
   * in `work`) never stops the others. Err only for invalid arguments of the call itself. See docs/scaling.md.
   *
   * @example
   * ```ts
   * const report = await kit.fanOut(["blog", "shop"], (sandbox) => sandbox.exec("npm test"), { concurrency: 4 });
   * report.map(({ summary }) => summary); // { total: 2, succeeded: 2, failed: 0, byKind: {} }
   * ```
   */
  fanOut<T>(
    projectIds: readonly string[],
    work: FanOutWork<T>,
    options?: FanOutOptions,
  ): ResultAsync<FanOutReport<T>, KitError>;
  /** A handle on an existing sandbox by id. */
  get(sandboxId: string): ResultAsync<KitSandbox, KitError>;
  /** Sandboxes whose labels include `labels` (and the project label when `projectId` is given). */
  list(query?: {
    labels?: Readonly<Record<string, string>>;
    projectId?: string;
  }): ResultAsync<SandboxInfo[], KitError>;
  /** Deletes every sandbox of a project (normally one). Ok when there is none. */
  deleteProject(projectId: string): ResultAsync<number, KitError>;
  /**
   * The validated project → sandbox cache, for tests of the kit itself (not part of the published types).
   * @internal
   */
  registryEntries(): ReadonlyMap<string, string>;
  /** Closes every client and socket. Call it (or use `await using`) so Node can exit. */
  dispose(): Promise<void>;
}

/**
 * Test seams: a clock for waits.
 * @internal
 */
export interface KitInternals {
  readonly clock?: WaitClock;
  /** Poll interval of state waits. @default 250 */
  readonly pollMs?: number;
}

/**
 * Creates a kit. It never throws: invalid options come back as the `Err` of every call (and of `check()`).
 *
 * @example
 * ```ts
 * await using kit = createKit(); // local sandboxes unless DAYTONA_ENABLED=true
 * const sandbox = (await kit.ensure({ projectId: "blog" }))._unsafeUnwrap();
 * await sandbox.fs.writeText("public/index.html", "<h1>hi</h1>");
 * ```
 */
export function createKit(options: KitOptions = {}): Kit {
  return createKitWithSeams(options, {});
}

/**
 * {@link createKit} with test seams (a fake clock, a faster poll).
 * @internal
 */
export function createKitWithSeams(options: KitOptions, internals: KitInternals): Kit {
  // The options are read once, by resolveConfig; from here on only `resolved` is.
  const config = resolveConfig(options);
  if (config.isErr()) return unconfiguredKit(config.error);
  const resolved = config.value;
  const { clock = systemClock, pollMs } = internals;

  const base = buildDriver(resolved.driver);
  // dispose() fires it: every call in flight settles Aborted, and every later call is Aborted at once.
  const lifetime = new AbortController();
  // One listener per call in flight: many parallel calls are normal, not a leak.
  setMaxListeners(0, lifetime.signal);
  // Coordinated backoff belongs to Daytona's throttlers: the local driver is never rate-limited.
  const throttling =
    base.name === "daytona"
      ? createKitThrottling(resolved.throttling, resolved.retry, lifetime.signal)
      : undefined;
  const gated = throttling ? withThrottling(base, throttling.gate, throttling.quota) : base;
  const driver = withCallScopes(
    withSerializedLifecycle(withRetries(gated, resolved.retry, throttling?.quota)),
    {
      lifetime: lifetime.signal,
      defaultMs: resolved.timeouts.lifecycleMs,
    },
  );
  /** One deadline for a whole public call: every request, poll and retry wait inside it. */
  const scoped = <T>(
    operation: string,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    work: () => ResultAsync<T, KitError>,
  ) => withScope({ operation, timeoutMs, signals: [signal, lifetime.signal] }, work);
  const dispose = async () => {
    lifetime.abort();
    await driver.dispose();
  };
  const project = projectLabel(resolved.projectLabel);
  const registry = createSandboxRegistry(driver, project);
  // Local sandboxes live in one place; every other driver gets the ordered target list.
  const regions = createRegionFallback(driver.name === "local" ? ["local"] : resolved.targets, {
    fallbackOn: resolved.fallbackOn,
  });
  const inFlight = new Map<string, ResultAsync<KitSandbox, KitError>>();
  // A fan-out's client-side limits count on the same clock as the throttling gate.
  const limiterClock = {
    now: resolved.throttling.now ?? resolved.retry.now ?? Date.now,
    sleep: resolved.throttling.sleep ?? resolved.retry.sleep ?? realSleep,
  };
  const limiters = (limits: ClientRateLimits) => createClientLimiters(limits, limiterClock);

  const handleFor = (info: SandboxInfo) =>
    createSandboxHandle(
      {
        driver,
        registry,
        fs: resolved.fs,
        execTimeoutMs: resolved.timeouts.execMs,
        lifecycleTimeoutMs: resolved.timeouts.lifecycleMs,
        onDispose: resolved.onDispose,
        project,
      },
      info,
    );

  const plainEnsure = (request: EnsureRequest): ResultAsync<KitSandbox, KitError> => {
    const invalid = checkEnsureRequest(request);
    if (invalid.isErr()) return errAsync(invalid.error);
    // Single flight: one ensure per project at a time in this process; later callers share its result.
    const running = inFlight.get(request.projectId);
    if (running) return running;
    // checkEnsureRequest refused a timeout that is not 1 to 2³¹−1 ms.
    const timeoutMs = request.timeoutMs ?? resolved.timeouts.ensureMs;
    const deps = {
      driver,
      registry,
      regions,
      retry: resolved.retry,
      clock,
      project,
      defaultImage: resolved.defaultImage,
      timeoutMs,
      namePrefix: resolved.sandboxNamePrefix,
      pollMs,
    };
    const work = scoped(`ensure sandbox for project ${request.projectId}`, timeoutMs, request.signal, () =>
      ensureSandbox(deps, request),
    );
    const shared = shareOnce(work.map(handleFor), () => inFlight.delete(request.projectId));
    inFlight.set(request.projectId, shared);
    return shared;
  };

  // First starts of one sandbox run one after another (two specs' steps must not race on one server).
  const firstStarts = createKeyedQueue();
  const prebakedInFlight = new Map<string, ResultAsync<PrebakedSandbox, KitError>>();
  /** `ensure({ prebaked })`: the image (built when missing), the sandbox from it, its per-sandbox steps. */
  const prebakedEnsure = (request: EnsureRequest): ResultAsync<PrebakedSandbox, KitError> => {
    const checked = checkEnsureRequest(request).andThen(() =>
      compilePrebake(request.prebaked, resolved.defaultImage),
    );
    if (checked.isErr()) return errAsync(checked.error);
    const compiled = checked.value;
    // Identical requests in flight share one; a different spec for the same project waits its turn below.
    const key = `${request.projectId}\n${stableJson(request.prebaked)}`;
    const running = prebakedInFlight.get(key);
    if (running) return running;
    const { prebaked: _spec, onEvent, ...rest } = request;
    const signal = request.signal ? { signal: request.signal } : {};
    const work = prebakeCompiled(driver, compiled, signal).andThen((image) =>
      plainEnsure({
        ...rest,
        ...image.createFrom,
        labels: { ...rest.labels, [PREBAKED_FROM_LABEL]: image.name },
      }).andThen(
        (sandbox) =>
          new ResultAsync(
            firstStarts(sandbox.id, () =>
              // A handle of its own: `services` is this call's result, not a neighbour's.
              startPrebaked(handleFor(sandbox.info), compiled, image.name, {
                ...signal,
                ...(onEvent ? { onEvent } : {}),
              }),
            ),
          ),
      ),
    );
    const shared = shareOnce(work, () => prebakedInFlight.delete(key));
    prebakedInFlight.set(key, shared);
    return shared;
  };

  const kit: Kit = {
    driverName: driver.name,
    check: () => ok(undefined),
    ensure: ((request: EnsureRequest) =>
      request !== null && typeof request === "object" && request.prebaked !== undefined
        ? prebakedEnsure(request)
        : plainEnsure(request)) as Kit["ensure"],
    prebake: (spec, options) => prebakeSpec(driver, resolved.defaultImage, spec, options),
    prebaked: prebakedImages(driver, resolved.defaultImage),
    get: (sandboxId) =>
      checkSandboxId(sandboxId).asyncAndThen((id) =>
        scoped(`get sandbox ${id}`, resolved.timeouts.lifecycleMs, undefined, () =>
          driver.get(id).map(handleFor),
        ),
      ),
    list(query) {
      const checked = checkListQuery(query);
      if (checked.isErr()) return errAsync(checked.error);
      const { projectId } = checked.value;
      const labels = {
        ...checked.value.labels,
        ...(projectId === undefined ? {} : project.labelsFor(projectId)),
      };
      return scoped("list sandboxes", resolved.timeouts.lifecycleMs, undefined, () =>
        driver.list(Object.keys(labels).length > 0 ? { labels } : {}),
      );
    },
    deleteProject(projectId) {
      // Checked here, not only by list: a missing id must never become "no filter", i.e. every sandbox.
      const checked = checkProjectId(projectId);
      if (checked.isErr()) return errAsync(checked.error);
      const id = checked.value;
      return scoped(`delete project ${id}`, resolved.timeouts.lifecycleMs, undefined, () => deleteAll(id));
    },
    fanOut: (projectIds, work, fanOptions) =>
      runFanOut(
        { ensure: (request) => kit.ensure(request), limiters, lifetime: lifetime.signal },
        projectIds,
        work,
        fanOptions,
      ),
    registryEntries: () => registry.entries(),
    dispose,
    [Symbol.asyncDispose]: dispose,
  };
  function deleteAll(projectId: string): ResultAsync<number, KitError> {
    return kit
      .list({ projectId })
      .andThen((found) =>
        found.reduce<ResultAsync<number, KitError>>(
          (count, info) =>
            count.andThen((n) =>
              handleFor(info)
                .delete()
                .map(() => n + 1),
            ),
          okAsync(0),
        ),
      )
      .map((deleted) => {
        registry.forget(projectId);
        return deleted;
      });
  }
  return kit;
}

function buildDriver(choice: ResolvedDriver): SandboxDriver {
  switch (choice.kind) {
    case "custom":
      return choice.driver;
    case "daytona":
      return createDaytonaDriver(choice.options);
    case "local":
      return createLocalDriver(choice.options);
  }
}

/** Every caller of one in-flight operation gets the same settled Result; `done` runs once it settles. */
function shareOnce<T>(operation: ResultAsync<T, KitError>, done: () => void): ResultAsync<T, KitError> {
  const settled: Promise<Result<T, KitError>> = Promise.resolve(operation).then((result) => {
    done();
    return result;
  });
  return new ResultAsync(settled);
}

/** A kit whose options were invalid: every call returns the configuration error. */
function unconfiguredKit(error: KitError): Kit {
  const fail = () => errAsync(error);
  return {
    driverName: "unconfigured",
    check: () => err(error),
    ensure: fail,
    prebake: fail,
    prebaked: { plan: () => err(error), list: fail, delete: fail },
    get: fail,
    fanOut: fail,
    list: fail,
    deleteProject: fail,
    registryEntries: () => new Map(),
    dispose: async () => undefined,
    [Symbol.asyncDispose]: async () => undefined,
  };
}
