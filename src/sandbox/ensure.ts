/**
 * `ensure`: the project's sandbox, started — found by label, started if stopped, created only if absent.
 *
 * Exactly one sandbox per project, across processes and machines: every create carries the project's sandbox name
 * (`<prefix><projectId>`, see `../validate/sandbox-name.ts`), and names are unique per organisation (Daytona) or per
 * kit home (local driver). A 409 name conflict means another process won the race: its sandbox is adopted (got by
 * name, started or waited for), and this process never creates again. A name still held by a sandbox being
 * destroyed is waited out, then the create is sent again, all within the ensure's deadline.
 *
 * Create is not idempotent on Daytona (a timed-out create may still land, and the SDK sends no DELETE), so a
 * blind retry could leak a billed sandbox. Here every attempt after the first looks the project up by label before
 * creating again, and the name turns any create that still races into a 409 and an adoption.
 * @module
 */
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import type { CreateSandboxSpec, SandboxDriver, SandboxInfo, SandboxResources } from "../driver/types.js";
import { type KitError, kitError } from "../errors.js";
import { currentScope } from "../policy/deadline.js";
import type { RegionFallback } from "../policy/region.js";
import { type RetryPolicy, retryResult } from "../policy/retry.js";
import type { PrebakeSpec } from "../provision/prebake-spec.js";
import type { ProvisionEvent } from "../provision/types.js";
import { sandboxNameFor } from "../validate/sandbox-name.js";
import type { ProjectLabel } from "./project.js";
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
  /**
   * A prebaked environment: the sandbox is created from the spec's prebaked image (built first when missing,
   * under its own deadline of 30 minutes; call `kit.prebake(spec)` ahead to keep the first `ensure` fast), then
   * only the per-sandbox steps run (start PostgreSQL and Redis, create the database, write the git identity), and
   * the result carries `services`. A project's sandbox made earlier without this image gets the whole recipe
   * instead. Not together with `image` or `snapshot` (the spec's `baseImage` says what to build on).
   * See docs/provisioners/prebaked.md.
   */
  readonly prebaked?: PrebakeSpec;
  /**
   * With `prebaked`: progress of the steps run on the sandbox (`skipped`, `step-start`, `output`, `step-done`), as
   * `provision.all` reports them. Concurrent identical calls share one operation: the first caller's listener
   * hears it. Exceptions thrown are ignored.
   */
  readonly onEvent?: (event: ProvisionEvent) => void;
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
  readonly project: ProjectLabel;
  readonly defaultImage: string;
  /** This ensure's deadline: the request's `timeoutMs`, else the kit's. */
  readonly timeoutMs: number;
  /** Start of the sandbox names ensure creates. */
  readonly namePrefix: string;
  /** Poll interval of state waits (and of waits for a name to be freed). @default 250 */
  readonly pollMs?: number | undefined;
}

const STARTABLE = new Set(["stopped", "paused", "archived"]);
const STARTED = new Set(["started"]);

/**
 * Finds, starts or creates the project's sandbox and returns it `started`. The kit checked `request` whole
 * (`checkEnsureRequest`) and shares one call per project; neither happens again here.
 */
export function ensureSandbox(deps: EnsureDeps, request: EnsureRequest): ResultAsync<SandboxInfo, KitError> {
  const { timeoutMs } = deps;
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
      pollMs: deps.pollMs,
    });
  };

  const name = sandboxNameFor(deps.namePrefix, request.projectId);
  const pollMs = deps.pollMs ?? 250;

  const findByLabel = (): ResultAsync<SandboxInfo | undefined, KitError> =>
    deps.driver.list({ labels: deps.project.labelsFor(request.projectId) }).map((found) =>
      pickBest(
        found.filter((s) => !GONE_STATES.has(s.state)),
        name,
      ),
    );

  /** The sandbox holding our name, unless it is gone or going (then the name is about to be free). */
  const holderOfName = (): ResultAsync<SandboxInfo | undefined, KitError> =>
    deps.driver
      .get(name)
      .map((info): SandboxInfo | undefined => (GONE_STATES.has(info.state) ? undefined : info))
      .orElse((error) => (error.kind === "NotFound" ? okAsync(undefined) : errAsync(error)));

  /**
   * After a 409: adopt the sandbox that holds the name if it is this project's. When nobody live holds it (a
   * sandbox being destroyed still does, on Daytona; a local create between its claim and its record too), wait a
   * little and send the create again, until the deadline.
   */
  const adoptOrRetry = (target: string, interval: number): ResultAsync<SandboxInfo, KitError> =>
    holderOfName().andThen((holder): ResultAsync<SandboxInfo, KitError> => {
      if (holder) {
        if (deps.project.projectOf(holder) === request.projectId) return okAsync(holder);
        return errAsync(
          kitError.conflict(
            `Sandbox name ${name} is taken by sandbox ${holder.id}, which is not labelled ` +
              `${deps.project.key}=${request.projectId}; delete or rename it, or choose another sandboxNamePrefix.`,
          ),
        );
      }
      const waitMs = Math.min(interval, deadline - deps.clock.now());
      if (waitMs <= 0) {
        return errAsync(kitError.timeout(`wait for sandbox name ${name} to be free`, timeoutMs));
      }
      return sleepOrAbort(deps.clock, waitMs, signal).andThen(() =>
        createOrAdopt(target, Math.min(interval * 1.5, 2_000)),
      );
    });

  const createOrAdopt = (target: string, interval = pollMs): ResultAsync<SandboxInfo, KitError> =>
    deps.driver
      .create(createSpec(deps, request, name, target, left(), signal))
      // On create, a 409 is the name: another process (or an earlier attempt of ours) got there first.
      .orElse((error) => (error.kind === "Conflict" ? adoptOrRetry(target, interval) : errAsync(error)));

  // The first create follows the lookup that said "absent"; every later one (a retry, or the next region) looks
  // again first, so a create that landed late is adopted, never doubled.
  let creates = 0;
  const createInRegion = (target: string) =>
    retryResult(
      `create sandbox in ${target}`,
      () => {
        creates += 1;
        return creates === 1
          ? createOrAdopt(target)
          : findByLabel().andThen((found) => (found ? okAsync(found) : createOrAdopt(target)));
      },
      { ...deps.retry, ...opt(signal), deadlineMs: left() },
    );

  // The region fallback runs outside the retries: a region's retries are spent before the next region is tried.
  const createAdopting = () => deps.regions.run(createInRegion).map(({ value }) => value);

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
  name: string,
  target: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): CreateSandboxSpec {
  return {
    target,
    name,
    ...(request.snapshot === undefined
      ? { image: request.image ?? deps.defaultImage }
      : { snapshot: request.snapshot }),
    labels: { ...request.labels, ...deps.project.labelsFor(request.projectId) },
    ...(request.envVars === undefined ? {} : { envVars: request.envVars }),
    ...(request.resources === undefined ? {} : { resources: request.resources }),
    ...(request.autoStopMinutes === undefined ? {} : { autoStopMinutes: request.autoStopMinutes }),
    timeoutMs,
    ...opt(signal),
  };
}

/**
 * Prefers a started sandbox, then one on its way up, then any; among equals the one carrying the project's name
 * (older versions created unnamed ones), then the lowest id, so every process picks the same one.
 */
function pickBest(found: readonly SandboxInfo[], name: string): SandboxInfo | undefined {
  const rank = (s: SandboxInfo) => (s.state === "started" ? 0 : FAILED_STATES.has(s.state) ? 2 : 1);
  const named = (s: SandboxInfo) => (s.name === name ? 0 : 1);
  return [...found].sort((a, b) => rank(a) - rank(b) || named(a) - named(b) || a.id.localeCompare(b.id))[0];
}

/** Waits on the ensure's clock; `Aborted` when the signal fires. */
function sleepOrAbort(
  clock: WaitClock,
  ms: number,
  requestSignal: AbortSignal | undefined,
): ResultAsync<void, KitError> {
  // The public call's scope (its deadline, dispose) ends the wait too.
  const scopeSignal = currentScope()?.signal;
  const signal =
    requestSignal && scopeSignal
      ? AbortSignal.any([requestSignal, scopeSignal])
      : (requestSignal ?? scopeSignal);
  return ResultAsync.fromPromise(clock.sleep(ms, signal), () =>
    kitError.aborted("wait for the sandbox name to be free", signal?.reason),
  ).andThen(() =>
    signal?.aborted
      ? errAsync(kitError.aborted("wait for the sandbox name to be free", signal.reason))
      : okAsync(undefined),
  );
}

function opt(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}
