/**
 * The kit's prebake calls over the driver port: build (or find) the image a spec compiles to, list and delete the
 * kit's images, and the first start of a sandbox created from one (only its per-sandbox steps).
 * @module
 */
import { err, errAsync, ok, type Result, type ResultAsync } from "neverthrow";
import type { PrebakedEntry, PrebakedImage } from "../driver/prebake-types.js";
import type { SandboxDriver } from "../driver/types.js";
import { type KitError, kitError } from "../errors.js";
import type { AllResult, AllResultFor } from "../provision/all.js";
import { applyRecipe } from "../provision/engine.js";
import {
  type CompiledPrebake,
  type CompiledPrebakeRecipes,
  compilePrebake,
  PREBAKED_FROM_LABEL,
} from "../provision/prebake-compile.js";
import { PREBAKED_PREFIX } from "../provision/prebake-name.js";
import type { PrebakeSpec } from "../provision/prebake-spec.js";
import type { ProvisionEvent } from "../provision/types.js";
import { describeValue } from "../validate/describe.js";
import { checkOptionalTimeoutMs } from "../validate/numbers.js";
import { checkCallback, checkKnownKeys, checkOptions, checkSignal } from "../validate/options.js";
import type { KitSandbox } from "./handle.js";

/** Default deadline of a prebake: image builds install packages and may queue behind other builds. */
export const DEFAULT_PREBAKE_TIMEOUT_MS = 1_800_000;

/** Options of `kit.prebake`. */
export interface PrebakeCallOptions {
  /** Build log lines as they arrive (nothing when the image already exists). Exceptions thrown are ignored. */
  readonly onLog?: (line: string) => void;
  /** Aborts the build, or the wait for another caller's build: the call ends `Aborted`. */
  readonly signal?: AbortSignal;
  /** Deadline of the whole call, the wait for another caller's build included. @default 1_800_000 (30 min) */
  readonly timeoutMs?: number;
}

/** Housekeeping and dry runs of the kit's prebaked images (`kit.prebaked`). */
export interface PrebakedImages {
  /**
   * What `spec` compiles to, without building or running anything: the plan (content-derived name, base image,
   * install commands) and the per-sandbox steps.
   */
  plan(spec: PrebakeSpec): Result<CompiledPrebake, KitError>;
  /** The prebaked images this kit's driver holds, those named `apex-prebaked-…` only. */
  list(): ResultAsync<PrebakedEntry[], KitError>;
  /**
   * Deletes one prebaked image by name; `NotFound` when absent. Only names `apex-prebaked-<16 hex>` are accepted,
   * so a typo can never delete an image the kit did not make. Sandboxes created from it keep running.
   */
  delete(name: string): ResultAsync<void, KitError>;
}

/**
 * A sandbox from `kit.ensure({ projectId, prebaked: spec })`: the sandbox, plus the services of `spec` started
 * and ready (their URLs), with the same typing as `provision.all`'s result.
 */
export type PrebakedSandbox<S extends PrebakeSpec = PrebakeSpec> = KitSandbox & {
  /** The per-sandbox steps' result: `services.postgres.url`, `services.redis.url`, `services.git`. */
  readonly services: AllResultFor<S>;
};

const PREBAKED_NAME = new RegExp(`^${PREBAKED_PREFIX}[0-9a-f]{16}$`);
const OPTION_KEYS = ["onLog", "signal", "timeoutMs"] as const;

/** The driver's prebake methods, or the `Unsupported` error of a driver without them. */
function capable(
  driver: SandboxDriver,
): Result<Required<Pick<SandboxDriver, "prebake" | "listPrebaked" | "deletePrebaked">>, KitError> {
  const { prebake, listPrebaked, deletePrebaked } = driver;
  if (!prebake || !listPrebaked || !deletePrebaked) {
    return err(
      kitError.unsupported(
        `prebaked images on the ${driver.name} driver`,
        "Use the Daytona driver (snapshots) or the local driver (cached layers), or provision each sandbox " +
          "with sandbox.provision.all(spec).",
      ),
    );
  }
  return ok({
    prebake: prebake.bind(driver),
    listPrebaked: listPrebaked.bind(driver),
    deletePrebaked: deletePrebaked.bind(driver),
  });
}

/** `options` of `kit.prebake`, checked. */
export function checkPrebakeOptions(options: unknown): Result<PrebakeCallOptions, KitError> {
  return checkOptions(options as Record<string, unknown> | undefined, "options").andThen((o) =>
    checkKnownKeys(o, OPTION_KEYS, "options")
      .andThen(() => checkCallback(o.onLog, "options.onLog"))
      .andThen(() => checkSignal(o.signal, "options.signal"))
      .andThen(() => checkOptionalTimeoutMs(o.timeoutMs, "options.timeoutMs"))
      .map(() => o as PrebakeCallOptions),
  );
}

/** Builds (or finds) the image of an already compiled spec. */
export function prebakeCompiled(
  driver: SandboxDriver,
  compiled: CompiledPrebake,
  options: PrebakeCallOptions,
): ResultAsync<PrebakedImage, KitError> {
  const methods = capable(driver);
  if (methods.isErr()) return errAsync(methods.error);
  const { onLog } = options;
  return methods.value.prebake(compiled.plan, {
    timeoutMs: options.timeoutMs ?? DEFAULT_PREBAKE_TIMEOUT_MS,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(onLog
      ? {
          onLog: (line: string) => {
            try {
              onLog(line);
            } catch {
              // A listener's bug must not break the build.
            }
          },
        }
      : {}),
  });
}

/** `kit.prebake(spec, options)`: spec and options checked whole, then the image built or found. */
export function prebakeSpec(
  driver: SandboxDriver,
  defaultImage: string,
  spec: unknown,
  options: unknown,
): ResultAsync<PrebakedImage, KitError> {
  const checked = compilePrebake(spec, defaultImage).andThen((compiled) =>
    checkPrebakeOptions(options).map((o) => ({ compiled, o })),
  );
  if (checked.isErr()) return errAsync(checked.error);
  return prebakeCompiled(driver, checked.value.compiled, checked.value.o);
}

/** `kit.prebaked`: dry runs, list and delete. */
export function prebakedImages(driver: SandboxDriver, defaultImage: string): PrebakedImages {
  return {
    plan: (spec) => compilePrebake(spec, defaultImage).map(({ plan, perSandbox }) => ({ plan, perSandbox })),
    list: () => {
      const methods = capable(driver);
      if (methods.isErr()) return errAsync(methods.error);
      return methods.value.listPrebaked(PREBAKED_PREFIX);
    },
    delete: (name) => {
      if (typeof name !== "string" || !PREBAKED_NAME.test(name)) {
        return errAsync(
          kitError.invalidArgument(
            "name",
            `name must be a prebaked image's name (${PREBAKED_PREFIX}<16 hex digits>), got ${describeValue(name)}.`,
          ),
        );
      }
      const methods = capable(driver);
      if (methods.isErr()) return errAsync(methods.error);
      return methods.value.deletePrebaked(name);
    },
  };
}

/**
 * The first-start part of `ensure({ prebaked })` on `sandbox`: only the per-sandbox steps when it was created
 * from `imageName` (its label says so), else the whole recipe (a sandbox made before the spec changed, or by a
 * plain `ensure`: its missing packages are installed, nothing is lost). Then `services` is attached.
 */
export function startPrebaked(
  sandbox: KitSandbox,
  compiled: CompiledPrebakeRecipes,
  imageName: string,
  options: { readonly signal?: AbortSignal; readonly onEvent?: (event: ProvisionEvent) => void },
): ResultAsync<PrebakedSandbox, KitError> {
  const baked = sandbox.info.labels[PREBAKED_FROM_LABEL] === imageName;
  const recipe = baked ? compiled.start : compiled.full;
  return applyRecipe(sandbox.exec, recipe, options).map(
    (services: AllResult) =>
      Object.defineProperty(sandbox, "services", {
        value: services,
        enumerable: true,
        configurable: true,
      }) as PrebakedSandbox,
  );
}
