/**
 * How the memory driver turns the shared model's refusals into `KitError`s: the kinds the real drivers return for
 * the same situation, so a test written against the memory driver sees what production code will see.
 */
import { type KitError, kitError } from "../errors.js";
import type { FsFailure } from "./fs-state.js";
import type { LifecycleRefusal } from "./lifecycle-rules.js";

/**
 * A lifecycle refusal as a `KitError`, as the Daytona and local drivers report it: 404 → `NotFound`; a change in
 * progress, a call the state cannot take (stopping a stopped sandbox) and files or exec on a sandbox that is not
 * started → `Conflict` (the request was fine, the sandbox's state was not); an errored sandbox → `InvalidArgument`
 * with the API's 400.
 */
export function refusalError(refusal: LifecycleRefusal, sandboxId: string, operation: string): KitError {
  switch (refusal.reason) {
    case "not-found":
      return kitError.notFound("sandbox", sandboxId);
    case "in-progress":
    case "invalid-state":
      return kitError.conflict(`${operation}: ${refusal.message} (sandbox ${sandboxId}).`);
    case "not-running":
      return kitError.conflict(`${operation}: ${refusal.message}; start sandbox ${sandboxId} first.`);
    case "errored":
      return kitError.invalidArgument(operation, `${refusal.message} (sandbox ${sandboxId}).`, {
        status: refusal.status,
      });
  }
}

/** A daemon-style filesystem failure as a `KitError`, as the Daytona driver maps the daemon's answer. */
export function fsError(failure: FsFailure, path: string): KitError {
  if (failure.code === "FILE_NOT_FOUND" || failure.status === 404) {
    // The model names the missing path (a move's missing destination directory, say); prefer it.
    return kitError.notFound("file", /^file not found: (.+)$/.exec(failure.message)?.[1] ?? path);
  }
  if (failure.status === 409) return kitError.conflict(`${failure.message}: ${path}`);
  return kitError.invalidArgument("path", failure.message, { status: failure.status });
}
