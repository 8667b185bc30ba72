/**
 * The combined probe: every idempotency check of a recipe, plus the commands its result is read from, in ONE shell
 * script, so a re-run against a provisioned sandbox costs a single exec round trip.
 * @module
 */
import { randomBytes } from "node:crypto";
import type { ProvisionStep } from "./types.js";

/** Output of one report command. */
export interface ReportOutput {
  readonly output: string;
  readonly exitCode: number;
}

/** What a probe found: each check's exit code by step index, and each report's output by name. */
export interface ProbeFindings {
  readonly checks: ReadonlyMap<number, number>;
  readonly reports: Readonly<Record<string, ReportOutput>>;
}

/** A fresh marker prefix, so nothing a command prints can be mistaken for a marker. */
export function newNonce(): string {
  return `@@kit-${randomBytes(6).toString("hex")}`;
}

const REPORT_NAME = /^[a-z][a-z0-9-]*$/;

/**
 * Builds the probe script. Checks run in subshells with their output discarded; each prints a marker with its exit
 * status. Reports keep their output between two markers. The script itself always exits 0.
 */
export function buildProbeScript(
  nonce: string,
  steps: readonly ProvisionStep[],
  reports: Readonly<Record<string, string>>,
): string {
  const lines: string[] = [];
  steps.forEach((step, index) => {
    if (step.check === undefined) return;
    lines.push(`( ${step.check}\n) </dev/null >/dev/null 2>&1; echo "${nonce} check ${index} $?"`);
  });
  lines.push(...reportLines(nonce, reports));
  lines.push("exit 0");
  return lines.join("\n");
}

/** A script that only runs the reports (after steps changed the sandbox). */
export function buildReportScript(nonce: string, reports: Readonly<Record<string, string>>): string {
  return [...reportLines(nonce, reports), "exit 0"].join("\n");
}

/** The lines that run `reports`, each output between two markers (shared with the one-trip script). */
export function reportLines(nonce: string, reports: Readonly<Record<string, string>>): string[] {
  return Object.entries(reports).map(([name, command]) => {
    // Names are internal constants; the check keeps a typo from breaking the marker grammar.
    if (!REPORT_NAME.test(name)) throw new TypeError(`invalid report name ${JSON.stringify(name)}`);
    return (
      `echo "${nonce} report-begin ${name}"\n` +
      `( ${command}\n) </dev/null 2>&1; printf '\\n%s\\n' "${nonce} report-end ${name} $?"`
    );
  });
}

/** Reads the markers back. A missing check marker is simply absent from `checks` (the step then runs). */
export function parseProbeOutput(nonce: string, output: string): ProbeFindings {
  const checks = new Map<number, number>();
  const checkPattern = new RegExp(`^${escapeRegExp(nonce)} check (\\d+) (\\d+)$`, "gm");
  for (const match of output.matchAll(checkPattern)) {
    checks.set(Number(match[1]), Number(match[2]));
  }
  const reports: Record<string, ReportOutput> = {};
  const beginPattern = new RegExp(`^${escapeRegExp(nonce)} report-begin ([a-z][a-z0-9-]*)$`, "gm");
  for (const match of output.matchAll(beginPattern)) {
    const name = match[1] as string;
    const start = (match.index ?? 0) + match[0].length + 1;
    const endMarker = `\n${nonce} report-end ${name} `;
    const end = output.indexOf(endMarker, start);
    if (end < 0) continue;
    const codeText = /^\d+/.exec(output.slice(end + endMarker.length))?.[0];
    reports[name] = {
      output: output.slice(start, end),
      exitCode: codeText === undefined ? -1 : Number(codeText),
    };
  }
  return { checks, reports };
}

/** `text` as a literal inside a regular expression (markers are matched by pattern). */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
