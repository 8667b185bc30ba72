/**
 * The checks a prebake's arguments pass before anything is sent: Daytona's snapshot name rule (a name it refuses
 * is a 400 after a round trip; here it is an `InvalidArgument` before one) and the plan's shape, for JavaScript
 * callers that pass anything. Shared by every driver's prebake (the local driver adds its own file-name rule) and the emulator's model.
 * @module
 */

import { type KitError, kitError } from "../errors.js";
import type { PrebakeOptions, PrebakePlan } from "./prebake-types.js";

/**
 * The API's rule: letters, digits, `_`, `.`, `-`, `:`, with single `/` between components. Longer than 255
 * characters is refused here too (a registry reference cannot be longer).
 */
const SNAPSHOT_NAME = /^[a-zA-Z0-9_.\-:]+(\/[a-zA-Z0-9_.\-:]+)*$/;

/** Why Daytona would refuse `name` as a snapshot name, or `undefined` when it is valid. */
export function snapshotNameProblem(name: unknown): string | undefined {
  if (typeof name !== "string" || name.length === 0) return "A snapshot name must be a non-empty string.";
  if (name.length > 255) return "A snapshot name is at most 255 characters.";
  if (!SNAPSHOT_NAME.test(name)) {
    return "Invalid snapshot name format. May contain letters, digits, dots, colons, and dashes";
  }
  return undefined;
}

/** Why `plan` or `options` cannot be used, as the `InvalidArgument` a JavaScript caller gets. */
export function prebakeArgumentProblem(plan: unknown, options: unknown): KitError | undefined {
  if (typeof plan !== "object" || plan === null)
    return kitError.invalidArgument("plan", "plan must be an object.");
  const { name, baseImage, commands } = plan as Partial<PrebakePlan>;
  const nameProblem = snapshotNameProblem(name);
  if (nameProblem) return kitError.invalidArgument("plan.name", nameProblem);
  if (typeof baseImage !== "string" || baseImage.trim() === "" || /\s/.test(baseImage)) {
    return kitError.invalidArgument(
      "plan.baseImage",
      "plan.baseImage must be an image reference (no spaces).",
    );
  }
  if (!Array.isArray(commands) || commands.some((c) => typeof c !== "string" || c.trim() === "")) {
    return kitError.invalidArgument("plan.commands", "plan.commands must be an array of non-empty strings.");
  }
  if (typeof options !== "object" || options === null) {
    return kitError.invalidArgument("options", "options must be an object.");
  }
  const { timeoutMs, onLog } = options as Partial<PrebakeOptions>;
  if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    return kitError.invalidArgument("options.timeoutMs", "options.timeoutMs must be a positive number.");
  }
  if (onLog !== undefined && typeof onLog !== "function") {
    return kitError.invalidArgument("options.onLog", "options.onLog must be a function.");
  }
  return undefined;
}
