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
  /** Aborts the wait (and, where the driver can, the command). */
  readonly signal?: AbortSignal;
  /** Exit codes that count as success. @default [0] */
  readonly okExitCodes?: readonly number[];
  /** Receives combined output line by line while the command runs. */
  readonly onOutput?: (line: string) => void;
}

/** What a finished command returns. */
export interface ExecResult {
  readonly exitCode: number;
  /** Combined stdout and stderr: Daytona merges the two streams. */
  readonly output: string;
  readonly durationMs: number;
}

/**
 * Runs a shell command in the sandbox. A non-zero exit is `CommandFailed` unless listed in `okExitCodes`;
 * exit 137 is `OutOfMemory`; a deadline is `Timeout`.
 */
export type Exec = (command: string, options?: ExecOptions) => ResultAsync<ExecResult, KitError>;
