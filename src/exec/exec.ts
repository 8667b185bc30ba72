/**
 * `createExec`: runs commands through the driver with a deadline always set, validates input, and turns exit codes
 * into typed results.
 * @module
 */
import { err, errAsync, ok, okAsync, type Result } from "neverthrow";
import { guarded } from "../boundary.js";
import { DEFAULT_EXEC_TIMEOUT_MS, SANDBOX_WORKDIR } from "../defaults.js";
import type { ExecOutcome, SandboxDriver } from "../driver/types.js";
import { type KitError, kitError } from "../errors.js";
import { clampTimerMs } from "../policy/deadline.js";
import { checkEnv } from "../shell/env.js";
import { checkExecArguments } from "../validate/call-options.js";
import { createLineSplitter } from "./lines.js";
import { couldNotEnter, createRootIfAbsent } from "./missing-root.js";
import type { Exec, ExecOptions, ExecResult } from "./types.js";

/** What {@link createExec} needs. */
export interface ExecContext {
  readonly driver: SandboxDriver;
  readonly sandboxId: string;
  /** Working directory when a call gives none. @default "/workspace" */
  readonly defaultCwd?: string;
  /** Deadline when a call gives none, in milliseconds. @default 60_000 */
  readonly defaultTimeoutMs?: number;
  /**
   * Extra time the driver gets after the command's deadline before this side gives up waiting and answers
   * `Timeout` itself (the sandbox enforces the deadline; this covers a driver or network that hangs).
   * @default 5_000
   */
  readonly deadlineGraceMs?: number;
}

/** The exit code of a SIGKILLed process: the OOM killer, a deadline kill, or anyone's `kill -9`. */
const SIGKILL_EXIT = 137;

/** Output kept in memory for a result when the call sets no `maxOutputBytes`. */
export const DEFAULT_MAX_OUTPUT_BYTES = 10 * 1024 * 1024;

/**
 * Creates the {@link Exec} function of one sandbox.
 *
 * - a deadline is always sent (`timeoutMs`, default 60 s): the daemon has none of its own;
 * - an exit code in `okExitCodes` (default `[0]`) is `Ok`; 137 is `Timeout` when the deadline had passed, else
 *   `OutOfMemory` when the driver says the OOM killer fired (or cannot tell, as on Daytona), else `CommandFailed`
 *   with `signal: "SIGKILL"`; any other code is `CommandFailed` with the combined output;
 * - the result keeps at most `maxOutputBytes` (default 10 MiB) of output, the tail, with `truncated: true`;
 * - `onOutput` receives whole lines; the signal turns into `Aborted`.
 *
 * @example
 * ```ts
 * const exec = createExec({ driver, sandboxId });
 * const result = await exec("npm test", { cwd: "/workspace/app", timeoutMs: 300_000 });
 * if (result.isErr() && result.error.kind === "CommandFailed") console.log(result.error.output);
 * ```
 */
export function createExec(ctx: ExecContext): Exec {
  return (command, options) => {
    // Types first (null options, a lone surrogate, a 2^31 ms timeout): nothing reaches the driver.
    const typed = checkExecArguments(command, options);
    if (typed.isErr()) return errAsync(typed.error);
    const checked = validate(command, typed.value, ctx);
    if (checked.isErr()) return errAsync(checked.error);
    return guarded("exec", () => run(ctx, checked.value));
  };
}

interface Checked {
  readonly command: string;
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly okExitCodes: readonly number[];
  readonly signal?: AbortSignal;
  readonly onOutput?: (line: string) => void;
  readonly maxOutputBytes: number;
}

function validate(command: string, options: ExecOptions, ctx: ExecContext): Result<Checked, KitError> {
  if (typeof command !== "string" || command.trim() === "") {
    return err(kitError.invalidArgument("command", "command must be a non-empty string."));
  }
  if (command.includes("\0"))
    return err(kitError.invalidArgument("command", "command must not contain a NUL byte."));
  const timeoutMs = options.timeoutMs ?? ctx.defaultTimeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
  if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    return err(
      kitError.invalidArgument(
        "timeoutMs",
        `timeoutMs must be a positive number of milliseconds, got ${timeoutMs}.`,
      ),
    );
  }
  const cwd = options.cwd ?? ctx.defaultCwd ?? SANDBOX_WORKDIR;
  if (typeof cwd !== "string" || cwd === "" || cwd.includes("\0")) {
    return err(kitError.invalidArgument("cwd", "cwd must be a non-empty path without NUL bytes."));
  }
  const env = checkEnv(options.env);
  if (env.isErr()) return err(env.error);
  const okExitCodes = options.okExitCodes ?? [0];
  if (!Array.isArray(okExitCodes) || !okExitCodes.every(Number.isInteger)) {
    return err(kitError.invalidArgument("okExitCodes", "okExitCodes must be an array of integers."));
  }
  const maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  if (!Number.isSafeInteger(maxOutputBytes) || maxOutputBytes < 0) {
    return err(
      kitError.invalidArgument(
        "maxOutputBytes",
        `maxOutputBytes must be a non-negative integer number of bytes, got ${String(maxOutputBytes)}.`,
      ),
    );
  }
  if (options.signal?.aborted) return err(kitError.aborted(`exec ${brief(command)}`, options.signal.reason));
  return ok({
    command,
    cwd,
    timeoutMs,
    okExitCodes,
    maxOutputBytes,
    ...(options.env ? { env: options.env } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onOutput ? { onOutput: options.onOutput } : {}),
  });
}

type Stop = { readonly why: "aborted"; readonly reason: unknown } | { readonly why: "deadline" };

async function run(ctx: ExecContext, call: Checked): Promise<Result<ExecResult, KitError>> {
  const operation = `exec ${brief(call.command)}`;
  const controller = new AbortController();
  const lines = call.onOutput ? createLineSplitter(call.onOutput) : undefined;
  let stopped: Stop | undefined;
  let wake: (stop: Stop) => void = () => {};
  const stopPromise = new Promise<Stop>((resolve) => {
    wake = resolve;
  });
  const stop = (why: Stop) => {
    if (stopped) return;
    stopped = why;
    controller.abort(why.why === "aborted" ? why.reason : new Error("exec deadline"));
    wake(why);
  };
  const onAbort = () => stop({ why: "aborted", reason: call.signal?.reason });
  call.signal?.addEventListener("abort", onAbort, { once: true });
  // Clamped: a timeoutMs near 2^31-1 plus the grace would overflow Node's timer, which then fires at once.
  const timer = setTimeout(
    () => stop({ why: "deadline" }),
    clampTimerMs(call.timeoutMs + (ctx.deadlineGraceMs ?? 5_000)),
  );

  const started = performance.now();
  const send = () =>
    ctx.driver.exec(ctx.sandboxId, {
      command: call.command,
      cwd: call.cwd,
      timeoutMs: call.timeoutMs,
      signal: controller.signal,
      maxOutputBytes: call.maxOutputBytes,
      ...(call.env ? { env: call.env } : {}),
      ...(lines ? { onOutput: (chunk: string) => lines.push(chunk) } : {}),
    });
  const root = ctx.defaultCwd ?? SANDBOX_WORKDIR;
  // The default root may not exist yet (see missing-root.ts): create it and send the command once more.
  const request = send().andThen((outcome) =>
    call.cwd === root && couldNotEnter(outcome, root)
      ? createRootIfAbsent(ctx.driver, ctx.sandboxId, root).andThen((created) =>
          created ? send() : okAsync(outcome),
        )
      : okAsync(outcome),
  );
  try {
    const first = await Promise.race([Promise.resolve(request), stopPromise]);
    const durationMs = performance.now() - started;
    const stopError = (why: Stop): KitError =>
      why.why === "aborted"
        ? kitError.aborted(operation, why.reason)
        : kitError.timeout(operation, call.timeoutMs, undefined, false);
    if ("why" in first) return err(stopError(first));
    // A driver error that lands after we stopped the call (its own "aborted") is reported as why we stopped it.
    if (first.isErr()) return err(stopped ? stopError(stopped) : first.error);
    if (lines) {
      if (!lines.received) lines.push(first.value.output);
      lines.flush();
    }
    return classify(call, keepTail(first.value, call.maxOutputBytes), durationMs);
  } finally {
    clearTimeout(timer);
    call.signal?.removeEventListener("abort", onAbort);
  }
}

function classify(call: Checked, outcome: ExecOutcome, durationMs: number): Result<ExecResult, KitError> {
  const { exitCode, output } = outcome;
  if (call.okExitCodes.includes(exitCode))
    return ok({ exitCode, output, durationMs, ...(outcome.truncated ? { truncated: true } : {}) });
  if (exitCode === SIGKILL_EXIT) {
    // The daemon SIGKILLs at the deadline too: a kill after the deadline is the timeout, unless the driver saw
    // the OOM killer fire.
    if (durationMs >= call.timeoutMs && outcome.oomKilled !== true)
      return err(kitError.timeout(`exec ${brief(call.command)}`, call.timeoutMs, undefined, false));
    // Where the driver read the cgroup's OOM-kill counter, a SIGKILL without an OOM kill is someone's `kill -9`.
    if (outcome.oomKilled === false)
      return err(kitError.commandFailed(call.command, exitCode, output, "SIGKILL"));
    return err(
      kitError.outOfMemory(
        call.command,
        exitCode,
        output,
        "Give the sandbox more memory or make the command use less (e.g. NODE_OPTIONS=--max-old-space-size).",
      ),
    );
  }
  return err(kitError.commandFailed(call.command, exitCode, output));
}

/**
 * Keeps the last `maxBytes` bytes of the outcome's output (whole characters), for drivers that hand back more.
 * @example
 * ```ts
 * keepTail({ exitCode: 0, output: "abcdef" }, 2) // => { exitCode: 0, output: "ef", truncated: true }
 * ```
 */
export function keepTail(outcome: ExecOutcome, maxBytes: number): ExecOutcome {
  // Each UTF-16 code unit is at most 3 UTF-8 bytes: a short string needs no encoding to know it fits.
  if (outcome.output.length * 3 <= maxBytes || Buffer.byteLength(outcome.output, "utf8") <= maxBytes)
    return outcome;
  const bytes = Buffer.from(outcome.output, "utf8");
  let start = bytes.byteLength - maxBytes;
  // Never start inside a character: skip UTF-8 continuation bytes.
  while (start < bytes.byteLength && ((bytes[start] ?? 0) & 0xc0) === 0x80) start++;
  return { ...outcome, output: bytes.subarray(start).toString("utf8"), truncated: true };
}

/** The command as it appears in an operation name: first line, at most 80 characters. */
function brief(command: string): string {
  const firstLine = command.split("\n", 1)[0] ?? "";
  return firstLine.length > 80 ? `${firstLine.slice(0, 79)}…` : firstLine;
}
