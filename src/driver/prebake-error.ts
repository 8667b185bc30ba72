/**
 * The error of a prebake build that failed: `SandboxFailed` (the kind for a Daytona resource that ended in `error` /
 * `build_failed`), with the snapshot's state and reason, and a message that ends with the build log's tail so the
 * failing step is readable where the error is printed.
 * @module
 */
import { type KitError, kitError } from "../errors.js";

/** A failed snapshot build as a `SandboxFailed` error whose message ends with `tail` (the build log's last lines). */
export function prebakeBuildFailed(
  name: string,
  state: string,
  reason: string | undefined,
  tail: string,
): KitError {
  const base = kitError.sandboxFailed(state, { ...(reason ? { reason } : {}) });
  const message =
    `Prebaked image ${name} failed to build (state ${state})${reason ? `: ${reason}` : ""}.` +
    (tail.trim() === "" ? " The build left no log." : `\nBuild log (last lines):\n${tail}`);
  return Object.freeze({ ...base, message });
}
