/** Validation of environment variables passed to a command: shared by the exec facade and the drivers. */
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../errors.js";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Checks that every name is a shell identifier and every value a string without NUL bytes. */
export function checkEnv(env: Readonly<Record<string, string>> | undefined): Result<void, KitError> {
  for (const [name, value] of Object.entries(env ?? {})) {
    if (!ENV_NAME.test(name)) {
      return err(
        kitError.invalidArgument("env", `Invalid environment variable name ${JSON.stringify(name)}.`),
      );
    }
    if (typeof value !== "string" || value.includes("\0")) {
      return err(
        kitError.invalidArgument("env", `Environment variable ${name} must be a string without NUL bytes.`),
      );
    }
  }
  return ok(undefined);
}
