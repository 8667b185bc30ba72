/**
 * `node.install`: npm with memory-safe flags (300 s), pnpm refused in a 1 GiB sandbox (it is OOM-killed
 * there, exit 137), and skipped when `node_modules` is newer than the manifest and lock files.
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../../errors.js";
import { quoteArgs, shellQuote } from "../../shell/quote.js";
import type { Recipe } from "../engine.js";
import type { ReportOutput } from "../probe.js";
import type { RunOptions } from "../types.js";
import { validateDir, validateTimeout } from "../validate.js";
import { isSmallSandbox } from "./memory.js";

/** Options of `provision.node.install`. */
export interface NodeInstallOptions extends RunOptions {
  /**
   * `"npm"`, or `"pnpm"` (refused in sandboxes of ≤ 1 GiB; runs `corepack pnpm install` elsewhere). When omitted:
   * npm, except that a `pnpm-lock.yaml` in a ≤ 1 GiB sandbox is refused too, since the project expects pnpm (pass
   * `"npm"` to install it with npm anyway).
   * @default "npm"
   */
  readonly packageManager?: "npm" | "pnpm";
  /**
   * Whether npm installs optional dependencies. A common recipe passes `--no-optional`, but npm ≥ 7 reads it as
   * `--omit=optional`, which drops the native bindings Vite 8 (rolldown), esbuild and lightningcss ship as optional
   * packages: the build then fails with "Cannot find native binding". Hence `"include"` by default.
   * @default "include"
   */
  readonly optionalDependencies?: "include" | "omit";
  /** Deadline of the install. @default 300_000 */
  readonly timeoutMs?: number;
}

/** Result of `provision.node.install`. */
export interface NodeInstallResult {
  readonly packageManager: "npm" | "pnpm";
  /** The install command that ran (or would have run). */
  readonly command: string;
  /** False when `node_modules` was already up to date and nothing ran. */
  readonly changed: boolean;
}

/** Default deadline of installs (`npm install` of a real project needs up to 300 s). */
export const DEFAULT_INSTALL_TIMEOUT_MS = 300_000;

const MARKER = "node_modules/.daytona-kit-installed";
const WATCHED = ["package.json", "package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml"];

/** The install command for a package manager. */
export function installCommand(manager: "npm" | "pnpm", optional: "include" | "omit"): string {
  if (manager === "pnpm") return "corepack pnpm install";
  const flags = ["--legacy-peer-deps", "--ignore-scripts", "--no-audit", "--no-fund"];
  if (optional === "omit") flags.splice(1, 0, "--no-optional");
  return quoteArgs(["npm", "install", ...flags]);
}

/** The recipe behind `node.install(dir)`: preflight (package.json, npm, pnpm) and one install step. */
export function nodeInstallRecipe(
  dir: string,
  options: NodeInstallOptions,
  memoryGiB: number,
): Result<Recipe<NodeInstallResult>, KitError> {
  const validDir = validateDir(dir);
  if (validDir.isErr()) return err(validDir.error);
  const timeout = validateTimeout(options.timeoutMs ?? DEFAULT_INSTALL_TIMEOUT_MS);
  if (timeout.isErr()) return err(timeout.error);
  const requested = options.packageManager;
  if (requested !== undefined && requested !== "npm" && requested !== "pnpm") {
    return err(kitError.invalidArgument("packageManager", `packageManager must be "npm" or "pnpm".`));
  }
  if (requested === "pnpm" && isSmallSandbox(memoryGiB)) return err(pnpmRefused(memoryGiB));

  const cd = `cd ${shellQuote(validDir.value)}`;
  const manager = requested ?? "npm";
  const chosen = installCommand(manager, options.optionalDependencies ?? "include");
  const stamp = `${manager}:${options.optionalDependencies ?? "include"}`;
  const fresh = [
    `test -f ${MARKER}`,
    `[ "$(cat ${MARKER})" = ${shellQuote(stamp)} ]`,
    `for f in ${WATCHED.join(" ")}; do [ ! -e "$f" ] || [ ! "$f" -nt ${MARKER} ] || exit 1; done`,
  ].join(" && ");

  return ok({
    name: "node.install",
    steps: [
      {
        name: "node.install",
        description: `Install dependencies in ${dir} (${manager}, memory-safe flags).`,
        check: `${cd} && ${fresh}`,
        command: `${cd} && ${chosen} && mkdir -p node_modules && printf '%s' ${shellQuote(stamp)} > ${MARKER}`,
        timeoutMs: timeout.value,
        oomHint:
          `The install was killed for lack of memory in a ${memoryGiB} GiB sandbox. Use npm (not pnpm), ` +
          "trim dependencies, or create the sandbox with more memory.",
      },
    ],
    reports: {},
    preflight: {
      reports: {
        "node-project": [
          `${cd} 2>/dev/null || { echo no-dir; exit 0; }`,
          "test -f package.json && echo package-json",
          "test -f pnpm-lock.yaml && echo pnpm-lock",
          "command -v npm >/dev/null 2>&1 && echo npm",
          "exit 0",
        ].join("\n"),
      },
      decide: (reports) => decide(reports["node-project"], dir, requested, memoryGiB),
    },
    parse: (facts) =>
      ok({ packageManager: manager, command: chosen, changed: facts.ran.includes("node.install") }),
  });
}

function decide(
  report: ReportOutput | undefined,
  dir: string,
  requested: "npm" | "pnpm" | undefined,
  memoryGiB: number,
): Result<void, KitError> {
  const facts = new Set((report?.output ?? "").split("\n").map((line) => line.trim()));
  if (facts.has("no-dir") || !facts.has("package-json")) {
    return err(kitError.invalidArgument("dir", `No package.json in ${dir} inside the sandbox.`));
  }
  if (!facts.has("npm")) {
    return err(
      kitError.unsupported(
        "npm install",
        "There is no npm in this sandbox. Create it from a Node image such as node:20-slim.",
      ),
    );
  }
  if (facts.has("pnpm-lock") && requested === undefined && isSmallSandbox(memoryGiB)) {
    return err(pnpmRefused(memoryGiB));
  }
  return ok(undefined);
}

function pnpmRefused(memoryGiB: number): KitError {
  return kitError.unsupported(
    `pnpm in a ${memoryGiB} GiB sandbox`,
    "pnpm is OOM-killed (exit 137) in a 1 GiB sandbox. Install with npm instead: " +
      'node.install(dir, { packageManager: "npm" }) runs npm install --legacy-peer-deps --ignore-scripts ' +
      "(npm ignores pnpm-lock.yaml), or create the sandbox with more than 1 GiB of memory.",
  );
}
