/**
 * Lifecycle calls that converge. A start, stop or delete the server accepted may still fail on our side (the
 * status poll after it gets a 503, the answer is lost): re-sending it then gets "State change in progress" and
 * turns a sandbox that is in fact starting into an error. So after a failure, the state is OBSERVED first: the
 * wanted state ends the call Ok, a state on its way there is waited for, and only a sandbox still where it was
 * gets the request again. "State change in progress" (400 or 409) means the same: wait, not fail.
 * @module
 */
import { err, ok, type Result, type ResultAsync } from "neverthrow";
import { type KitError, kitError } from "../errors.js";
import { currentScope } from "../policy/deadline.js";
import { isRetryable, type RetryPolicy } from "../policy/retry.js";
import { realSleep, sleepUnlessAborted } from "../policy/sleep.js";
import type { SandboxDriver, SandboxInfo, WaitOptions } from "./types.js";

/** The lifecycle verbs that converge. */
export type LifecycleVerb = "start" | "stop" | "delete";

const FAILED = new Set(["error", "build_failed"]);
const GONE = new Set(["destroyed"]);
/** States from which the verb's request must be sent (again): nothing is under way. */
const NEEDS_REQUEST: Record<LifecycleVerb, ReadonlySet<string>> = {
  start: new Set(["stopped", "paused", "archived"]),
  stop: new Set(["started"]),
  delete: new Set(["started", "stopped", "paused", "archived", "error", "build_failed"]),
};
const WANTED: Record<LifecycleVerb, ReadonlySet<string>> = {
  start: new Set(["started"]),
  stop: new Set(["stopped", "destroyed"]),
  delete: GONE,
};

/** True for Daytona's "State change in progress" refusal (HTTP 400 in older servers, 409 in newer ones). */
export function isStateChangeInProgress(error: KitError): boolean {
  if (error.kind !== "InvalidArgument" && error.kind !== "Conflict") return false;
  return /state change in progress/i.test(error.message);
}

/** What {@link converge} runs on. */
export interface ConvergeDeps {
  /** The underlying driver (its `start`/`stop`/`delete` send the request and wait). */
  readonly driver: SandboxDriver;
  /** Fresh state, already retried. */
  readonly observe: (id: string) => ResultAsync<SandboxInfo, KitError>;
  readonly policy: RetryPolicy;
}

/**
 * Runs `verb` on sandbox `id` until the sandbox is in the verb's state, the retries are used up, or the wait's
 * deadline (and the public call's) passes. Requests are re-sent only when the sandbox was observed where it
 * started; never more than `policy.attempts` times.
 */
export async function converge(
  deps: ConvergeDeps,
  verb: LifecycleVerb,
  id: string,
  wait: WaitOptions,
): Promise<Result<SandboxInfo | undefined, KitError>> {
  const now = deps.policy.now ?? Date.now;
  const sleep = deps.policy.sleep ?? realSleep;
  const deadline = now() + wait.timeoutMs;
  const attempts = deps.policy.attempts ?? 3;
  const signal = wait.signal ?? currentScope()?.signal;
  let sent = 0;
  let pauseMs = Math.max(50, deps.policy.baseDelayMs ?? 100);

  for (;;) {
    const requested = await send(deps.driver, verb, id, {
      ...wait,
      timeoutMs: Math.max(1, deadline - now()),
    });
    sent += 1;
    if (requested.isOk()) return ok(requested.value);
    const lastError = requested.error;
    // A delete whose earlier request landed: the sandbox is gone, which is what was asked.
    if (verb === "delete" && lastError.kind === "NotFound" && sent > 1) return ok(undefined);
    if (!isRetryable(lastError, true) && !isStateChangeInProgress(lastError)) return err(lastError);
    // Observe instead of re-sending, until the state settles or the deadline passes.
    for (;;) {
      const seen = await deps.observe(id);
      if (seen.isErr()) {
        if (verb === "delete" && seen.error.kind === "NotFound") return ok(undefined);
        return err(seen.error);
      }
      const info = seen.value;
      if (WANTED[verb].has(info.state)) return ok(verb === "delete" ? undefined : info);
      if (FAILED.has(info.state) && verb !== "delete") {
        return err(
          kitError.sandboxFailed(info.state, {
            sandboxId: info.id,
            reason: info.errorReason || undefined,
            recoverable: info.recoverable,
          }),
        );
      }
      if (NEEDS_REQUEST[verb].has(info.state)) {
        if (sent >= attempts) return err(lastError);
        break; // nothing under way: send the request again
      }
      const left = deadline - now();
      if (left <= 0) return err(kitError.timeout(`${verb} sandbox ${id}`, wait.timeoutMs));
      const slept = await sleepUnlessAborted(sleep, Math.min(pauseMs, left), signal);
      if (slept.kind === "aborted") return err(kitError.aborted(`${verb} sandbox ${id}`));
      pauseMs = Math.min(pauseMs * 1.5, 2_000);
    }
  }
}

function send(
  driver: SandboxDriver,
  verb: LifecycleVerb,
  id: string,
  wait: WaitOptions,
): ResultAsync<SandboxInfo | undefined, KitError> {
  if (verb === "delete") return driver.delete(id, wait).map(() => undefined);
  return driver[verb](id, wait);
}
