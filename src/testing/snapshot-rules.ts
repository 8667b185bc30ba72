/**
 * The model of Daytona snapshots shared by the emulator and the memory driver: the name rule the API applies, the
 * states a build goes through, and how a test makes a build fail. One model, so the two cannot drift.
 * @module
 */

/** Daytona's snapshot states the kit meets (`pending` → `building` → `active`, or `error` / `build_failed`). */
export type SnapshotState = "pending" | "building" | "active" | "error" | "build_failed";

/** One snapshot as the model keeps it. */
export interface SnapshotRecord {
  readonly id: string;
  readonly name: string;
  readonly imageName: string;
  state: SnapshotState;
  errorReason: string | null;
  /** The build log, one line per entry. */
  readonly buildLog: string[];
  readonly createdAt: string;
}

export { snapshotNameProblem } from "../driver/prebake-arguments.js";

/**
 * Whether a build step fails in the model, and why. A test makes a build fail with a step the shell would fail:
 * `false`, or `exit N` with N ≠ 0 (optionally after `echo` text, which lands in the build log first).
 */
export function failingStep(commands: readonly string[]): { step: string; reason: string } | undefined {
  for (const step of commands) {
    const trimmed = step.trim();
    const exit = /(?:^|[;&|]\s*)exit\s+(\d+)\s*$/.exec(trimmed);
    if (trimmed === "false" || (exit && Number(exit[1]) !== 0)) {
      const code = trimmed === "false" ? 1 : Number(exit?.[1]);
      return { step, reason: `The command '/bin/sh -c ${step}' returned a non-zero code: ${code}` };
    }
  }
  return undefined;
}

/** The build log lines the model writes for `commands` (Docker-style steps, then the failure if any). */
export function buildLogOf(baseImage: string, commands: readonly string[]): string[] {
  const failure = failingStep(commands);
  const lines = [`Step 1/${commands.length + 1} : FROM ${baseImage}`];
  for (const [index, step] of commands.entries()) {
    lines.push(`Step ${index + 2}/${commands.length + 1} : RUN ${step}`);
    for (const echoed of step.matchAll(/echo\s+(?:"([^"]*)"|'([^']*)'|(\S+))/g)) {
      lines.push(echoed[1] ?? echoed[2] ?? echoed[3] ?? "");
    }
    if (failure?.step === step) {
      lines.push(failure.reason);
      return lines;
    }
  }
  lines.push("Successfully built snapshot");
  return lines;
}

/** The last `count` lines of a build log, joined (what a failed build's error ends with). */
export function logTail(lines: readonly string[], count = 20): string {
  return lines.slice(-count).join("\n");
}
