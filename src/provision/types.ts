/**
 * The provisioners' shared vocabulary: steps (data), progress events, and the context a provisioner runs in.
 * @module
 */
import type { ResultAsync } from "neverthrow";
import type { KitError } from "../errors.js";
import type { Exec } from "../exec/types.js";

/**
 * One named step of a recipe. Steps are plain data: `plan()` returns them without running anything, and one engine
 * applies them.
 *
 * Every `command` is idempotent on its own (running it twice leaves the same state), so a step whose `check` failed
 * earlier can run safely even if a previous step already did part of its work.
 */
export interface ProvisionStep {
  /** Stable, dotted name such as `"apt.install"` or `"postgres.start"`; used in events and `ProvisionFailed.step`. */
  readonly name: string;
  /** One line for humans: what the step does and why. */
  readonly description: string;
  /** The shell command, built only with `shellQuote`/`quoteArgs` for anything that came from the caller. */
  readonly command: string;
  /** Deadline of the command in milliseconds. */
  readonly timeoutMs: number;
  /**
   * Idempotency probe: when this command exits 0 the step is skipped. The engine runs the probes of a whole recipe
   * together, in one exec, before any step.
   */
  readonly check?: string;
  /** When the step is killed with exit 137, return `OutOfMemory` carrying this hint instead of `ProvisionFailed`. */
  readonly oomHint?: string;
}

/** A progress event; `step` is the {@link ProvisionStep.name}. */
export type ProvisionEvent =
  /** The step's check failed (or it has none): the command is about to run. */
  | {
      readonly type: "step-start";
      readonly step: string;
      readonly description: string;
      readonly command: string;
    }
  /** One line of the running step's combined stdout/stderr. */
  | { readonly type: "output"; readonly step: string; readonly line: string }
  /** The step's command succeeded. */
  | { readonly type: "step-done"; readonly step: string; readonly durationMs: number }
  /** The step's check passed: nothing to do. */
  | { readonly type: "skipped"; readonly step: string; readonly reason: string }
  /**
   * The step repaired the sandbox before it could do its work, e.g. `apt.install` ran `dpkg --configure -a`
   * after an install interrupted by a stop or the OOM killer ("dpkg was interrupted").
   */
  | { readonly type: "healed"; readonly step: string; readonly action: string; readonly reason: string };

/** Options every provisioning call accepts. */
export interface RunOptions {
  /** Receives progress events as steps run. Exceptions thrown by the callback are ignored. */
  readonly onEvent?: (event: ProvisionEvent) => void;
  /** Aborts between steps and, where the driver can, the running command: the call ends with `Aborted`. */
  readonly signal?: AbortSignal;
}

/** What a recipe reports besides its typed value: which steps ran and which were skipped. */
export interface StepSummary {
  /** Names of the steps whose command ran. Empty on a re-run against a provisioned sandbox. */
  readonly ran: readonly string[];
  /** Names of the steps skipped because their check passed. */
  readonly skipped: readonly string[];
}

/** What a provisioner needs from the sandbox. The sandbox handle builds it. */
export interface ProvisionContext {
  /** The sandbox's exec facade (exit codes already mapped to `CommandFailed` / `OutOfMemory` / `Timeout`). */
  readonly exec: Exec;
  /** Writes a UTF-8 file inside the sandbox (through the fs facade; relative paths resolve against `/workspace`). */
  readonly writeText: (path: string, text: string) => ResultAsync<unknown, KitError>;
  /** The sandbox's memory in GiB; drives the Node heap limit and the pnpm / `next build` refusals. @default 1 */
  readonly memoryGiB?: number;
  /**
   * Absolute directory inside the sandbox for the kit's own files (static server script, pid files, logs). It must be
   * writable through `writeText`, i.e. under the fs root. @default "/workspace/.daytona-kit"
   */
  readonly stateDir?: string;
}
