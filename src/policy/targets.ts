/**
 * Which Daytona regions ("targets") to try, and in what order: from options, then the environment.
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../errors.js";
import { describeValue } from "../validate/describe.js";

/** The regions tried when nothing says otherwise: Daytona's two shared regions. */
export const DEFAULT_TARGETS: readonly string[] = Object.freeze(["us", "eu"]);

const TARGET_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Options of {@link resolveTargets}. */
export interface ResolveTargetsOptions {
  /** The regions in the order to try them; wins over the environment. `undefined`: read the environment. */
  targets?: readonly string[] | undefined;
  /**
   * Where `DAYTONA_TARGETS` (a comma- or space-separated list) and `DAYTONA_TARGET` (one region) are read.
   * Empty values count as unset.
   * @default process.env
   */
  env?: NodeJS.ProcessEnv;
}

/**
 * The ordered, de-duplicated list of regions to try.
 *
 * Precedence: `options.targets`; else `DAYTONA_TARGETS="us,eu"`; else `DAYTONA_TARGET` (that region first, then
 * the defaults); else `["us", "eu"]`. Every name must be a lowercase Daytona target name
 * (`^[a-z0-9][a-z0-9-]{0,62}$`) and the list must not be empty, otherwise `InvalidArgument` names the source.
 *
 * @example
 * ```ts
 * resolveTargets({ env: { DAYTONA_TARGET: "eu" } }); // Ok(["eu", "us"])
 * resolveTargets({ targets: ["eu"], env: process.env }); // Ok(["eu"])
 * resolveTargets({ targets: ["US"] }); // Err(InvalidArgument "targets")
 * ```
 */
export function resolveTargets(options: ResolveTargetsOptions = {}): Result<string[], KitError> {
  if (options.targets !== undefined) return validate("targets", options.targets);
  const env = options.env ?? process.env;
  const list = env.DAYTONA_TARGETS?.trim();
  if (list)
    return validate(
      "DAYTONA_TARGETS",
      list.split(/[\s,]+/).filter((name) => name !== ""),
    );
  const single = env.DAYTONA_TARGET?.trim();
  if (single) return validate("DAYTONA_TARGET", [single, ...DEFAULT_TARGETS]);
  return ok([...DEFAULT_TARGETS]);
}

function validate(source: string, names: readonly string[]): Result<string[], KitError> {
  // From JavaScript a string may come: "us" must not be read as the regions "u" and "s".
  if (!Array.isArray(names)) {
    return err(
      kitError.invalidArgument(
        source,
        `${source} must be an array of region names such as ["us", "eu"], got ${describeValue(names)}.`,
      ),
    );
  }
  if (names.length === 0) {
    return err(
      kitError.invalidArgument(source, `${source} must name at least one region (e.g. "us", "eu").`),
    );
  }
  for (const name of names) {
    if (typeof name !== "string" || !TARGET_NAME.test(name)) {
      return err(
        kitError.invalidArgument(
          source,
          `${source} has an invalid region name ${JSON.stringify(name)}: use lowercase letters, digits and ` +
            `dashes, at most 63 characters (e.g. "us", "eu").`,
        ),
      );
    }
  }
  return ok([...new Set(names)]);
}
