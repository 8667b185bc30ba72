/**
 * `ensure`: the project's sandbox, started — found by label, started if stopped, created only if absent.
 *
 * Create is not idempotent on Daytona (a timed-out create may still land, and the SDK sends no DELETE), so a
 * blind retry leaks a billed sandbox. Here every attempt after the first looks the project up by label before
 * creating again: a sandbox that appeared late is adopted, never doubled.
 * @module
 */
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import type { CreateSandboxSpec, SandboxDriver, SandboxInfo, SandboxResources } from "../driver/types.js";
import { type KitError, kitError } from "../errors.js";
import type { RegionFallback } from "../policy/region.js";
import { type RetryPolicy, retryResult } from "../policy/retry.js";
import { checkProjectId as validateProjectId } from "../validate/identifiers.js";
import type { SandboxRegistry } from "./registry.js";
import { FAILED_STATES, failed, GONE_STATES, type WaitClock, waitForState } from "./wait.js";

/** What `kit.ensure` takes. */
export interface EnsureRequest {
  /** The project the sandbox belongs to; stored in the project label. `[A-Za-z0-9][A-Za-z0-9._-]{0,62}` */
  readonly projectId: string;
  /** Image to create from. @default `DAYTONA_DEFAULT_IMAGE`, else `python:3.12-slim-bookworm` */
  readonly image?: string;
  /** Snapshot to create from (instead of an image). */
  readonly snapshot?: string;
  readonly envVars?: Readonly<Record<string, string>>;
  /** Extra labels; the project label is added. */
  readonly labels?: Readonly<Record<string, string>>;
  readonly resources?: SandboxResources;
  /** Minutes idle before Daytona stops the sandbox (Daytona's default is 15); `0` never. */
  readonly autoStopMinutes?: number;
  /** The whole ensure's deadline, waits included. @default the kit's `timeouts.ensureMs` */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** Everything `ensure` runs on. */
export interface EnsureDeps {
  readonly driver: SandboxDriver;
  readonly registry: SandboxRegistry;
  readonly regions: RegionFallback;
  readonly retry: RetryPolicy;
  readonly clock: WaitClock;
  readonly labelKey: string;
  readonly defaultImage: string;
  readonly timeoutMs: number;
  /** Poll interval of state waits. */
  readonly pollMs?: number;
}

const STARTABLE = new Set(["stopped", "paused", "archived"]);
const STARTED = new Set(["started"]);

/** Checks a project id before anything is sent. */
export function checkProjectId(projectId: unknown): KitError | undefined {
  const checked = validateProjectId(projectId);
  return checked.isErr() ? checked.error : undefined;
}

/** Finds, starts or creates the project's sandbox and returns it `started`. No single flight here: see the kit. */
export function ensureSandbox(deps: EnsureDeps, request: EnsureRequest): ResultAsync<SandboxInfo, KitError> {
  const invalid = checkProjectId(request.projectId) ?? checkSource(request);
  if (invalid) return errAsync(invalid);
  const timeoutMs = request.timeoutMs ?? deps.timeoutMs;
  const deadline = deps.clock.now() + timeoutMs;
  const left = () => Math.max(1, deadline - deps.clock.now());
  const signal = request.signal;

  const bringUp = (info: SandboxInfo): ResultAsync<SandboxInfo, KitError> => {
    if (info.state === "started") return okAsync(info);
    if (FAILED_STATES.has(info.state)) return errAsync(failed(info));
    if (STARTABLE.has(info.state)) return deps.driver.start(info.id, { timeoutMs: left(), ...opt(signal) });
    return waitForState(deps.driver, info.id, STARTED, {
      timeoutMs: left(),
      clock: deps.clock,
      ...opt(signal),
      ...(deps.pollMs === undefined ? {} : { pollMs: deps.pollMs }),
    });
  };

  const findByLabel = (): ResultAsync<SandboxInfo | undefined, KitError> =>
    deps.driver
      .list({ labels: { [deps.labelKey]: request.projectId } })
      .map((found) => pickBest(found.filter((s) => !GONE_STATES.has(s.state))));

  const createOnce = (): ResultAsync<SandboxInfo, KitError> =>
    deps.regions
      .run((target) => deps.driver.create(createSpec(deps, request, target, left(), signal)))
      .map(({ value }) => value);

  // Attempt 1 creates (the lookup just said "absent"); later attempts look again first, then create.
  const createAdopting = () =>
    retryResult(
      "create sandbox",
      (attempt) =>
        attempt === 1
          ? createOnce()
          : findByLabel().andThen((found) => (found ? okAsync(found) : createOnce())),
      { ...deps.retry, ...opt(signal), deadlineMs: timeoutMs },
    );

  return deps.registry
    .lookup(request.projectId)
    .andThen((cached) => (cached ? okAsync(cached) : findByLabel()))
    .andThen((found) => (found ? okAsync(found) : createAdopting()))
    .andThen(bringUp)
    .map((info) => {
      deps.registry.remember(request.projectId, info.id);
      return info;
    })
    .mapErr((error) =>
      // An inner wait ran out because OUR deadline did: say so with the caller's budget, not the wait's rest.
      error.kind === "Timeout" && error.afterMs !== undefined && deps.clock.now() >= deadline
        ? kitError.timeout(`ensure sandbox for project ${request.projectId}`, timeoutMs, error)
        : error,
    );
}

function createSpec(
  deps: EnsureDeps,
  request: EnsureRequest,
  target: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): CreateSandboxSpec {
  return {
    target,
    ...(request.snapshot === undefined
      ? { image: request.image ?? deps.defaultImage }
      : { snapshot: request.snapshot }),
    labels: { ...(request.labels ?? {}), [deps.labelKey]: request.projectId },
    ...(request.envVars === undefined ? {} : { envVars: request.envVars }),
    ...(request.resources === undefined ? {} : { resources: request.resources }),
    ...(request.autoStopMinutes === undefined ? {} : { autoStopMinutes: request.autoStopMinutes }),
    timeoutMs,
    ...opt(signal),
  };
}

/** Prefers a started sandbox, then one on its way up, then any: a project should have one, but never assume. */
function pickBest(found: readonly SandboxInfo[]): SandboxInfo | undefined {
  const rank = (s: SandboxInfo) => (s.state === "started" ? 0 : FAILED_STATES.has(s.state) ? 2 : 1);
  return [...found].sort((a, b) => rank(a) - rank(b) || a.id.localeCompare(b.id))[0];
}

function checkSource(request: EnsureRequest): KitError | undefined {
  if (request.image !== undefined && request.snapshot !== undefined) {
    return kitError.invalidArgument("snapshot", "Pass either image or snapshot, not both.");
  }
  if (request.timeoutMs !== undefined && !(request.timeoutMs > 0)) {
    return kitError.invalidArgument(
      "timeoutMs",
      `timeoutMs must be a positive number, got ${request.timeoutMs}.`,
    );
  }
  return undefined;
}

function opt(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}
