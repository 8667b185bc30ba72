/**
 * `provision.all`: git, PostgreSQL and Redis in one recipe — one `apt-get update` (when the marker is missing), one
 * `apt-get install` of the union of missing packages, then each service's configuration and start. On a provisioned
 * sandbox it is a single exec round trip.
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import type { KitError } from "../errors.js";
import { DEFAULT_APT_TIMEOUT_MS } from "./apt.js";
import type { Recipe } from "./engine.js";
import { type GitResult, type GitSettings, gitService } from "./git.js";
import { type PostgresResult, type PostgresSettings, postgresService } from "./postgres.js";
import { type RedisResult, type RedisSettings, redisService } from "./redis.js";
import { composeServices, type Service } from "./service.js";
import type { RunOptions } from "./types.js";
import { validateTimeout } from "./validate.js";

/** Options of `provision.all`: each service is off unless given (`true` = its defaults). */
export interface AllOptions extends RunOptions {
  readonly git?: GitSettings | boolean;
  readonly postgres?: PostgresSettings | boolean;
  readonly redis?: RedisSettings | boolean;
  /** Deadline of `apt-get update` and `apt-get install`, each. @default 180_000 */
  readonly aptTimeoutMs?: number;
}

/** Result of `provision.all`: one entry per requested service. */
export interface AllResult {
  /** The git author set, when git was requested. */
  readonly git?: GitResult;
  /** The database URL and cluster, when PostgreSQL was requested. */
  readonly postgres?: PostgresResult;
  /** The Redis URL, when Redis was requested. */
  readonly redis?: RedisResult;
}

type ServiceName = keyof AllResult;
/** What the caller passed for one service (`undefined` when the key is absent). */
type Passed<O, K extends ServiceName> = K extends keyof O ? O[K] : undefined;
/** Services surely requested: their value can be neither absent nor `false`. */
type Surely<O> = {
  [K in ServiceName]: Passed<O, K> extends false | undefined
    ? never
    : [Extract<Passed<O, K>, false | undefined>] extends [never]
      ? K
      : never;
}[ServiceName];
/** Services that may or may not be requested (e.g. `git: boolean`). */
type Maybe<O> = Exclude<
  { [K in ServiceName]: Passed<O, K> extends false | undefined ? never : K }[ServiceName],
  Surely<O>
>;

/**
 * The result of `provision.all(options)` for these options: each service passed as `true` or settings is present
 * (no `?`), each left out or `false` is absent, and one that may be either stays optional.
 * @example
 * ```ts
 * const done = await sandbox.provision.all({ git: true, postgres: { database: "app" } });
 * if (done.isOk()) done.value.postgres.url; // no `?.` needed; `done.value.redis` is a type error
 * ```
 */
export type AllResultFor<O extends AllOptions> = {
  readonly [K in Surely<O>]-?: NonNullable<AllResult[K]>;
} & {
  readonly [K in Maybe<O>]?: AllResult[K];
};

function settings<T extends object>(value: T | boolean | undefined): T | undefined {
  if (value === undefined || value === false) return undefined;
  return value === true ? ({} as T) : value;
}

/** The services `options` asks for, each validated, under their result keys (git, postgres, redis). */
export function allServices(
  options: Pick<AllOptions, ServiceName>,
): Result<Record<string, Service<unknown>>, KitError> {
  const services: Record<string, Service<unknown>> = {};
  const git = settings(options.git);
  if (git) {
    const service = gitService(git);
    if (service.isErr()) return err(service.error);
    services.git = service.value;
  }
  const postgres = settings(options.postgres);
  if (postgres) {
    const service = postgresService(postgres);
    if (service.isErr()) return err(service.error);
    services.postgres = service.value;
  }
  const redis = settings(options.redis);
  if (redis) {
    const service = redisService(redis);
    if (service.isErr()) return err(service.error);
    services.redis = service.value;
  }
  return ok(services);
}

/** The combined recipe. Every service's input is validated before anything is built. */
export function allRecipe(options: AllOptions): Result<Recipe<AllResult>, KitError> {
  const aptTimeout = validateTimeout(options.aptTimeoutMs ?? DEFAULT_APT_TIMEOUT_MS, "aptTimeoutMs");
  if (aptTimeout.isErr()) return err(aptTimeout.error);
  return allServices(options).map(
    (services) => composeServices("all", services, aptTimeout.value) as Recipe<AllResult>,
  );
}
