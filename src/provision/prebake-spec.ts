/**
 * The prebake spec: what a prebaked environment holds — the services of `provision.all` plus extra Debian
 * packages and Node.js — checked whole before anything is compiled, for JavaScript callers that pass anything.
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../errors.js";
import { describeValue } from "../validate/describe.js";
import { checkOptionalTimeoutMs } from "../validate/numbers.js";
import { checkKnownKeys, checkRequiredOptions } from "../validate/options.js";
import { checkPackageList, checkService, GIT, POSTGRES, REDIS } from "../validate/provision-arguments.js";
import { checkString } from "../validate/strings.js";
import { validatePackages } from "./apt.js";
import type { GitSettings } from "./git.js";
import type { PostgresSettings } from "./postgres.js";
import type { RedisSettings } from "./redis.js";

/**
 * A prebaked environment: the argument of `provision.all` (each service off unless given, `true` = its defaults)
 * plus extra packages and Node.js. The install part (packages, PostgreSQL's cluster and configuration) is baked
 * into an image once; the per-sandbox part (start PostgreSQL and Redis, create the database, write the git
 * identity) runs in each sandbox at its first `ensure`.
 *
 * @example
 * ```ts
 * const spec: Provision.PrebakeSpec = { git: true, postgres: { database: "app" }, redis: true, apt: ["curl"] };
 * await kit.prebake(spec);
 * const sandbox = (await kit.ensure({ projectId: "blog", prebaked: spec }))._unsafeUnwrap();
 * sandbox.services.postgres.url; // "postgresql://postgres@localhost:5432/app"
 * ```
 */
export interface PrebakeSpec {
  /** git: installed in the image; the author (`user.name`, `user.email`) and `init` are per sandbox. */
  readonly git?: GitSettings | boolean;
  /**
   * PostgreSQL: installed, its cluster created and configured (trust for local connections, the port) in the
   * image; started and the database created per sandbox.
   */
  readonly postgres?: PostgresSettings | boolean;
  /** Redis: installed in the image, started per sandbox. */
  readonly redis?: RedisSettings | boolean;
  /**
   * Extra Debian packages, installed in the same single `apt-get install` as the services' packages.
   * Names only (`^[a-z0-9][a-z0-9+.-]+$`, at most 128 characters, at most 200 names): no versions, no options.
   * @example ["curl", "build-essential"]
   */
  readonly apt?: readonly string[];
  /**
   * Node.js and npm. `true`: Debian's `nodejs` and `npm` from the base image's release (bookworm: Node 18), in the
   * same apt install. A major version (an integer from 18 to 99): the image is built on the official Debian-based
   * `node:<major>-slim` image (Node and npm included, nothing added by apt); not together with another `baseImage`
   * (`baseImage: "node:<major>-slim"` itself is accepted).
   * @example
   * ```ts
   * const spec: Provision.PrebakeSpec = { node: 20, apt: ["jq"] }; // built on node:20-slim
   * ```
   * @default false
   */
  readonly node?: boolean | number;
  /** The image the prebaked image is built on. @default the kit's default image (`defaultImage`) */
  readonly baseImage?: string;
  /** Deadline of `apt-get update` and `apt-get install` during the build, each. @default 180_000 */
  readonly aptTimeoutMs?: number;
}

/** Node majors `node` accepts: 18 is the oldest with an official `-slim` image still built on bookworm. */
const MIN_NODE_MAJOR = 18;
const MAX_NODE_MAJOR = 99;

const SPEC_KEYS = ["git", "postgres", "redis", "apt", "node", "baseImage", "aptTimeoutMs"] as const;
const MAX_PACKAGES = 200;
/** An image reference: registry, path, tag and digest characters only; no spaces, no shell characters. */
const IMAGE_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]{0,254}$/;

/** `spec`, checked whole: known keys only, each of the right type, package names and the image reference safe. */
export function checkPrebakeSpec(spec: unknown, argument = "spec"): Result<PrebakeSpec, KitError> {
  return checkRequiredOptions(spec as Record<string, unknown> | undefined, argument).andThen((s) =>
    checkKnownKeys(s, SPEC_KEYS, argument)
      .andThen(() => checkService(s.git, GIT, `${argument}.git`))
      .andThen(() => checkService(s.postgres, POSTGRES, `${argument}.postgres`))
      .andThen(() => checkService(s.redis, REDIS, `${argument}.redis`))
      .andThen(() => checkPackages(s.apt, `${argument}.apt`))
      .andThen(() => checkNode(s.node, `${argument}.node`))
      .andThen(() => checkBaseImage(s.baseImage, `${argument}.baseImage`))
      .andThen(() => checkNodeAgainstBaseImage(s.node, s.baseImage, argument))
      .andThen(() => checkOptionalTimeoutMs(s.aptTimeoutMs, `${argument}.aptTimeoutMs`))
      .map(() => s as PrebakeSpec),
  );
}

/** The image a prebaked image of `spec` is built on: its `baseImage`, else `node:<major>-slim`, else `defaultImage`. */
export function prebakeBaseImage(spec: PrebakeSpec, defaultImage: string): string {
  if (spec.baseImage !== undefined) return spec.baseImage;
  return typeof spec.node === "number" ? nodeImage(spec.node) : defaultImage;
}

function nodeImage(major: number): string {
  return `node:${major}-slim`;
}

function checkNode(value: unknown, argument: string): Result<void, KitError> {
  if (value === undefined || typeof value === "boolean") return ok(undefined);
  if (
    typeof value === "number" &&
    Number.isInteger(value) &&
    value >= MIN_NODE_MAJOR &&
    value <= MAX_NODE_MAJOR
  ) {
    return ok(undefined);
  }
  return err(
    kitError.invalidArgument(
      argument,
      `${argument} must be true, false or a Node.js major version (an integer from ${MIN_NODE_MAJOR} to ` +
        `${MAX_NODE_MAJOR}, such as 20), got ${describeValue(value)}.`,
    ),
  );
}

/** A major picks the base image, so a different `baseImage` would be a second answer to the same question. */
function checkNodeAgainstBaseImage(
  node: unknown,
  baseImage: unknown,
  argument: string,
): Result<void, KitError> {
  if (typeof node !== "number" || baseImage === undefined || baseImage === nodeImage(node))
    return ok(undefined);
  return err(
    kitError.invalidArgument(
      `${argument}.node`,
      `${argument}.node: ${node} builds on ${nodeImage(node)}, but ${argument}.baseImage is ` +
        `${JSON.stringify(baseImage)}. Pass one of them (or baseImage: "${nodeImage(node)}").`,
    ),
  );
}

function checkPackages(value: unknown, argument: string): Result<void, KitError> {
  if (value === undefined) return ok(undefined);
  return checkPackageList(value)
    .andThen((list) =>
      list.length > MAX_PACKAGES
        ? err(kitError.invalidArgument(argument, `${argument} holds at most ${MAX_PACKAGES} package names.`))
        : validatePackages(list),
    )
    .map(() => undefined)
    .mapErr((error) => (error.kind === "InvalidArgument" ? { ...error, argument } : error));
}

function checkBaseImage(value: unknown, argument: string): Result<void, KitError> {
  if (value === undefined) return ok(undefined);
  return checkString(value, argument).andThen((image) =>
    IMAGE_REFERENCE.test(image) && !image.includes("..")
      ? ok(undefined)
      : err(
          kitError.invalidArgument(
            argument,
            `${JSON.stringify(image)} is not an image reference (letters, digits, . _ - / : @; at most 255).`,
          ),
        ),
  );
}
