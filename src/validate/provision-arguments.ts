/**
 * The arguments of `sandbox.provision.*` (and `plan.*`), checked by TYPE before a recipe is built: an options
 * object (`null` refused), each known field of the right type, timeouts within 2³¹−1 ms. Patterns and ranges
 * particular to a recipe (package names, ports, database names) stay with the recipe's own validators.
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../errors.js";
import { describeValue } from "./describe.js";
import { checkOptionalTimeoutMs } from "./numbers.js";
import {
  checkBoolean,
  checkCallback,
  checkCommonFields,
  checkOptions,
  checkRequiredOptions,
  fieldName,
} from "./options.js";
import { checkString } from "./strings.js";

/** The type each field must have. */
type FieldKind = "string" | "number" | "timeout" | "boolean" | "strings" | "callback";
/** A field → kind table. */
export type Schema = Readonly<Record<string, FieldKind>>;

/** git's settings, by field. */
export const GIT: Schema = {
  email: "string",
  name: "string",
  init: "string",
  branch: "string",
  ignore: "strings",
};
/** PostgreSQL's settings, by field. */
export const POSTGRES: Schema = { database: "string", port: "number", readyTimeoutMs: "timeout" };
/** Redis's settings, by field. */
export const REDIS: Schema = { port: "number", readyTimeoutMs: "timeout" };

/** The schema of each provisioning call's options. */
export const PROVISION_SCHEMAS = {
  apt: { timeoutMs: "timeout" },
  git: GIT,
  postgres: POSTGRES,
  redis: REDIS,
  mongo: { port: "number", readyTimeoutMs: "timeout" },
  all: { aptTimeoutMs: "timeout" },
  nodeInstall: { packageManager: "string", optionalDependencies: "string", timeoutMs: "timeout" },
  nodeBuild: {
    script: "string",
    timeoutMs: "timeout",
    maxOldSpaceMiB: "number",
    killStrayProcesses: "boolean",
    onOutput: "callback",
  },
  serveStatic: { port: "number", host: "string", readyTimeoutMs: "timeout" },
} as const satisfies Record<string, Schema>;

/** `options` of one provisioning call: omitted → `{}`; each field in `schema` and the run options checked. */
export function checkProvisionOptions<T extends object>(
  options: T | undefined,
  schema: Schema,
  argument = "options",
): Result<T, KitError> {
  return checkOptions(options as Record<string, unknown> | undefined, argument).andThen((o) =>
    checkCommonFields(o, argument)
      .andThen(() => checkFields(o, schema, argument))
      .map(() => o as T),
  );
}

/** `all(options)`: required; `git`/`postgres`/`redis` each `true`, `false`, omitted or that service's settings. */
export function checkAllOptions<T extends object>(options: T | undefined): Result<T, KitError> {
  return checkRequiredOptions(options as Record<string, unknown> | undefined, "options").andThen((o) =>
    checkProvisionOptions(o, PROVISION_SCHEMAS.all)
      .andThen(() => checkService(o.git, GIT, "options.git"))
      .andThen(() => checkService(o.postgres, POSTGRES, "options.postgres"))
      .andThen(() => checkService(o.redis, REDIS, "options.redis"))
      .map(() => o as T),
  );
}

/** `packages` of `apt`: an array of strings (a single string would be read letter by letter). */
export function checkPackageList(packages: unknown): Result<readonly string[], KitError> {
  if (!Array.isArray(packages)) {
    return err(
      kitError.invalidArgument(
        "packages",
        `packages must be an array of package names, got ${describeValue(packages)}.`,
      ),
    );
  }
  for (const name of packages) {
    const checked = checkString(name, "packages");
    if (checked.isErr()) return err(checked.error);
  }
  return ok(packages);
}

/** A directory argument of `node.*`: a non-empty, well-formed string. */
export function checkDir(dir: unknown, argument = "dir"): Result<string, KitError> {
  return checkString(dir, argument);
}

/** One service's value in `all(options)` (or a prebake spec): `true`, `false`, omitted, or its settings. */
export function checkService(value: unknown, schema: Schema, argument: string): Result<void, KitError> {
  if (value === undefined || typeof value === "boolean") return ok(undefined);
  return checkProvisionOptions(value as object, schema, argument).map(() => undefined);
}

function checkFields(
  options: Record<string, unknown>,
  schema: Schema,
  argument: string,
): Result<void, KitError> {
  for (const [key, kind] of Object.entries(schema)) {
    const value = options[key];
    if (value === undefined) continue;
    const checked = checkField(value, kind, fieldName(argument, key));
    if (checked.isErr()) return checked;
  }
  return ok(undefined);
}

function checkField(value: unknown, kind: FieldKind, name: string): Result<void, KitError> {
  switch (kind) {
    case "string":
      return checkString(value, name).map(() => undefined);
    case "timeout":
      return checkOptionalTimeoutMs(value, name).map(() => undefined);
    case "boolean":
      return checkBoolean(value, name).map(() => undefined);
    case "callback":
      return checkCallback(value, name);
    case "number":
      return typeof value === "number" && Number.isFinite(value)
        ? ok(undefined)
        : err(
            kitError.invalidArgument(name, `${name} must be a finite number, got ${describeValue(value)}.`),
          );
    case "strings": {
      if (!Array.isArray(value)) {
        return err(
          kitError.invalidArgument(name, `${name} must be an array of strings, got ${describeValue(value)}.`),
        );
      }
      for (const item of value) {
        const checked = checkString(item, name, { allowEmpty: true });
        if (checked.isErr()) return err(checked.error);
      }
      return ok(undefined);
    }
  }
}
