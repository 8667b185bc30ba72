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
  readonly git?: GitResult;
  readonly postgres?: PostgresResult;
  readonly redis?: RedisResult;
}

function settings<T extends object>(value: T | boolean | undefined): T | undefined {
  if (value === undefined || value === false) return undefined;
  return value === true ? ({} as T) : value;
}

/** The combined recipe. Every service's input is validated before anything is built. */
export function allRecipe(options: AllOptions): Result<Recipe<AllResult>, KitError> {
  const aptTimeout = validateTimeout(options.aptTimeoutMs ?? DEFAULT_APT_TIMEOUT_MS, "aptTimeoutMs");
  if (aptTimeout.isErr()) return err(aptTimeout.error);
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
  return ok(composeServices("all", services, aptTimeout.value) as Recipe<AllResult>);
}
