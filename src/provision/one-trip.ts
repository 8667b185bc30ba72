/**
 * One-trip application of a recipe: every check, every step whose check failed, and the reports in ONE shell
 * script, so a recipe of short steps (starting servers on a sandbox made from a prebaked image) costs one exec
 * round trip instead of one per step. Each step keeps its own subshell and exit status; the first failing step ends
 * the script. Output is not streamed: the step events are read back from the markers once the script has ended.
 * @module
 */
import { escapeRegExp, parseProbeOutput, type ReportOutput, reportLines } from "./probe.js";
import type { ProvisionStep } from "./types.js";

/** What one step did inside the script. */
export type OneTripStep =
  | { readonly kind: "skipped" }
  | {
      readonly kind: "ran";
      readonly exitCode: number;
      readonly output: string;
      /** From the sandbox's clock; `undefined` where `date +%s%N` has no nanoseconds (busybox). */
      readonly durationMs: number | undefined;
    };

/** The script's findings: what each step did (absent: the script never reached it), and the reports. */
export interface OneTripFindings {
  readonly steps: ReadonlyMap<number, OneTripStep>;
  readonly reports: Readonly<Record<string, ReportOutput>>;
}

const NOW = "$(date +%s%N 2>/dev/null)";

/** Builds the script. It always exits 0 unless killed: step failures are markers, not the script's status. */
export function buildOneTripScript(
  nonce: string,
  steps: readonly ProvisionStep[],
  reports: Readonly<Record<string, string>>,
): string {
  const lines: string[] = [];
  steps.forEach((step, index) => {
    const run = [
      `echo "${nonce} step-begin ${index} ${NOW}"`,
      `( ${step.command}\n) </dev/null 2>&1; rc=$?`,
      `printf '\\n%s\\n' "${nonce} step-end ${index} $rc ${NOW}"`,
      `[ "$rc" -eq 0 ] || exit 0`,
    ].join("\n");
    lines.push(
      step.check === undefined
        ? run
        : `if ( ${step.check}\n) </dev/null >/dev/null 2>&1; then echo "${nonce} skip ${index}"; else\n${run}\nfi`,
    );
  });
  lines.push(...reportLines(nonce, reports));
  lines.push("exit 0");
  return lines.join("\n");
}

/** Reads the markers of {@link buildOneTripScript}'s output back. */
export function parseOneTripOutput(nonce: string, output: string): OneTripFindings {
  const quoted = escapeRegExp(nonce);
  const steps = new Map<number, OneTripStep>();
  for (const match of output.matchAll(new RegExp(`^${quoted} skip (\\d+)$`, "gm"))) {
    steps.set(Number(match[1]), { kind: "skipped" });
  }
  for (const match of output.matchAll(new RegExp(`^${quoted} step-begin (\\d+) ?(\\S*)$`, "gm"))) {
    const index = Number(match[1]);
    const start = (match.index ?? 0) + match[0].length + 1;
    const endMarker = new RegExp(`\\n${quoted} step-end ${index} (\\d+) ?(\\S*)$`, "m");
    const end = endMarker.exec(output.slice(start - 1));
    if (!end) continue;
    const stepOutput = output.slice(start, start - 1 + end.index);
    steps.set(index, {
      kind: "ran",
      exitCode: Number(end[1]),
      // The marker's own leading newline is not the step's: drop the one empty line it may leave.
      output: stepOutput.endsWith("\n") ? stepOutput.slice(0, -1) : stepOutput,
      durationMs: elapsedMs(match[2], end[2]),
    });
  }
  return { steps, reports: parseProbeOutput(nonce, output).reports };
}

/** Milliseconds between two `date +%s%N` stamps, or `undefined` when either is not a nanosecond count. */
function elapsedMs(begin: string | undefined, end: string | undefined): number | undefined {
  if (!begin || !end || !/^\d{19}$/.test(begin) || !/^\d{19}$/.test(end)) return undefined;
  return Number((BigInt(end) - BigInt(begin)) / 1_000_000n);
}
