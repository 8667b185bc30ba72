/**
 * The arguments of the kit's own calls (`ensure`, `list`), checked whole before anything is sent. A key that is
 * present but `undefined` where it selects sandboxes (`{ projectId: undefined }`) is refused: it is a missing
 * value (`process.env.PROJECT` unset), and treating it as "no filter" would select every sandbox.
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import type { SandboxResources } from "../driver/types.js";
import { type KitError, kitError } from "../errors.js";
import { checkProjectId } from "../sandbox/project.js";
import { checkEnv } from "../shell/env.js";
import { checkInteger, checkNumber, checkOptionalTimeoutMs } from "./numbers.js";
import {
  checkCallback,
  checkKnownKeys,
  checkOptions,
  checkRequiredOptions,
  checkSignal,
  isPlainObject,
} from "./options.js";
import { checkStringRecord } from "./records.js";
import { checkOptionalString } from "./strings.js";

/** The filter of `kit.list`, checked. */
export interface CheckedListQuery {
  readonly labels: Readonly<Record<string, string>>;
  readonly projectId: string | undefined;
}

const LIST_KEYS = ["labels", "projectId"] as const;

/**
 * `kit.list`'s query: omitted or `{}` lists every sandbox the key sees; `projectId`, when the key is present, must
 * be a valid project id (`undefined` included: refused); unknown keys are refused.
 */
export function checkListQuery(query: unknown): Result<CheckedListQuery, KitError> {
  return checkOptions(query as Record<string, unknown> | undefined, "query").andThen((q) =>
    checkKnownKeys(q, LIST_KEYS, "query")
      .andThen(() =>
        Object.hasOwn(q, "projectId") ? checkProjectId(q.projectId, "query.projectId") : ok(undefined),
      )
      .andThen((projectId) =>
        checkStringRecord(q.labels, "query.labels").map((labels) => ({ labels: labels ?? {}, projectId })),
      ),
  );
}

const ENSURE_KEYS = [
  "projectId",
  "image",
  "snapshot",
  "prebaked",
  "onEvent",
  "envVars",
  "labels",
  "resources",
  "autoStopMinutes",
  "timeoutMs",
  "signal",
] as const;

/** The largest `autoStopMinutes` accepted: a year (Daytona stores minutes in a 32-bit integer). */
const MAX_AUTO_STOP_MINUTES = 525_600;

/** `kit.ensure`'s request, every field checked by type and range. */
export function checkEnsureRequest<T extends object>(request: T | undefined): Result<T, KitError> {
  return checkRequiredOptions(request, "request").andThen((r) => {
    const fields = r as Record<string, unknown>;
    const checked = checkKnownKeys(r, ENSURE_KEYS, "request")
      .andThen(() => checkProjectId(fields.projectId, "projectId"))
      .andThen(() => checkOptionalString(fields.image, "image"))
      .andThen(() => checkOptionalString(fields.snapshot, "snapshot"))
      .andThen(() =>
        fields.image !== undefined && fields.snapshot !== undefined
          ? err(kitError.invalidArgument("snapshot", "Pass either image or snapshot, not both."))
          : ok(undefined),
      )
      .andThen(() =>
        fields.prebaked !== undefined && (fields.image !== undefined || fields.snapshot !== undefined)
          ? err(
              kitError.invalidArgument(
                "prebaked",
                "Pass either prebaked or image/snapshot, not both (the spec's baseImage names the base image).",
              ),
            )
          : ok(undefined),
      )
      .andThen(() => checkCallback(fields.onEvent, "onEvent"))
      .andThen(() => checkStringRecord(fields.envVars, "envVars"))
      .andThen((envVars) => checkEnv(envVars).mapErr((e) => ({ ...e, argument: "envVars" }) as KitError))
      .andThen(() => checkStringRecord(fields.labels, "labels"))
      .andThen(() => checkResources(fields.resources))
      .andThen(() =>
        fields.autoStopMinutes === undefined
          ? ok(undefined)
          : checkInteger(fields.autoStopMinutes, "autoStopMinutes", 0, MAX_AUTO_STOP_MINUTES),
      )
      .andThen(() => checkOptionalTimeoutMs(fields.timeoutMs, "timeoutMs"))
      .andThen(() => checkSignal(fields.signal));
    return checked.map(() => r);
  });
}

function checkResources(value: unknown): Result<SandboxResources | undefined, KitError> {
  if (value === undefined) return ok(undefined);
  if (!isPlainObject(value)) {
    return err(
      kitError.invalidArgument("resources", "resources must be an object { cpu, memoryGiB, diskGiB }."),
    );
  }
  const known = checkKnownKeys(value, ["cpu", "memoryGiB", "diskGiB"], "resources");
  if (known.isErr()) return err(known.error);
  for (const key of ["cpu", "memoryGiB", "diskGiB"] as const) {
    if (value[key] === undefined) continue;
    const checked = checkNumber(value[key], `resources.${key}`, Number.MIN_VALUE, 1024);
    if (checked.isErr()) return err(checked.error);
  }
  return ok(value as SandboxResources);
}
