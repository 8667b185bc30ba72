/**
 * The option and result types of each provisioning call (`sandbox.provision.*`), grouped so the root entry stays
 * small: `Provision.PostgresOptions` is what `sandbox.provision.postgres()` takes, `Provision.PostgresResult` what
 * it returns.
 *
 * @example
 * ```ts
 * import type { Provision } from "@apex/daytona-kit";
 * const database: Provision.PostgresOptions = { database: "app", port: 5432 };
 * ```
 * @module
 */

export type { PrebakedEntry, PrebakedImage, PrebakeOptions, PrebakePlan } from "../driver/prebake-types.js";
export type {
  PrebakeCallOptions,
  PrebakedImages,
  PrebakedSandbox,
} from "../sandbox/prebaked.js";
export type { AllResult } from "./all.js";
export type { AptOptions, AptResult } from "./apt.js";
export type { GitOptions, GitResult, GitSettings } from "./git.js";
export type { MongoOptions, MongoResult } from "./mongo.js";
export type { NodeBuildOptions, NodeBuildResult } from "./node/build.js";
export type { NodeInstallOptions, NodeInstallResult } from "./node/install.js";
export type { ServeStaticOptions, ServeStaticResult } from "./node/serve-static.js";
export type { PostgresOptions, PostgresResult, PostgresSettings } from "./postgres.js";
export type { CompiledPrebake } from "./prebake-compile.js";
export type { PrebakeSpec } from "./prebake-spec.js";
export type { NodeProvisioner, ProvisionPlanner } from "./provisioner.js";
export type { RedisOptions, RedisResult, RedisSettings } from "./redis.js";
export type { ProvisionStep } from "./types.js";
