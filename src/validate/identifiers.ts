/**
 * Identifiers that select what a call works on: sandbox ids (project ids: `sandbox/project.ts`). A destructive call never widens its
 * scope because one is missing: `undefined`, `null`, numbers, objects and arrays are `InvalidArgument`, never
 * "no filter" (a `RegExp.test(undefined)` would have matched the text "undefined").
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../errors.js";
import { describeValue } from "./describe.js";

/** The shape of a sandbox id or name: letters, digits, `.`, `_`, `-`, `:` (Daytona ids are UUIDs). */
export const SANDBOX_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,254}$/;

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
