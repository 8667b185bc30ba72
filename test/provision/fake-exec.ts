/**
 * A recording fake `Exec` for provisioner unit tests. It understands the engine's probe scripts (answering each check
 * and report through callbacks) and maps exit codes exactly like the real exec facade.
 */
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import { type KitError, kitError } from "../../src/errors.js";
import type { Exec, ExecOptions, ExecResult } from "../../src/exec/types.js";

/** An answer to a command: output and exit code, or a KitError (e.g. a timeout). */
export type Answer = { readonly output?: string; readonly exitCode?: number } | KitError;

export interface FakeHandlers {
  /** Whether a probe check passes (exit 0). @default () => false (nothing provisioned) */
  check?: (check: string) => boolean;
  /** Output of a report command, by report name. @default empty output, exit 0 */
  report?: (name: string, command: string) => { output: string; exitCode?: number };
  /** Answer to a non-probe command. @default exit 0, no output */
  run?: (command: string, options?: ExecOptions) => Answer;
}

export interface RecordedCall {
  readonly command: string;
  readonly options: ExecOptions | undefined;
  /** True for the engine's probe/report scripts. */
  readonly probe: boolean;
}

export interface FakeExec {
  readonly exec: Exec;
  readonly calls: RecordedCall[];
  /** Commands that were not probes (the steps that actually ran). */
  stepCommands(): string[];
  /** Commands containing `needle`. */
  matching(needle: string | RegExp): string[];
}

const CHECK = /\( ([\s\S]*?)\n\) <\/dev\/null >\/dev\/null 2>&1; echo "(@@kit-[0-9a-f]+) check (\d+) \$\?"/g;
const REPORT =
  /echo "(@@kit-[0-9a-f]+) report-begin ([a-z0-9-]+)"\n\( ([\s\S]*?)\n\) <\/dev\/null 2>&1; printf/g;

function isKitError(answer: Answer): answer is KitError {
  return "kind" in answer;
}

/** Builds the fake. */
export function createFakeExec(handlers: FakeHandlers = {}): FakeExec {
  const calls: RecordedCall[] = [];
  const exec: Exec = (command, options) => {
    if (isOneTripScript(command)) {
      calls.push({ command, options, probe: true });
      const answered = answerOneTrip(command, handlers);
      // What ran inside the script is recorded as if each step had been its own exec.
      for (const step of answered.ran) calls.push({ command: step, options, probe: false });
      for (const line of answered.output.split("\n")) if (line !== "") options?.onOutput?.(line);
      return okAsync({ exitCode: 0, output: answered.output, durationMs: 1 });
    }
    const probe = command.includes(" report-begin ") || / check \d+ \$\?"/.test(command);
    calls.push({ command, options, probe });
    const answer: Answer = probe
      ? { output: answerProbe(command, handlers) }
      : (handlers.run?.(command, options) ?? {});
    if (isKitError(answer)) return errAsync(answer);
    const exitCode = answer.exitCode ?? 0;
    const output = answer.output ?? "";
    for (const line of output.split("\n")) if (line !== "") options?.onOutput?.(line);
    if (exitCode !== 0 && !(options?.okExitCodes ?? [0]).includes(exitCode)) {
      return errAsync(
        exitCode === 137
          ? kitError.outOfMemory(command, 137, output)
          : kitError.commandFailed(command, exitCode, output),
      );
    }
    const result: ExecResult = { exitCode, output, durationMs: 1 };
    return okAsync(result);
  };
  return {
    exec,
    calls,
    stepCommands: () => calls.filter((call) => !call.probe).map((call) => call.command),
    matching: (needle) =>
      calls
        .map((call) => call.command)
        .filter((command) => (typeof needle === "string" ? command.includes(needle) : needle.test(command))),
  };
}

/** Answers an engine probe or report script: each check through `handlers.check`, each report through `handlers.report`. */
export function answerProbe(script: string, handlers: FakeHandlers): string {
  const lines: string[] = [];
  for (const match of script.matchAll(CHECK)) {
    const passes = handlers.check?.(match[1] as string) ?? false;
    lines.push(`${match[2]} check ${match[3]} ${passes ? 0 : 1}`);
  }
  for (const match of script.matchAll(REPORT)) {
    const nonce = match[1] as string;
    const name = match[2] as string;
    const answer = handlers.report?.(name, match[3] as string) ?? { output: "" };
    lines.push(
      `${nonce} report-begin ${name}`,
      answer.output,
      `${nonce} report-end ${name} ${answer.exitCode ?? 0}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

const ONE_TRIP_STEP =
  /(?:if \( ([\s\S]*?)\n\) <\/dev\/null >\/dev\/null 2>&1; then echo "(@@kit-[0-9a-f]+) skip (\d+)"; else\n)?echo "(@@kit-[0-9a-f]+) step-begin (\d+) [^"]*"\n\( ([\s\S]*?)\n\) <\/dev\/null 2>&1; rc=\$\?/g;

/** Whether `script` is the engine's one-trip script (checks, steps and reports in one exec). */
export function isOneTripScript(script: string): boolean {
  return / step-begin \d+ /.test(script);
}

/**
 * Answers a one-trip script like a shell would: each step's check through `handlers.check` (skipped when it
 * passes), else the step through `handlers.run` (the script ends at the first non-zero exit), then the reports.
 */
export function answerOneTrip(script: string, handlers: FakeHandlers): { output: string; ran: string[] } {
  const lines: string[] = [];
  const ran: string[] = [];
  for (const match of script.matchAll(ONE_TRIP_STEP)) {
    const [, check, , , nonce, index, command] = match as unknown as string[];
    if (check !== undefined && (handlers.check?.(check) ?? false)) {
      lines.push(`${nonce} skip ${index}`);
      continue;
    }
    ran.push(command as string);
    const answer = handlers.run?.(command as string) ?? {};
    const exitCode = "kind" in answer ? 1 : (answer.exitCode ?? 0);
    const output = "kind" in answer ? answer.message : (answer.output ?? "");
    lines.push(
      `${nonce} step-begin ${index} 1000000000000000000`,
      output,
      `${nonce} step-end ${index} ${exitCode} 1000000000000000000`,
    );
    if (exitCode !== 0) return { output: `${lines.join("\n")}\n`, ran };
  }
  const reports = answerProbe(script.replace(ONE_TRIP_STEP, ""), handlers);
  return { output: `${lines.join("\n")}\n${reports}`, ran };
}

/** A `writeText` that records what it wrote. */
export function createFakeWriter(): {
  writeText: (path: string, text: string) => ResultAsync<unknown, KitError>;
  files: Map<string, string>;
} {
  const files = new Map<string, string>();
  return {
    files,
    writeText: (path, text) => {
      files.set(path, text);
      return okAsync(undefined);
    },
  };
}

/** Typical report outputs of a provisioned Debian bookworm sandbox. */
export const BOOKWORM_REPORTS: Record<string, string> = {
  "git-version": "git version 2.39.5",
  "postgres-info": "cluster=15/main\nserver_version=15.14 (Debian 15.14-0+deb12u1)",
  "redis-version": "Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=1234",
  "apt-versions": "git 1:2.39.5-0+deb12u2",
};
