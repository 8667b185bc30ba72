/**
 * Validation of every caller-supplied value a recipe puts into a command. Runs before any command is built, so bad
 * input is `InvalidArgument` with nothing executed.
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../errors.js";
import { checkShellText } from "../shell/quote.js";
import { checkTimeoutMs } from "../validate/numbers.js";

const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const EMAIL = /^[^\s@<>"'`]+@[^\s@<>"'`]+\.[^\s@<>"'`]+$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A Debian package name (`^[a-z0-9][a-z0-9+.-]+$`). */
export function validatePackage(name: string): Result<string, KitError> {
  if (typeof name === "string" && PACKAGE_NAME.test(name) && name.length <= 128) return ok(name);
  return err(
    kitError.invalidArgument(
      "packages",
      `${JSON.stringify(name)} is not a Debian package name (^[a-z0-9][a-z0-9+.-]+$).`,
    ),
  );
}

/** A TCP port: an integer 1–65535. */
export function validatePort(port: number, argument = "port"): Result<number, KitError> {
  if (Number.isInteger(port) && port >= 1 && port <= 65_535) return ok(port);
  return err(
    kitError.invalidArgument(
      argument,
      `${argument} must be an integer from 1 to 65535, got ${String(port)}.`,
    ),
  );
}

/** A PostgreSQL database name: `^[A-Za-z_][A-Za-z0-9_]{0,62}$` (no quoting tricks possible). */
export function validateDatabaseName(name: string): Result<string, KitError> {
  if (typeof name === "string" && DATABASE_NAME.test(name)) return ok(name);
  return err(
    kitError.invalidArgument(
      "database",
      `${JSON.stringify(name)} is not a valid database name: use letters, digits and _ (not first), at most 63 characters.`,
    ),
  );
}

/** A git author email: one line, no NUL, `local@domain.tld` shape, at most 254 characters. */
export function validateEmail(email: string): Result<string, KitError> {
  return checkShellText(email, "email").andThen((value) =>
    EMAIL.test(value) && value.length <= 254
      ? ok(value)
      : err(kitError.invalidArgument("email", `${JSON.stringify(value)} is not an email address.`)),
  );
}

/** A git author name: one line, no control characters, 1–256 characters. */
export function validateAuthorName(name: string): Result<string, KitError> {
  return checkShellText(name, "name").andThen((value) =>
    value.trim().length > 0 && value.length <= 256 && !CONTROL.test(value)
      ? ok(value)
      : err(kitError.invalidArgument("name", "The git author name must be 1–256 printable characters.")),
  );
}

/**
 * A directory inside the sandbox: one line, no NUL, not empty. A relative path gets a `./` prefix so it can never
 * be read as an option (`-rf`); it resolves against the exec's working directory (`/workspace`).
 */
export function validateDir(dir: string, argument = "dir"): Result<string, KitError> {
  if (typeof dir !== "string" || dir.trim() === "") {
    return err(kitError.invalidArgument(argument, `${argument} must be a non-empty path.`));
  }
  return checkShellText(dir, argument).map((value) => (value.startsWith("/") ? value : `./${value}`));
}

/** An npm script name: one line, not empty, not starting with `-`. */
export function validateScriptName(script: string): Result<string, KitError> {
  return checkShellText(script, "script").andThen((value) =>
    value.length > 0 && !value.startsWith("-") && !CONTROL.test(value)
      ? ok(value)
      : err(kitError.invalidArgument("script", `${JSON.stringify(value)} is not an npm script name.`)),
  );
}

/** A listen address: an IPv4 literal, `::` or `::1`. */
export function validateHost(host: string): Result<string, KitError> {
  if (typeof host === "string" && (IPV4.test(host) || host === "::" || host === "::1")) return ok(host);
  return err(
    kitError.invalidArgument(
      "host",
      `host must be an IP literal such as 0.0.0.0 or 127.0.0.1, got ${JSON.stringify(host)}.`,
    ),
  );
}

/** A duration in milliseconds from 1 to 2³¹−1 (Node fires a longer timer at once). */
export function validateTimeout(ms: number, argument = "timeoutMs"): Result<number, KitError> {
  return checkTimeoutMs(ms, argument);
}
