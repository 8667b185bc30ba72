/**
 * `exec` for the memory driver: the command runs in the shared mini shell (or a `commandResponder`) over the
 * sandbox's files, then the driver waits out the command's emulated run time for real (so `sleep 1` takes a
 * second, a deadline answers `Timeout` when it passes and an AbortSignal answers `Aborted`). The command's effects
 * on files happen at once, before the wait; what the wait adds is time, for deadlines, aborts and races.
 */
import type { ExecOutcome, ExecRequest } from "../driver/types.js";
import { type KitError, kitError } from "../errors.js";
import { runThrough } from "./commands.js";
import type { CommandResponder, SandboxRecord } from "./types.js";

/** Node's timers fire at once past this many milliseconds; longer waits are cut to it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs one command. `interrupted` fires when the sandbox is stopped or deleted (a stop ends every process), and
 * `stillRunning` then tells what the call answers.
 */
export async function runMemoryCommand(
  box: SandboxRecord,
  request: ExecRequest,
  responders: readonly CommandResponder[],
  interrupted: AbortSignal,
  stillRunning: () => KitError | undefined,
): Promise<ExecOutcome | KitError> {
  const { signal } = request;
  if (signal?.aborted) return kitError.aborted("exec", signal.reason);
  const timeoutMs = request.timeoutMs;
  const outcome = await runThrough(responders, box, {
    command: request.command,
    cwd: request.cwd,
    env: { ...(request.env ?? {}) },
    // 0 is the daemon's "no timeout".
    timeoutSeconds: timeoutMs > 0 ? timeoutMs / 1000 : undefined,
  });
  const waitMs = outcome.timedOut ? timeoutMs : outcome.reply.durationMs;
  const waited = await wait(Math.min(waitMs, MAX_TIMER_MS), signal, interrupted);
  if (waited === "aborted" && signal?.aborted) return kitError.aborted("exec", signal.reason);
  const gone = stillRunning();
  if (gone) return gone;
  if (outcome.timedOut) return kitError.timeout("exec", timeoutMs);
  const output = outcome.reply.output;
  if (output !== "") request.onOutput?.(output);
  return { exitCode: outcome.reply.exitCode, ...tail(output, request.maxOutputBytes) };
}

/** Keeps at most `maxBytes` of UTF-8 output, from the end, whole characters only. */
function tail(output: string, maxBytes: number | undefined): { output: string; truncated?: true } {
  if (maxBytes === undefined || Buffer.byteLength(output) <= maxBytes) return { output };
  const bytes = Buffer.from(output);
  let start = bytes.byteLength - maxBytes;
  // Skip continuation bytes (10xxxxxx) so the kept tail starts at a character boundary.
  while (start < bytes.byteLength && ((bytes[start] ?? 0) & 0xc0) === 0x80) start += 1;
  return { output: bytes.subarray(start).toString("utf8"), truncated: true };
}

/** Waits `ms` (0 answers on the next tick), or until one of `signals` aborts. */
function wait(ms: number, ...signals: (AbortSignal | undefined)[]): Promise<"done" | "aborted"> {
  const live = signals.filter((s): s is AbortSignal => s !== undefined);
  return new Promise((resolve) => {
    if (live.some((s) => s.aborted)) return resolve("aborted");
    const settle = (how: "done" | "aborted") => {
      clearTimeout(timer);
      for (const s of live) s.removeEventListener("abort", onAbort);
      resolve(how);
    };
    const onAbort = () => settle("aborted");
    const timer = setTimeout(() => settle("done"), ms);
    for (const s of live) s.addEventListener("abort", onAbort, { once: true });
  });
}
