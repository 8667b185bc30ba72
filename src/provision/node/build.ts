/**
 * `node.build`: stray Node processes killed first, then `npm run <script>` under a heap limit derived from the
 * sandbox memory (768 MiB for 1 GiB). Exit 137 becomes `OutOfMemory` with a hint; `next build` in a 1 GiB
 * sandbox is refused up front (it is OOM-killed there).
 * @module
 */
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../../errors.js";
import { quoteArgs, shellQuote } from "../../shell/quote.js";
import type { Recipe } from "../engine.js";
import type { ReportOutput } from "../probe.js";
import type { ProvisionStep, RunOptions } from "../types.js";
import { validateDir, validateScriptName, validateTimeout } from "../validate.js";
import { isSmallSandbox, maxOldSpaceMiB } from "./memory.js";
import { KILL_STRAY_NODE_SCRIPT } from "./stray-processes.js";

/** Options of `provision.node.build`. */
export interface NodeBuildOptions extends RunOptions {
  /** The package.json script to run. @default "build" */
  readonly script?: string;
  /** Receives the build's output line by line as it runs. */
  readonly onOutput?: (line: string) => void;
  /** Deadline of the build. @default 300_000 */
  readonly timeoutMs?: number;
  /** V8 old-space limit in MiB. @default 75% of the sandbox memory (768 for 1 GiB) */
  readonly maxOldSpaceMiB?: number;
  /**
   * Kill running node/npm processes in the sandbox first, to free memory. This also stops a server started with
   * `serveStatic`; call it again after the build. @default true
   */
  readonly killStrayProcesses?: boolean;
}

/** Result of `provision.node.build`. */
export interface NodeBuildResult {
  readonly script: string;
  /** The script's text from package.json, e.g. `"vite build"`. */
  readonly scriptCommand: string;
  /** The heap limit the build ran with. */
  readonly maxOldSpaceMiB: number;
}

/** Default deadline of builds (300 s). */
export const DEFAULT_BUILD_TIMEOUT_MS = 300_000;

const NEXT_BUILD = /\bnext\s+build\b/;

/** Reads `scripts[<name>]` from package.json with node itself (slim images have no jq). */
function scriptReport(cd: string, script: string): string {
  const code =
    'const p=require(require("path").resolve("package.json"));' +
    "const s=(p.scripts||{})[process.argv[1]];" +
    "process.stdout.write(JSON.stringify({script:typeof s==='string'?s:null}))";
  return `${cd} && ${quoteArgs(["node", "-e", code, script])}`;
}

/** The recipe behind `node.build(dir)`. */
export function nodeBuildRecipe(
  dir: string,
  options: NodeBuildOptions,
  memoryGiB: number,
): Result<Recipe<NodeBuildResult>, KitError> {
  const validDir = validateDir(dir);
  if (validDir.isErr()) return err(validDir.error);
  const script = validateScriptName(options.script ?? "build");
  if (script.isErr()) return err(script.error);
  const timeout = validateTimeout(options.timeoutMs ?? DEFAULT_BUILD_TIMEOUT_MS);
  if (timeout.isErr()) return err(timeout.error);
  const heap = options.maxOldSpaceMiB ?? maxOldSpaceMiB(memoryGiB);
  if (!Number.isInteger(heap) || heap < 64) {
    return err(
      kitError.invalidArgument("maxOldSpaceMiB", "maxOldSpaceMiB must be an integer of at least 64."),
    );
  }

  const cd = `cd ${shellQuote(validDir.value)}`;
  const env = `NODE_OPTIONS=${shellQuote(`--max-old-space-size=${heap}`)}`;
  const steps: ProvisionStep[] = [];
  if (options.killStrayProcesses ?? true) {
    steps.push({
      name: "node.kill-stray",
      description:
        "Kill leftover node/npm processes (walking /proc: no ps or pkill in slim images) to free memory.",
      command: KILL_STRAY_NODE_SCRIPT,
      timeoutMs: 30_000,
    });
  }
  steps.push({
    name: "node.build",
    description: `Run npm run ${script.value} in ${dir} with a ${heap} MiB heap limit.`,
    command: `${cd} && ${env} ${quoteArgs(["npm", "run", script.value])}`,
    timeoutMs: timeout.value,
    oomHint:
      `The build was killed for lack of memory (heap limit ${heap} MiB in a ${memoryGiB} GiB sandbox). ` +
      "Make the build smaller (fewer entry points, no source maps, lower parallelism), or create the sandbox " +
      "with more memory.",
  });

  let scriptCommand = "";
  return ok({
    name: "node.build",
    steps,
    reports: {},
    preflight: {
      reports: { "npm-script": scriptReport(cd, script.value) },
      decide: (reports) =>
        readScript(reports["npm-script"], dir, script.value).andThen((text) => {
          scriptCommand = text;
          if (NEXT_BUILD.test(text) && isSmallSandbox(memoryGiB)) {
            return err(
              kitError.unsupported(
                `next build in a ${memoryGiB} GiB sandbox`,
                "Next.js builds are OOM-killed in a 1 GiB sandbox. Build the app outside the sandbox (e.g. a " +
                  "Docker builder on Railway or Fly.io) and run or serve the output here; Vite builds work fine.",
              ),
            );
          }
          return ok(undefined);
        }),
    },
    parse: () => ok({ script: script.value, scriptCommand, maxOldSpaceMiB: heap }),
  });
}

function readScript(report: ReportOutput | undefined, dir: string, script: string): Result<string, KitError> {
  if (report === undefined || report.exitCode !== 0) {
    return err(
      kitError.invalidArgument(
        "dir",
        `Could not read package.json in ${dir}: ${report?.output.trim() || "no output"}. ` +
          "Is node installed and is dir a Node project?",
      ),
    );
  }
  try {
    const parsed = JSON.parse(report.output.trim()) as { script: string | null };
    if (typeof parsed.script === "string") return ok(parsed.script);
  } catch {
    // fall through: the output was not ours
  }
  return err(kitError.invalidArgument("script", `package.json in ${dir} has no "${script}" script.`));
}
