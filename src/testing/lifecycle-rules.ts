/**
 * Daytona's lifecycle rules over one {@link SandboxRecord}: which calls a sandbox's state allows, and what the API
 * answers otherwise. The emulator's HTTP handlers and the memory driver both ask these functions, so they refuse
 * the same calls for the same reasons (starting a destroyed sandbox, exec on a stopped one, a stop during a
 * change). The checks run in the API's order (upstream `SandboxService`).
 */
import type { SandboxRecord } from "./types.js";

/** Why a call was refused, with the status and message Daytona answers. */
export interface LifecycleRefusal {
  /**
   * `not-found`: unknown or destroyed (404). `errored`: in `error`/`build_failed` (400). `in-progress`: a state
   * change is under way (409). `invalid-state`: the call cannot leave the current state (400). `not-running`: a
   * toolbox call (files, exec) on a sandbox that is not `started` (the proxy's 400).
   */
  readonly reason: "not-found" | "errored" | "in-progress" | "invalid-state" | "not-running";
  readonly status: 400 | 404 | 409;
  readonly message: string;
}

/** Upstream's `StateChangeInProgressError` (409) text. */
export const STATE_CHANGE_IN_PROGRESS = "Sandbox state change in progress";

const ERRORED_STATES = new Set(["error", "build_failed"]);

const refusal = (reason: LifecycleRefusal["reason"], message: string): LifecycleRefusal => ({
  reason,
  status: reason === "not-found" ? 404 : reason === "in-progress" ? 409 : 400,
  message,
});

/** True while the API still works towards another state (upstream: `pending`, or state ≠ desired state). */
export function changing(box: SandboxRecord): boolean {
  return box.pending !== undefined || box.state !== box.desiredState;
}

/** The API's 404 for a sandbox it does not know (or no longer shows). */
export function missingSandbox(idOrName: string): LifecycleRefusal {
  return refusal("not-found", `Sandbox with ID or name ${idOrName} not found`);
}

/** What `start` does: `"noop"` for a started sandbox, `"start"` to begin starting, or the refusal. */
export function startRule(box: SandboxRecord): "noop" | "start" | LifecycleRefusal {
  if (box.state === "destroyed") return missingSandbox(box.id);
  if (box.state === "started" && !changing(box)) return "noop";
  if (ERRORED_STATES.has(box.state)) return refusal("errored", "Sandbox is in an errored state");
  const archivedStart =
    box.desiredState === "archived" && (box.state === "stopped" || box.state === "archiving");
  if (box.pending || (box.state !== box.desiredState && !archivedStart)) {
    return refusal("in-progress", STATE_CHANGE_IN_PROGRESS);
  }
  if (!["stopped", "archived", "archiving"].includes(box.state)) {
    return refusal("invalid-state", "Sandbox is not in valid state");
  }
  return "start";
}

/** What `stop` does: `"stop"`, `"destroy"` for an ephemeral sandbox (its stop deletes it), or the refusal. */
export function stopRule(box: SandboxRecord): "stop" | "destroy" | LifecycleRefusal {
  if (box.state === "destroyed") return missingSandbox(box.id);
  if (ERRORED_STATES.has(box.state)) return refusal("errored", "Sandbox is in an errored state");
  if (changing(box)) return refusal("in-progress", STATE_CHANGE_IN_PROGRESS);
  if (box.state !== "started") return refusal("invalid-state", "Sandbox is not in a stoppable state");
  return box.autoDeleteInterval === 0 ? "destroy" : "stop";
}

/** Whether `delete` may run: any settled state may be deleted; a pending change refuses with 409. */
export function deleteRule(box: SandboxRecord): "delete" | LifecycleRefusal {
  if (box.state === "destroyed") return missingSandbox(box.id);
  if (box.pending) return refusal("in-progress", STATE_CHANGE_IN_PROGRESS);
  return "delete";
}

/**
 * The sandbox a toolbox call (files, exec) reaches, or the refusal: the proxy answers 404 for an unknown or destroyed
 * sandbox and 400 "Sandbox is not running" for one that is not `started` (the daemon only runs inside one).
 */
export function toolboxRule(box: SandboxRecord | undefined, id: string): SandboxRecord | LifecycleRefusal {
  if (!box || box.state === "destroyed") return refusal("not-found", `Sandbox with ID ${id} not found`);
  if (box.state !== "started") {
    return refusal("not-running", `Sandbox is not running (state: ${box.state})`);
  }
  return box;
}

/** True when a rule answered a refusal rather than an action. */
export function isRefusal(value: unknown): value is LifecycleRefusal {
  return typeof value === "object" && value !== null && "reason" in value && "status" in value;
}
