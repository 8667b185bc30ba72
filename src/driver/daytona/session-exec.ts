/**
 * Exec with live output on Daytona: `executeCommand` only answers when the command ends, so a command with an
 * `onOutput` listener runs in a session instead, and its logs are polled. Polling (not the logs WebSocket) works
 * through every proxy and in the msw emulator, at the cost of output arriving in steps of `pollMs`.
 * @module
 */
import { randomUUID } from "node:crypto";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { type KitError, kitError } from "../../errors.js";
import { quoteArgs, shellQuote } from "../../shell/quote.js";
import type { ExecOutcome, ExecRequest } from "../types.js";
import type { DaytonaSandboxLike } from "./client.js";

/** Timing knobs of a session exec (tests shorten them). */
export interface SessionExecTiming {
  readonly pollMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
}

/**
 * Builds the one shell line a session runs. Sessions take no cwd or env, so both travel in the command; the
 * command itself then runs in its own `sh -c` so a `;` or `||` in it cannot escape the `cd … &&` guard.
 * Without cwd and env the command is sent as it is.
 */
export function sessionCommandLine(request: Pick<ExecRequest, "command" | "cwd" | "env">): string {
  const env = Object.entries(request.env ?? {});
  if (!request.cwd && env.length === 0) return request.command;
  const assignments = env.length > 0 ? `${quoteArgs(["env", ...env.map(([k, v]) => `${k}=${v}`)])} ` : "";
  const run = `${assignments}sh -c ${shellQuote(request.command)}`;
  return request.cwd ? `cd ${shellQuote(request.cwd)} && ${run}` : run;
}

/** Runs `request` in a fresh session, streaming new output to `request.onOutput`, then deletes the session. */
export function execInSession(
  sandbox: DaytonaSandboxLike,
  request: ExecRequest,
  timing: SessionExecTiming,
  mapError: (thrown: unknown) => KitError,
): ResultAsync<ExecOutcome, KitError> {
  const sessionId = `daytona-kit-${randomUUID()}`;
  const run = async (): Promise<ExecOutcome> => {
    await sandbox.process.createSession(sessionId);
    try {
      const started = await sandbox.process.executeSessionCommand(sessionId, {
        command: sessionCommandLine(request),
        runAsync: true,
      });
      const commandId = started.cmdId;
      if (!commandId) throw kitError.unexpected("Daytona did not return a command id for a session command.");
      return await follow(sandbox, sessionId, commandId, request, timing);
    } finally {
      // Deleting the session also ends a command still running after a timeout or abort.
      await sandbox.process.deleteSession(sessionId).catch(() => undefined);
    }
  };
  return ResultAsync.fromPromise(run(), mapError);
}

async function follow(
  sandbox: DaytonaSandboxLike,
  sessionId: string,
  commandId: string,
  request: ExecRequest,
  timing: SessionExecTiming,
): Promise<ExecOutcome> {
  const deadline = timing.now() + request.timeoutMs;
  let seen = 0;
  const emitNew = async (): Promise<string> => {
    const logs = await sandbox.process.getSessionCommandLogs(sessionId, commandId);
    const output = logs.output ?? logs.stdout ?? "";
    if (output.length > seen) request.onOutput?.(output.slice(seen));
    seen = Math.max(seen, output.length);
    return output;
  };
  for (;;) {
    if (request.signal?.aborted) throw kitError.aborted("exec");
    const status = await sandbox.process.getSessionCommand(sessionId, commandId);
    if (typeof status.exitCode === "number") {
      return { exitCode: status.exitCode, output: await emitNew() };
    }
    await emitNew();
    if (timing.now() >= deadline) throw kitError.timeout(`exec ${request.command}`, request.timeoutMs);
    await timing.sleep(Math.min(timing.pollMs, Math.max(0, deadline - timing.now())));
  }
}

/** Rejects before any request when the signal has already fired. */
export function checkNotAborted(
  signal: AbortSignal | undefined,
  operation: string,
): ResultAsync<void, KitError> {
  return signal?.aborted ? errAsync(kitError.aborted(operation)) : okAsync(undefined);
}
