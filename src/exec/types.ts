/**
 * The exec facade's types: what callers pass to `sandbox.exec` and what they get back.
 * @module
 */
import type { ResultAsync } from "neverthrow";
import type { KitError } from "../errors.js";

/** Options of {@link Exec}. All durations are milliseconds. */
export interface ExecOptions {
  /** Working directory inside the sandbox. @default the fs root (`/workspace`) */
  readonly cwd?: string;
  /** Extra environment variables for this command. */
  readonly env?: Readonly<Record<string, string>>;
  /** Deadline for the command; always sent to the sandbox. @default 60_000 */
  readonly timeoutMs?: number;
  /** Aborts the wait (and, where the driver can, the command). `undefined` is the same as leaving it out. */
  readonly signal?: AbortSignal | undefined;
  /** Exit codes that count as success. @default [0] */
  readonly okExitCodes?: readonly number[];
  /** Receives combined output line by line while the command runs (all of it, whatever `maxOutputBytes` says). */
  readonly onOutput?: (line: string) => void;
  /**
   * Most bytes of output kept in memory for the result; a longer output keeps its tail and sets `truncated`.
   * @default 10_485_760 (10 MiB)
   */
  readonly maxOutputBytes?: number;
}

/** What a finished command returns. */
export interface ExecResult {
  readonly exitCode: number;
  /** Combined stdout and stderr: Daytona merges the two streams. */
  readonly output: string;
  readonly durationMs: number;
  /** `true` when `output` holds only the last `maxOutputBytes` of what the command printed. */
  readonly truncated?: boolean;
}

/**
 * Runs a shell command in the sandbox. A non-zero exit is `CommandFailed` unless listed in `okExitCodes`;
 * exit 137 is `OutOfMemory` when the OOM killer fired (or the driver cannot tell), `CommandFailed` with the signal
 * otherwise; a deadline is `Timeout`.
 */
export type Exec = (command: string, options?: ExecOptions) => ResultAsync<ExecResult, KitError>;
