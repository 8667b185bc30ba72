/**
 * One definition, two uses: a {@link PrebakeSpec} compiles to the plan a driver bakes into an image (the install
 * phase of the same services `provision.all` runs: one apt install over the union of packages, PostgreSQL's cluster
 * and configuration) and to the per-sandbox recipe a sandbox created from that image runs at its first `ensure`
 * (start the servers, create the database, write the git identity: never an apt-get). The shell text is the
 * services' own; nothing is written twice.
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import type { PrebakePlan } from "../driver/prebake-types.js";
import { type KitError, kitError } from "../errors.js";
import { type AllResult, allServices } from "./all.js";
import { DEFAULT_APT_TIMEOUT_MS } from "./apt.js";
import type { Recipe } from "./engine.js";
import { prebakedName } from "./prebake-name.js";
import { checkPrebakeSpec, type PrebakeSpec, prebakeBaseImage } from "./prebake-spec.js";
import { composeInstall, composeServices, composeStart } from "./service.js";
import type { ProvisionStep } from "./types.js";

/** Labels of every prebaked image the kit builds (where the driver can attach labels). */
export const PREBAKED_IMAGE_LABELS: Readonly<Record<string, string>> = { "apex.prebaked": "true" };

/**
 * The label a sandbox created from a prebaked image carries, valued with the image's name: a sandbox that has it
 * runs only the per-sandbox steps; one without it (created before, or from another spec) runs the whole recipe.
 */
export const PREBAKED_FROM_LABEL = "apex.prebaked-from";

/** Debian's Node.js and npm, for `node: true` (a major picks `node:<major>-slim` instead). */
const NODE_PACKAGES = ["nodejs", "npm"] as const;

/** What a spec compiles to, as `kit.prebaked.plan(spec)` shows it (a dry run: nothing is built or run). */
export interface CompiledPrebake {
  /** What the driver builds: a content-derived name, the base image, the install commands. */
  readonly plan: PrebakePlan;
  /** The steps a sandbox created from the image runs at its first `ensure` (no apt-get among them). */
  readonly perSandbox: readonly ProvisionStep[];
}

/** {@link CompiledPrebake} with the recipes `ensure` applies. */
export interface CompiledPrebakeRecipes extends CompiledPrebake {
  /** The per-sandbox recipe, for a sandbox created from `plan.name`. */
  readonly start: Recipe<AllResult>;
  /** Install and per-sandbox steps (exactly `provision.all`'s recipe, plus the extra packages), for any other. */
  readonly full: Recipe<AllResult>;
}

/**
 * Compiles `spec` (checked whole first). The plan's name is derived from its whole content (base image, commands,
 * labels), so the same spec in any key order names the same image and any change that alters the image names a
 * new one; settings that only matter per sandbox (database name, git identity, ready timeouts) do not change it.
 */
export function compilePrebake(
  spec: unknown,
  defaultImage: string,
): Result<CompiledPrebakeRecipes, KitError> {
  return checkPrebakeSpec(spec).andThen((checked) =>
    allServices(checked).andThen((services) => {
      const aptTimeoutMs = checked.aptTimeoutMs ?? DEFAULT_APT_TIMEOUT_MS;
      const extra = extraPackages(checked);
      const content = {
        baseImage: prebakeBaseImage(checked, defaultImage),
        commands: composeInstall(services, aptTimeoutMs, extra).map((step) => step.command),
        labels: PREBAKED_IMAGE_LABELS,
      };
      if (content.commands.length === 0) {
        return err(
          kitError.invalidArgument(
            "spec",
            "The spec installs nothing (no git, postgres, redis, apt or node: true; a Node major only picks the base " +
              "image): there is nothing to prebake.",
          ),
        );
      }
      const start = composeStart("prebaked", services) as Recipe<AllResult>;
      return ok({
        plan: { name: prebakedName(content), ...content },
        perSandbox: start.steps,
        start,
        full: composeServices("prebaked", services, aptTimeoutMs, extra) as Recipe<AllResult>,
      });
    }),
  );
}

/** The spec's own packages (sorted, so their order does not change the image), then Node's. */
function extraPackages(spec: PrebakeSpec): string[] {
  const own = [...new Set(spec.apt ?? [])].sort();
  // A Node major is the base image's own Node: only `true` asks apt for Debian's.
  return [...own, ...(spec.node === true ? NODE_PACKAGES : [])];
}
