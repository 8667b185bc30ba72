/**
 * Identifiers that select what a call works on: project ids and sandbox ids. A destructive call never widens its
 * scope because one is missing: `undefined`, `null`, numbers, objects and arrays are `InvalidArgument`, never
 * "no filter" (a `RegExp.test(undefined)` would have matched the text "undefined").
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../errors.js";
import { describeValue } from "./describe.js";

/** The shape of a project id; it becomes a label value. */
export const PROJECT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
/** The shape of a sandbox id or name: letters, digits, `.`, `_`, `-`, `:` (Daytona ids are UUIDs). */
export const SANDBOX_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,254}$/;

/**
 * A project id (`[A-Za-z0-9][A-Za-z0-9._-]{0,62}`), checked by type first.
 *
 * @example
 * ```ts
 * checkProjectId("blog")    // => Ok("blog")
 * checkProjectId(undefined) // => Err(InvalidArgument "projectId")
 * ```
 */
export function checkProjectId(value: unknown, argument = "projectId"): Result<string, KitError> {
  if (typeof value === "string" && PROJECT_ID_PATTERN.test(value)) return ok(value);
  return err(
    kitError.invalidArgument(
      argument,
      `${argument} must be a string matching ${PROJECT_ID_PATTERN.source} (it becomes a label value), ` +
        `got ${describeValue(value)}.`,
    ),
  );
}

/** A sandbox id or name, checked by type and shape before it reaches a URL or a directory name. */
export function checkSandboxId(value: unknown, argument = "sandboxId"): Result<string, KitError> {
  if (typeof value === "string" && SANDBOX_ID_PATTERN.test(value)) return ok(value);
  return err(
    kitError.invalidArgument(
      argument,
      `${argument} must be a sandbox id (${SANDBOX_ID_PATTERN.source}), got ${describeValue(value)}.`,
    ),
  );
}
