/**
 * Sandbox names: the one place that knows what a name may be, and how a project's name is derived.
 *
 * Daytona keeps names unique per organisation (a second create with the same name is a 409) and refuses names with
 * HTML tags, URL schemes, `www.` or control characters. It looks a sandbox up by id first, then by name, so a name
 * shaped like a UUID could be read as another sandbox's id. Names also travel in URL paths (`GET /sandbox/{name}`)
 * and, on the local driver, become file names. The rule here is narrower than all of that on purpose:
 * `[A-Za-z0-9]` then `[A-Za-z0-9._~-]`, at most {@link MAX_SANDBOX_NAME_LENGTH} characters, no `www.`, not UUID-shaped.
 * @module
 */
import { createHash } from "node:crypto";
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../errors.js";
import { describeValue } from "./describe.js";

/** The longest name the kit creates (a DNS label's length: names show up in hostnames and paths). */
export const MAX_SANDBOX_NAME_LENGTH = 63;

/** The longest `sandboxNamePrefix`: leaves room for a readable part and the hash suffix. */
export const MAX_NAME_PREFIX_LENGTH = 40;

/** The default `sandboxNamePrefix`. */
export const DEFAULT_SANDBOX_NAME_PREFIX = "apex-";

/** Characters of a name: URL-unreserved only, so a name never needs escaping in a path or a file name. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._~-]*$/;
/** A prefix: the same characters, or empty. `~` is kept for the hash suffix (see {@link sandboxNameFor}). */
const PREFIX = /^([A-Za-z0-9][A-Za-z0-9._-]*)?$/;
/** What Daytona's id lookup would take first: 8-4-4-4-12 hex digits. */
const UUID_SHAPED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Daytona refuses names that mention `www.` (its URL filter). */
const WWW = /www\./i;
/** Hex digits of the hash suffix: 48 bits, far beyond any organisation's number of projects. */
const HASH_DIGITS = 12;

/** Why `name` cannot be a sandbox name, or undefined when it can. */
function nameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > MAX_SANDBOX_NAME_LENGTH) {
    return `must be 1 to ${MAX_SANDBOX_NAME_LENGTH} characters`;
  }
  if (!NAME.test(name)) return "must start with a letter or digit and hold only letters, digits and . _ ~ -";
  if (WWW.test(name)) return 'must not contain "www." (Daytona refuses it)';
  if (UUID_SHAPED.test(name)) return "must not look like a UUID (Daytona would read it as a sandbox id)";
  return undefined;
}

/**
 * A sandbox name the kit (and the local driver) accepts.
 *
 * @example
 * ```ts
 * checkSandboxName("apex-blog")  // => Ok("apex-blog")
 * checkSandboxName("../etc")     // => Err(InvalidArgument)
 * ```
 */
export function checkSandboxName(value: unknown, argument = "name"): Result<string, KitError> {
  const problem = typeof value === "string" ? nameProblem(value) : "must be a string";
  if (problem === undefined) return ok(value as string);
  return err(kitError.invalidArgument(argument, `A sandbox name ${problem}; got ${describeValue(value)}.`));
}

/** `sandboxNamePrefix`: empty, or letters, digits and `. _ -` starting with a letter or digit, at most 40. */
export function checkSandboxNamePrefix(value: unknown): Result<string | undefined, KitError> {
  if (value === undefined) return ok(undefined);
  if (
    typeof value === "string" &&
    value.length <= MAX_NAME_PREFIX_LENGTH &&
    PREFIX.test(value) &&
    !WWW.test(value)
  ) {
    return ok(value);
  }
  return err(
    kitError.invalidArgument(
      "sandboxNamePrefix",
      `sandboxNamePrefix must be empty or up to ${MAX_NAME_PREFIX_LENGTH} letters, digits and . _ - ` +
        `(starting with a letter or digit, no "www."), got ${describeValue(value)}.`,
    ),
  );
}

/**
 * The sandbox name of a project: `<prefix><projectId>` when that is a valid name; otherwise
 * `<prefix><readable>~<hash>`, where `hash` is the first 12 hex digits of SHA-256 of the project id and `readable`
 * is the project id with every `.` turned into `-` (so no `www.` survives), cut to fit 63 characters.
 *
 * The `~` marks a hashed name: project ids never contain it, so a hashed name can never equal another project's
 * plain name, and two project ids share a hashed name only if their hashes collide. The same input always gives
 * the same name, in every process and every version that keeps this rule.
 *
 * Expects a valid prefix and project id (checked by the kit before).
 *
 * @example
 * ```ts
 * sandboxNameFor("apex-", "blog")          // => "apex-blog"
 * sandboxNameFor("", "9b2f…-uuid-shaped")  // => "9b2f…~<12 hex>"
 * sandboxNameFor("apex-", "www.site")      // => "apex-www-site~<12 hex>"
 * ```
 */
export function sandboxNameFor(prefix: string, projectId: string): string {
  const plain = `${prefix}${projectId}`;
  if (nameProblem(plain) === undefined) return plain;
  const hash = createHash("sha256").update(projectId).digest("hex").slice(0, HASH_DIGITS);
  const room = MAX_SANDBOX_NAME_LENGTH - prefix.length - 1 - HASH_DIGITS;
  const readable = projectId.replace(/\./g, "-").slice(0, room);
  return `${prefix}${readable}~${hash}`;
}
