/**
 * The one engine that applies every recipe: probe all checks at once, run the steps whose check failed (emitting
 * progress events), then read the result from the recipe's report commands.
 * @module
 */
import { err, ok, type Result, type ResultAsync } from "neverthrow";
import { guarded } from "../boundary.js";
import { type KitError, kitError } from "../errors.js";
import type { Exec } from "../exec/types.js";
import { buildOneTripScript, parseOneTripOutput } from "./one-trip.js";
import {
  buildProbeScript,
  buildReportScript,
  newNonce,
  parseProbeOutput,
  type ReportOutput,
} from "./probe.js";
import type { ProvisionEvent, ProvisionStep, RunOptions, StepSummary } from "./types.js";

/** What a recipe's `parse` receives. */
export interface RecipeFacts extends StepSummary {
  /** Output of each report command, by name, taken after the last step ran. */
  readonly reports: Readonly<Record<string, ReportOutput>>;
}

/** A recipe: steps as data, plus how to read its typed result. */
export interface Recipe<T> {
  readonly name: string;
  readonly steps: readonly ProvisionStep[];
  /** Commands (by name) whose output `parse` reads; they run inside the probe and again if any step ran. */
  readonly reports: Readonly<Record<string, string>>;
  readonly parse: (facts: RecipeFacts) => Result<T, KitError>;
  /**
   * Decides, from facts gathered in the same probe exec, whether the recipe may run at all (e.g. refusing pnpm in a
   * 1 GiB sandbox). Its reports run only in the probe.
   */
  /**
   * Run checks, steps and reports in ONE exec (see one-trip.ts): for recipes of short steps where round trips
   * dominate. Output is not streamed (events arrive when the script ends) and the script's deadline is the sum of
   * the steps'. Ignored with a `preflight`.
   */
  readonly oneTrip?: boolean;
  readonly preflight?: {
    readonly reports: Readonly<Record<string, string>>;
    readonly decide: (reports: Readonly<Record<string, ReportOutput>>) => Result<void, KitError>;
  };
}

/** Engine knobs (tests pin the nonce to read recorded scripts). */
export interface EngineOptions extends RunOptions {
  /** Deadline of the probe and report execs. @default 60_000 */
  readonly probeTimeoutMs?: number;
  /** Marker prefix of the probe script. @default a random one per run */
  readonly nonce?: string;
}

const DEFAULT_PROBE_TIMEOUT_MS = 60_000;

/**
 * Applies `recipe` through `exec`. Round trips: one probe; then one per step that must run, plus one report exec when
 * anything ran. A fully provisioned sandbox therefore costs exactly one exec.
 */
export function applyRecipe<T>(
  exec: Exec,
  recipe: Recipe<T>,
  options: EngineOptions = {},
): ResultAsync<T, KitError> {
  return guarded(`Provisioner ${recipe.name}`, () => runRecipe(exec, recipe, options));
}

async function runRecipe<T>(
  exec: Exec,
  recipe: Recipe<T>,
  options: EngineOptions,
): Promise<Result<T, KitError>> {
  const { signal } = options;
  const emit = safeEmitter(options.onEvent);
  const nonce = options.nonce ?? newNonce();
  const probeTimeoutMs = options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const hasChecks = recipe.steps.some((step) => step.check !== undefined);
  const hasReports = Object.keys(recipe.reports).length > 0;
  const probeReports = { ...recipe.preflight?.reports, ...recipe.reports };

  if (signal?.aborted) return err(kitError.aborted(`provision ${recipe.name}`, signal.reason));
  if (recipe.oneTrip && !recipe.preflight) return runOneTrip(exec, recipe, { ...options, nonce });
  let checks: ReadonlyMap<number, number> = new Map();
  let reports: Readonly<Record<string, ReportOutput>> = {};
  if (hasChecks || Object.keys(probeReports).length > 0) {
    const probe = await exec(buildProbeScript(nonce, recipe.steps, probeReports), {
      timeoutMs: probeTimeoutMs,
      signal,
    });
    if (probe.isErr()) return err(stepFailure(`${recipe.name}.probe`, probe.error));
    ({ checks, reports } = parseProbeOutput(nonce, probe.value.output));
  }
  const verdict = recipe.preflight?.decide(reports);
  if (verdict?.isErr()) return err(verdict.error);

  const ran: string[] = [];
  const skipped: string[] = [];
  for (const [index, step] of recipe.steps.entries()) {
    if (signal?.aborted) return err(kitError.aborted(`provision ${recipe.name}`, signal.reason));
    if (step.check !== undefined && checks.get(index) === 0) {
      skipped.push(step.name);
      emit({ type: "skipped", step: step.name, reason: "check passed: already done" });
      continue;
    }
    emit({ type: "step-start", step: step.name, description: step.description, command: step.command });
    const started = performance.now();
    const outcome = await exec(step.command, {
      timeoutMs: step.timeoutMs,
      signal,
      onOutput: (line) => {
        emit({ type: "output", step: step.name, line });
        const healed = parseHealLine(line);
        if (healed) emit({ type: "healed", step: step.name, ...healed });
      },
    });
    if (outcome.isErr()) return err(stepError(step, outcome.error));
    ran.push(step.name);
    emit({ type: "step-done", step: step.name, durationMs: Math.round(performance.now() - started) });
  }

  if (ran.length > 0 && hasReports) {
    const after = await exec(buildReportScript(nonce, recipe.reports), { timeoutMs: probeTimeoutMs, signal });
    if (after.isErr()) return err(stepFailure(`${recipe.name}.report`, after.error));
    reports = parseProbeOutput(nonce, after.value.output).reports;
  }
  return recipe.parse({ reports, ran, skipped });
}

/** {@link applyRecipe} for a `oneTrip` recipe: one exec, then the events read back from its markers. */
async function runOneTrip<T>(
  exec: Exec,
  recipe: Recipe<T>,
  options: EngineOptions & { readonly nonce: string },
): Promise<Result<T, KitError>> {
  const { nonce, signal } = options;
  const emit = safeEmitter(options.onEvent);
  const timeoutMs =
    (options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS) +
    recipe.steps.reduce((sum, step) => sum + step.timeoutMs, 0);
  const script = buildOneTripScript(nonce, recipe.steps, recipe.reports);
  const outcome = await exec(script, { timeoutMs, signal });
  if (outcome.isErr()) return err(stepFailure(`${recipe.name}.steps`, outcome.error));
  const { steps, reports } = parseOneTripOutput(nonce, outcome.value.output);
  const ran: string[] = [];
  const skipped: string[] = [];
  for (const [index, step] of recipe.steps.entries()) {
    const found = steps.get(index);
    if (found === undefined) {
      // The script stops at the first failure; a step it never reached after a success means the output was lost.
      return err(
        stepFailure(
          step.name,
          kitError.unexpected(`The step ${step.name} left no trace in the sandbox's output.`),
        ),
      );
    }
    if (found.kind === "skipped") {
      skipped.push(step.name);
      emit({ type: "skipped", step: step.name, reason: "check passed: already done" });
      continue;
    }
    emit({ type: "step-start", step: step.name, description: step.description, command: step.command });
    for (const line of found.output === "" ? [] : found.output.split("\n")) {
      emit({ type: "output", step: step.name, line });
      const healed = parseHealLine(line);
      if (healed) emit({ type: "healed", step: step.name, ...healed });
    }
    if (found.exitCode !== 0) {
      return err(stepError(step, failedStep(step, found.exitCode, found.output)));
    }
    ran.push(step.name);
    emit({ type: "step-done", step: step.name, durationMs: found.durationMs ?? 0 });
  }
  return recipe.parse({ reports, ran, skipped });
}

/** A step's non-zero exit inside a one-trip script, as its own exec would have reported it. */
function failedStep(step: ProvisionStep, exitCode: number, output: string): KitError {
  return exitCode === 137 && step.oomHint !== undefined
    ? kitError.outOfMemory(step.command, exitCode, output)
    : kitError.commandFailed(step.command, exitCode, output);
}

/** A step's failure: `OutOfMemory` with the step's hint where it has one, `Aborted` as is, else `ProvisionFailed`. */
function stepError(step: ProvisionStep, cause: KitError): KitError {
  if (cause.kind === "OutOfMemory" && step.oomHint !== undefined) {
    return kitError.outOfMemory(cause.command, cause.exitCode, cause.output, step.oomHint);
  }
  return stepFailure(step.name, cause);
}

function stepFailure(step: string, cause: KitError): KitError {
  return cause.kind === "Aborted" ? cause : kitError.provisionFailed(step, cause);
}

function safeEmitter(
  onEvent: ((event: ProvisionEvent) => void) | undefined,
): (event: ProvisionEvent) => void {
  return (event) => {
    try {
      onEvent?.(event);
    } catch {
      // A listener's bug must not break provisioning.
    }
  };
}

/** Reads one report for `parse`, or a `ProvisionFailed` naming the report when it is missing or failed. */
export function readReport(facts: RecipeFacts, name: string, recipe: string): Result<string, KitError> {
  const report = facts.reports[name];
  if (report === undefined) {
    return err(
      kitError.provisionFailed(
        `${recipe}.report`,
        kitError.unexpected(`The report "${name}" was missing from the sandbox's output.`),
      ),
    );
  }
  if (report.exitCode !== 0) {
    return err(
      kitError.provisionFailed(
        `${recipe}.report`,
        kitError.commandFailed(name, report.exitCode, report.output),
      ),
    );
  }
  return ok(report.output.trim());
}

/**
 * The line a step prints when it repaired the sandbox: `HEAL_MARKER action<TAB>reason`. The engine turns it into a
 * `healed` event, so recipes stay plain shell.
 */
export const HEAL_MARKER = "daytona-kit:healed:";

function parseHealLine(line: string): { action: string; reason: string } | undefined {
  const at = line.indexOf(HEAL_MARKER);
  if (at < 0) return undefined;
  const [action = "", reason = ""] = line.slice(at + HEAL_MARKER.length).split("\t");
  return { action: action.trim(), reason: reason.trim() };
}
