/**
 * A driver decorator that sends every control-plane call through the kit's {@link ThrottleGate}: a 429 pauses the
 * whole throttler class (not just the call that met it), and waiting calls are released one probe at a time,
 * then spread out.
 *
 * Reads, label updates and NAMED creates that met a 429 are sent again through the gate here, while the shared
 * retry quota lasts and the call's deadline allows: the gate already waited the server's time. (A create call
 * also waits for the sandbox to start, so its 429 may come from a poll after the create was accepted; with a
 * name, sending it again is still safe: Daytona answers 409 for the name and ensure adopts that sandbox.)
 * Unnamed creates and start/stop/delete are not resent here; they pause the class and return the error to the
 * layers that repeat them safely (ensure's lookup-before-create, converge).
 * Toolbox calls (files, exec) go to Daytona's proxy, outside the API's throttlers, and pass straight through.
 * @module
 */
import { err, type Result, ResultAsync } from "neverthrow";
import { unexpectedThrow } from "../boundary.js";
import { type KitError, kitError } from "../errors.js";
import { currentClientLimiters } from "../policy/client-limits.js";
import { currentScope } from "../policy/deadline.js";
import type { RetryQuota } from "../policy/retry-quota.js";
import {
  type GateOutcome,
  isPermit,
  type ThrottleGate,
  type ThrottlerClass,
} from "../policy/throttle-gate.js";
import { forwardingDriver, prebakeMethods } from "./forwarding.js";
import type { SandboxDriver } from "./types.js";

const READ: readonly ThrottlerClass[] = ["authenticated"];
const CREATE: readonly ThrottlerClass[] = ["sandbox-create", "authenticated"];
const LIFECYCLE: readonly ThrottlerClass[] = ["sandbox-lifecycle", "authenticated"];

/** What the gate learns from a call's result. */
export function gateOutcome(
  result: Result<unknown, KitError>,
  classes: readonly ThrottlerClass[],
): GateOutcome {
  if (result.isOk()) return { kind: "answered" };
  const error = result.error;
  if (error.kind === "RateLimited") return { kind: "throttled", waits: pauseWaits(error, classes) };
  if (error.kind === "Aborted" || (error.kind === "Timeout" && error.afterMs !== undefined)) {
    return { kind: "unknown" };
  }
  if (error.kind === "Transient" && error.status === undefined) return { kind: "unknown" };
  return { kind: "answered" };
}

/**
 * The classes a 429 pauses: those the server named in `Retry-After-<throttler>` (an unknown name pauses the
 * call's own classes), else the call's most specific class for the generic `Retry-After` (1 s without one).
 */
function pauseWaits(
  error: KitError & { kind: "RateLimited" },
  classes: readonly ThrottlerClass[],
): Record<string, number> {
  const named = error.throttlers ?? {};
  const waits: Record<string, number> = {};
  for (const [name, waitMs] of Object.entries(named)) {
    if (classes.includes(name)) waits[name] = Math.max(waits[name] ?? 0, waitMs);
    else for (const cls of classes) waits[cls] = Math.max(waits[cls] ?? 0, waitMs);
  }
  if (Object.keys(waits).length === 0) waits[classes[0] ?? "authenticated"] = error.retryAfterMs ?? 1_000;
  return waits;
}

/** Wraps `driver` so its control-plane calls pass the gate; `quota` bounds the resends of a 429. */
export function withThrottling(
  driver: SandboxDriver,
  gate: ThrottleGate,
  quota: RetryQuota | undefined,
): SandboxDriver {
  const once = async <T>(
    classes: readonly ThrottlerClass[],
    operation: string,
    run: () => ResultAsync<T, KitError>,
  ): Promise<Result<T, KitError>> => {
    const scope = currentScope();
    // A fan-out's own limits first: they keep the kit under the server's, so the gate rarely has to pause.
    const limiters = currentClientLimiters();
    const stamps: (() => void)[] = [];
    if (limiters) {
      for (const cls of classes) {
        const stamp = await limiters.take(cls, scope?.signal);
        if (stamp === undefined) return err(scope ? scope.error() : kitError.aborted(operation));
        stamps.push(stamp);
      }
    }
    const permit = await gate.acquire(classes, {
      ...(scope ? { signal: scope.signal, deadlineMs: scope.remainingMs() } : {}),
    });
    if (!isPermit(permit)) {
      if (permit.kind === "aborted") return err(scope ? scope.error() : kitError.aborted(operation));
      return err(
        kitError.rateLimited(
          `${operation}: Daytona paused these requests for ${permit.waitMs} ms, past the call's deadline.`,
          permit.waitMs,
        ),
      );
    }
    for (const stamp of stamps) stamp();
    let result: Result<T, KitError>;
    try {
      result = await run();
    } catch (cause) {
      permit.release({ kind: "unknown" });
      return err(unexpectedThrow(operation, cause));
    }
    permit.release(gateOutcome(result, classes));
    return result;
  };

  /** Sends again after a 429, through the gate, while the quota lasts. */
  const resending = <T>(
    classes: readonly ThrottlerClass[],
    operation: string,
    run: () => ResultAsync<T, KitError>,
  ): ResultAsync<T, KitError> =>
    new ResultAsync(
      (async () => {
        let spent: number | undefined;
        for (;;) {
          const result = await once(classes, operation, run);
          if (result.isOk()) {
            quota?.succeeded(spent);
            return result;
          }
          if (result.error.kind !== "RateLimited" || currentScope()?.ended()) return result;
          const cost = quota === undefined ? 0 : quota.acquire(result.error);
          if (cost === undefined) return result;
          spent = cost;
        }
      })(),
    );
  const gated = <T>(
    classes: readonly ThrottlerClass[],
    operation: string,
    run: () => ResultAsync<T, KitError>,
  ): ResultAsync<T, KitError> => new ResultAsync(once(classes, operation, run));

  return {
    ...forwardingDriver(driver),
    // A named create is safe to send again: if the first one landed after all, Daytona answers 409 for the name
    // and ensure adopts that sandbox. An unnamed one is not (it could make a second sandbox).
    create: (spec) =>
      spec.name === undefined
        ? gated(CREATE, "create sandbox", () => driver.create(spec))
        : resending(CREATE, "create sandbox", () => driver.create(spec)),
    get: (id) => resending(READ, "get sandbox", () => driver.get(id)),
    list: (query) => resending(READ, "list sandboxes", () => driver.list(query)),
    start: (id, wait) => gated(LIFECYCLE, "start sandbox", () => driver.start(id, wait)),
    stop: (id, wait) => gated(LIFECYCLE, "stop sandbox", () => driver.stop(id, wait)),
    delete: (id, wait) => gated(LIFECYCLE, "delete sandbox", () => driver.delete(id, wait)),
    setLabels: (id, labels) => resending(READ, "set labels", () => driver.setLabels(id, labels)),
    previewLink: (id, port) => resending(READ, "preview link", () => driver.previewLink(id, port)),
    // File and exec calls go through Daytona's proxy, which these throttlers do not count: forwarded as they are.
    // Snapshot calls are plain API requests: Daytona counts them under its `authenticated` throttler only (the
    // sandbox-create and lifecycle throttlers guard the sandbox routes). A prebake is not resent here: it waits for
    // a build and already treats a name conflict as adoption; reads and deletes of snapshots are resent like reads.
    ...prebakeMethods(driver, {
      prebake: (plan, options, run) => gated(READ, `prebake ${plan.name}`, () => run(options)),
      read: (operation, run) => resending(READ, operation, run),
      write: (operation, run) => resending(READ, operation, run),
    }),
  };
}
