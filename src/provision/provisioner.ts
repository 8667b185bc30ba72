/**
 * `createProvisioner`: the `sandbox.provision` facade. Every method validates its input first (bad input is
 * `InvalidArgument` with nothing executed), then hands a recipe to the one engine.
 * @module
 */
import { err, errAsync, ok, type Result, ResultAsync } from "neverthrow";
import { type KitError, kitError } from "../errors.js";
import { checkShellText } from "../shell/quote.js";
import {
  checkAllOptions,
  checkDir,
  checkPackageList,
  checkProvisionOptions,
  PROVISION_SCHEMAS,
} from "../validate/provision-arguments.js";
import { type AllOptions, type AllResultFor, allRecipe } from "./all.js";
import { type AptOptions, type AptResult, aptRecipe } from "./apt.js";
import { applyRecipe, type Recipe } from "./engine.js";
import { type GitOptions, type GitResult, gitService } from "./git.js";
import { type MongoOptions, type MongoResult, mongoRecipe } from "./mongo.js";
import { type NodeBuildOptions, type NodeBuildResult, nodeBuildRecipe } from "./node/build.js";
import { type NodeInstallOptions, type NodeInstallResult, nodeInstallRecipe } from "./node/install.js";
import { type ServeStaticOptions, type ServeStaticResult, serveStaticPlan } from "./node/serve-static.js";
import { STATIC_SERVER_SCRIPT } from "./node/static-server-script.js";
import { type PostgresOptions, type PostgresResult, postgresService } from "./postgres.js";
import { type RedisOptions, type RedisResult, redisService } from "./redis.js";
import { composeServices, type Service } from "./service.js";
import type { ProvisionContext, ProvisionStep, RunOptions } from "./types.js";

/** Node.js helpers of {@link Provisioner}. */
export interface NodeProvisioner {
  /** `npm install --legacy-peer-deps --ignore-scripts` in `dir` (300 s); pnpm refused in ≤ 1 GiB sandboxes. */
  install(dir: string, options?: NodeInstallOptions): ResultAsync<NodeInstallResult, KitError>;
  /** Kills stray node processes, then `npm run <script>` under a heap limit from the sandbox memory. */
  build(dir: string, options?: NodeBuildOptions): ResultAsync<NodeBuildResult, KitError>;
  /** Serves `dir` (SPA fallback) in the background and waits until the port answers. */
  serveStatic(dir: string, options?: ServeStaticOptions): ResultAsync<ServeStaticResult, KitError>;
}

/** Dry runs: the steps each call would run, validated, without touching the sandbox. */
export interface ProvisionPlanner {
  /** The steps of {@link Provisioner.apt}. */
  apt(packages: readonly string[], options?: AptOptions): Result<readonly ProvisionStep[], KitError>;
  /** The steps of {@link Provisioner.git}. */
  git(options?: GitOptions): Result<readonly ProvisionStep[], KitError>;
  /** The steps of {@link Provisioner.postgres}. */
  postgres(options?: PostgresOptions): Result<readonly ProvisionStep[], KitError>;
  /** The steps of {@link Provisioner.redis}. */
  redis(options?: RedisOptions): Result<readonly ProvisionStep[], KitError>;
  /** The steps of {@link Provisioner.mongo}. */
  mongo(options?: MongoOptions): Result<readonly ProvisionStep[], KitError>;
  /** The steps of {@link Provisioner.all}. */
  all(options: AllOptions): Result<readonly ProvisionStep[], KitError>;
  /** The steps of {@link NodeProvisioner.install}. */
  nodeInstall(dir: string, options?: NodeInstallOptions): Result<readonly ProvisionStep[], KitError>;
  /** The steps of {@link NodeProvisioner.build}. */
  nodeBuild(dir: string, options?: NodeBuildOptions): Result<readonly ProvisionStep[], KitError>;
  /** The steps of {@link NodeProvisioner.serveStatic}. */
  serveStatic(dir: string, options?: ServeStaticOptions): Result<readonly ProvisionStep[], KitError>;
}

/**
 * Recipes for a sandbox. Each call returns a typed result; re-running one on a provisioned sandbox installs nothing
 * and costs one exec round trip.
 *
 * @example
 * ```ts
 * const db = await sandbox.provision.postgres({ database: "myapp", port: 5432 });
 * if (db.isOk()) console.log(db.value.url); // postgresql://postgres@localhost:5432/myapp
 * ```
 */
export interface Provisioner {
  /** Installs Debian packages: one `apt-get update` per sandbox, one batched install, installed ones skipped. */
  apt(packages: readonly string[], options?: AptOptions): ResultAsync<AptResult, KitError>;
  /** Installs git if missing and configures the commit author; optionally initialises a repository. */
  git(options?: GitOptions): ResultAsync<GitResult, KitError>;
  /** Installs and starts PostgreSQL with `trust` for local connections; creates the database. */
  postgres(options?: PostgresOptions): ResultAsync<PostgresResult, KitError>;
  /** Installs and starts Redis on 127.0.0.1. */
  redis(options?: RedisOptions): ResultAsync<RedisResult, KitError>;
  /** Starts MongoDB when the image has it; `Unsupported` (nothing installed) on slim images. */
  mongo(options?: MongoOptions): ResultAsync<MongoResult, KitError>;
  /**
   * git + PostgreSQL + Redis with one update and one install. The result has exactly the services requested
   * ({@link AllResultFor}).
   */
  all<const O extends AllOptions>(options: O): ResultAsync<AllResultFor<O>, KitError>;
  readonly node: NodeProvisioner;
  /** Dry runs of the calls above. */
  readonly plan: ProvisionPlanner;
}

const DEFAULT_STATE_DIR = "/workspace/.daytona-kit";

/**
 * Builds the provisioner of one sandbox.
 *
 * @example
 * ```ts
 * const provision = createProvisioner({ exec, writeText: fs.writeText, memoryGiB: 1 });
 * await provision.all({ git: true, postgres: { database: "myapp" }, redis: true });
 * ```
 */
export function createProvisioner(ctx: ProvisionContext): Provisioner {
  const memoryGiB = ctx.memoryGiB ?? 1;
  const stateDir = ctx.stateDir ?? DEFAULT_STATE_DIR;
  // apt and dpkg hold a lock: calls of one provisioner that may install run one after another.
  const serialize = createQueue();

  const run = <T>(recipe: Result<Recipe<T>, KitError>, options: RunOptions = {}, queued = true) =>
    recipe.asyncAndThen((r) => {
      const go = () => applyRecipe(ctx.exec, r, options);
      return queued ? serialize(go) : go();
    });
  const service = <T>(built: Result<Service<T>, KitError>) =>
    built.map((s) => {
      const composed = composeServices(s.name, { value: s });
      return {
        ...composed,
        parse: (facts: Parameters<typeof composed.parse>[0]) => composed.parse(facts).map((v) => v.value),
      };
    });
  const steps = <T>(recipe: Result<Recipe<T>, KitError>) => recipe.map((r) => r.steps);
  const checkedState = checkShellText(stateDir, "stateDir").andThen((dir) =>
    dir.startsWith("/")
      ? ok(dir)
      : err(kitError.invalidArgument("stateDir", "stateDir must be an absolute path.")),
  );
  const staticPlan = (dir: string, options: ServeStaticOptions = {}) =>
    checkedState.andThen((state) => serveStaticPlan(dir, options, state));

  // Every entry point checks its arguments' types first (null options, a string for an array, a lone
  // surrogate, a 2^31 ms timeout): InvalidArgument with nothing executed, never a TypeError.
  const S = PROVISION_SCHEMAS;
  const opts = <O extends object>(options: O | undefined, schema: (typeof S)[keyof typeof S]) =>
    checkProvisionOptions(options, schema);
  const aptRecipeOf = (packages: readonly string[], options: AptOptions | undefined) =>
    checkPackageList(packages).andThen((names) =>
      opts(options, S.apt).andThen((o) => aptRecipe(names, o).map((recipe) => ({ recipe, o }))),
    );
  const serviceOf = <O extends object, T>(
    options: O | undefined,
    schema: (typeof S)[keyof typeof S],
    build: (o: O) => Result<Recipe<T>, KitError>,
  ) => opts(options, schema).andThen((o) => build(o).map((recipe) => ({ recipe, o })));
  const withDir = <O extends object, T>(
    dir: string,
    options: O | undefined,
    schema: (typeof S)[keyof typeof S],
    build: (d: string, o: O) => Result<T, KitError>,
  ) =>
    checkDir(dir).andThen((d) =>
      opts(options, schema).andThen((o) => build(d, o).map((value) => ({ value, o }))),
    );
  const runBuilt = <T>(built: Result<{ recipe: Recipe<T>; o: RunOptions }, KitError>, queued = true) =>
    built.isErr() ? errAsync(built.error) : run(ok(built.value.recipe), built.value.o, queued);

  return {
    apt: (packages, options) => runBuilt(aptRecipeOf(packages, options)),
    git: (options) => runBuilt(serviceOf(options, S.git, (o) => service(gitService(o)))),
    postgres: (options) => runBuilt(serviceOf(options, S.postgres, (o) => service(postgresService(o)))),
    redis: (options) => runBuilt(serviceOf(options, S.redis, (o) => service(redisService(o)))),
    mongo: (options) => runBuilt(serviceOf(options, S.mongo, (o) => mongoRecipe(o))),
    // The recipe returns one entry per requested service, which is what AllResultFor<O> spells out.
    all: <const O extends AllOptions>(options: O) =>
      runBuilt(
        checkAllOptions(options).andThen((o) => allRecipe(o).map((recipe) => ({ recipe, o }))),
      ) as ResultAsync<AllResultFor<O>, KitError>,
    node: {
      install: (dir, options) =>
        runBuilt(
          withDir(dir, options, S.nodeInstall, (d, o) => nodeInstallRecipe(d, o, memoryGiB)).map(
            ({ value, o }) => ({ recipe: value, o }),
          ),
          false,
        ),
      build: (dir, options) => {
        const built = withDir(dir, options, S.nodeBuild, (d, o) => nodeBuildRecipe(d, o, memoryGiB));
        if (built.isErr()) return errAsync(built.error);
        const { value: recipe, o } = built.value;
        const onEvent: RunOptions["onEvent"] = (event) => {
          o.onEvent?.(event);
          if (event.type === "output" && event.step === "node.build") o.onOutput?.(event.line);
        };
        return run(ok(recipe), { ...(o.signal ? { signal: o.signal } : {}), onEvent }, false);
      },
      serveStatic: (dir, options) => {
        const planned = withDir(dir, options, S.serveStatic, (d, o) => staticPlan(d, o));
        if (planned.isErr()) return errAsync(planned.error);
        const { recipe, scriptPath } = planned.value.value;
        return ctx
          .writeText(scriptPath, STATIC_SERVER_SCRIPT)
          .mapErr((cause) => kitError.provisionFailed("static.write-script", cause))
          .andThen(() => run(ok(recipe), planned.value.o, false));
      },
    },
    plan: {
      apt: (packages, options) => aptRecipeOf(packages, options).map(({ recipe }) => recipe.steps),
      git: (options) =>
        serviceOf(options, S.git, (o) => service(gitService(o))).map(({ recipe }) => recipe.steps),
      postgres: (options) =>
        serviceOf(options, S.postgres, (o) => service(postgresService(o))).map(({ recipe }) => recipe.steps),
      redis: (options) =>
        serviceOf(options, S.redis, (o) => service(redisService(o))).map(({ recipe }) => recipe.steps),
      mongo: (options) =>
        serviceOf(options, S.mongo, (o) => mongoRecipe(o)).map(({ recipe }) => recipe.steps),
      all: (options) => checkAllOptions(options).andThen((o) => steps(allRecipe(o))),
      nodeInstall: (dir, options) =>
        withDir(dir, options, S.nodeInstall, (d, o) => nodeInstallRecipe(d, o, memoryGiB)).map(
          ({ value }) => value.steps,
        ),
      nodeBuild: (dir, options) =>
        withDir(dir, options, S.nodeBuild, (d, o) => nodeBuildRecipe(d, o, memoryGiB)).map(
          ({ value }) => value.steps,
        ),
      serveStatic: (dir, options) =>
        withDir(dir, options, S.serveStatic, (d, o) => staticPlan(d, o)).map(
          ({ value }) => value.recipe.steps,
        ),
    },
  };
}

/** A FIFO: each task starts when the previous one has settled. */
function createQueue(): <T>(task: () => ResultAsync<T, KitError>) => ResultAsync<T, KitError> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => ResultAsync<T, KitError>) => {
    const result = tail.then(async (): Promise<Result<T, KitError>> => await task());
    tail = result.then(
      () => undefined,
      () => undefined,
    );
    return new ResultAsync(result);
  };
}
