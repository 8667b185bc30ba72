/**
 * Provisioners: apt, git, PostgreSQL, Redis, MongoDB (where the image has it), Node installs/builds and a static SPA
 * server — recipes as data, applied by one engine with progress events and typed results.
 * @module
 */
export type { AllOptions, AllResult, AllResultFor } from "./all.js";
export { APT_MARKER, type AptOptions, type AptResult, DEFAULT_APT_TIMEOUT_MS } from "./apt.js";
export { applyRecipe, type Recipe, type RecipeFacts } from "./engine.js";
export { GIT_DEFAULTS, type GitOptions, type GitResult, type GitSettings } from "./git.js";
export { MONGO_UNSUPPORTED_HINT, type MongoOptions, type MongoResult } from "./mongo.js";
export { DEFAULT_BUILD_TIMEOUT_MS, type NodeBuildOptions, type NodeBuildResult } from "./node/build.js";
export {
  DEFAULT_INSTALL_TIMEOUT_MS,
  type NodeInstallOptions,
  type NodeInstallResult,
} from "./node/install.js";
export { maxOldSpaceMiB } from "./node/memory.js";
export {
  SERVE_STATIC_DEFAULTS,
  type ServeStaticOptions,
  type ServeStaticResult,
} from "./node/serve-static.js";
export { STATIC_MIME_TYPES } from "./node/static-server-script.js";
export {
  POSTGRES_DEFAULTS,
  type PostgresOptions,
  type PostgresResult,
  type PostgresSettings,
} from "./postgres.js";
export {
  createProvisioner,
  type NodeProvisioner,
  type Provisioner,
  type ProvisionPlanner,
} from "./provisioner.js";
export { REDIS_DEFAULTS, type RedisOptions, type RedisResult, type RedisSettings } from "./redis.js";
export type { ProvisionContext, ProvisionEvent, ProvisionStep, RunOptions, StepSummary } from "./types.js";
