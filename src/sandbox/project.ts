/**
 * The project label: which label records a sandbox's project, what a valid project id is, and how to read and
 * write it. Everything that relates a sandbox to its project goes through here.
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import type { SandboxInfo } from "../driver/types.js";
import { type KitError, kitError } from "../errors.js";
import { describeValue } from "../validate/describe.js";
import { isPrototypeKey } from "../validate/records.js";

/** The label key used when the options name none. */
export const DEFAULT_PROJECT_LABEL = "apex.project";

/** The shape of a project id; it becomes a label value. */
export const PROJECT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** A label key: what Daytona and the local driver store as the project label. */
const LABEL_KEY = /^[A-Za-z0-9]([A-Za-z0-9._/-]{0,126}[A-Za-z0-9])?$/;

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

/** The `projectLabel` option: a label key, or omitted for {@link DEFAULT_PROJECT_LABEL}. */
export function checkProjectLabel(value: unknown): Result<string, KitError> {
  if (value === undefined) return ok(DEFAULT_PROJECT_LABEL);
  if (typeof value === "string" && LABEL_KEY.test(value) && !isPrototypeKey(value)) return ok(value);
  return err(
    kitError.invalidArgument(
      "projectLabel",
      `projectLabel must be a label key (${LABEL_KEY.source}), got ${describeValue(value)}.`,
    ),
  );
}

/** One kit's project label, bound to its key. */
export interface ProjectLabel {
  /** The label key, e.g. `"apex.project"`. */
  readonly key: string;
  /** The labels that mark a sandbox as the project's (to create with, or to list by). */
  labelsFor(projectId: string): Record<string, string>;
  /** The project a sandbox belongs to, if it carries the label. */
  projectOf(info: Pick<SandboxInfo, "labels">): string | undefined;
}

/**
 * Binds the project label to `key` (already checked by {@link checkProjectLabel}).
 *
 * @example
 * ```ts
 * const project = projectLabel("apex.project");
 * project.labelsFor("blog")                           // => { "apex.project": "blog" }
 * project.projectOf({ labels: { "apex.project": "blog" } }) // => "blog"
 * ```
 */
export function projectLabel(key: string): ProjectLabel {
  return {
    key,
    labelsFor: (projectId) => ({ [key]: projectId }),
    projectOf: (info) => (Object.hasOwn(info.labels, key) ? info.labels[key] : undefined),
  };
}
