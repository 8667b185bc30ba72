/**
 * Runs one command inside a started local sandbox, the way Daytona's daemon does: `bash -c` (or `sh -c`), combined
 * stdout+stderr, a deadline that SIGKILLs the whole process group and answers `Timeout`, exit codes with signal
 * deaths as 128+n.
 *
 * Output goes to a host file rather than a pipe: a background child (`server &`) that inherits it can keep writing
 * after the command returns without dying of SIGPIPE, and the call returns as soon as the shell exits instead of
 * waiting for every holder of a pipe to close.
 * @module
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, open, rm } from "node:fs/promises";
import { constants as osConstants } from "node:os";
import { join } from "node:path";
import { StringDecoder } from "node:string_decoder";
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../../errors.js";
import { checkEnv } from "../../exec/env.js";
import { shellQuote } from "../../exec/quote.js";
import type { ExecOutcome, ExecRequest } from "../types.js";
import { checkSandboxRoot } from "./root-check.js";

/** The PATH of the slim images. */
export const SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** What exec needs to know about the sandbox. */
export interface ExecTarget {
  /** Host pid of the sandbox's init (the namespaces to enter). */
  readonly initPid: number;
  /** Host path of the sandbox root (to pick the shell). */
  readonly root: string;
  /** Host directory for the output files. */
  readonly execDir: string;
  /** `cgroup.procs` of the sandbox's memory cgroup, when there is one. */
  readonly cgroupProcs?: string;
  /** Environment every command gets (image defaults and the sandbox's `envVars`). */
  readonly env: Readonly<Record<string, string>>;
}

const POLL_MS = 15;

/**
 * Runs `request` in the sandbox. Resolves to an Ok outcome for any exit code; `Timeout` when the deadline fired,
 * `Aborted` when the signal did.
 */
export async function execInSandbox(
  target: ExecTarget,
  request: ExecRequest,
): Promise<Result<ExecOutcome, KitError>> {
  if (request.command.includes("\0"))
    return err(kitError.invalidArgument("command", "The command contains a NUL byte."));
  const envCheck = checkEnv(request.env);
  if (envCheck.isErr()) return err(envCheck.error);
  const cwd = request.cwd ?? "/workspace";
  if (!cwd.startsWith("/") || cwd.includes("\0")) {
    return err(kitError.invalidArgument("cwd", `cwd must be an absolute path, got ${JSON.stringify(cwd)}.`));
  }
  if (!(request.timeoutMs > 0))
    return err(kitError.invalidArgument("timeoutMs", "timeoutMs must be positive."));
  if (request.signal?.aborted) return err(kitError.aborted("exec", request.signal.reason));

  // Never a run on the host: the init must already be chrooted into this sandbox's root.
  const inside = await checkSandboxRoot(target.initPid, target.root);
  if (inside.isErr()) return err(inside.error);
  const shell = existsSync(join(target.root, "bin/bash")) ? "/bin/bash" : "/bin/sh";
  const script = `cd -- ${shellQuote(cwd)} || exit 1\n${request.command}`;
  const enter = [
    "nsenter",
    "-t",
    String(target.initPid),
    "-m",
    "-p",
    "-u",
    "-n",
    "-r",
    "-w",
    "--",
    shell,
    "-c",
    script,
  ];
  // Join the memory cgroup first (the shell's own pid, then exec), so the command and its children are limited.
  const argv = target.cgroupProcs
    ? ["/bin/sh", "-c", 'echo $$ > "$0" || exit 125; exec "$@"', target.cgroupProcs, ...enter]
    : enter;

  await mkdir(target.execDir, { recursive: true });
  const outPath = join(target.execDir, `${Date.now()}-${randomBytes(4).toString("hex")}.out`);
  const writer = await open(outPath, "w", 0o600);
  const reader = await open(outPath, "r");
  // Unlinked right away: background children keep their descriptor, nothing is left on disk for anyone else.
  await rm(outPath, { force: true });

  const env = { ...target.env, ...(request.env ?? {}) };
  const child = spawn(argv[0]!, argv.slice(1), {
    stdio: ["ignore", writer.fd, writer.fd],
    detached: true,
    env,
    cwd: "/",
  });
  // Listen before the next await: a fast command can exit while we close our copy of the descriptor, and an
  // `exit` emitted before the listener exists would leave this call waiting forever.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>(
    (done) => {
      child.once("error", (error) => done({ code: null, signal: null, error }));
      child.once("exit", (code, signal) => done({ code, signal }));
    },
  );
  await writer.close();

  const decoder = new StringDecoder("utf8");
  let output = "";
  let offset = 0;
  let reading: Promise<void> = Promise.resolve();
  const buffer = Buffer.alloc(64 * 1024);
  const drain = (): Promise<void> => {
    reading = reading.then(async () => {
      for (;;) {
        const { bytesRead } = await reader.read(buffer, 0, buffer.length, offset);
        if (bytesRead === 0) return;
        offset += bytesRead;
        const text = decoder.write(buffer.subarray(0, bytesRead));
        if (text !== "") {
          output += text;
          request.onOutput?.(text);
        }
      }
    });
    return reading;
  };

  let ended: "timeout" | "aborted" | undefined;
  const killGroup = () => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // the group is already gone
    }
  };
  const timer = setTimeout(() => {
    ended ??= "timeout";
    killGroup();
  }, request.timeoutMs);
  const onAbort = () => {
    ended ??= "aborted";
    killGroup();
  };
  request.signal?.addEventListener("abort", onAbort, { once: true });
  const poller = request.onOutput ? setInterval(() => void drain(), POLL_MS) : undefined;

  try {
    const exit = await exited;
    clearTimeout(timer);
    if (poller) clearInterval(poller);
    await drain();
    const rest = decoder.end();
    if (rest !== "") {
      output += rest;
      request.onOutput?.(rest);
    }
    if (ended === "timeout") return err(kitError.timeout("exec", request.timeoutMs));
    if (ended === "aborted") return err(kitError.aborted("exec", request.signal?.reason));
    if (exit.error) return ok({ exitCode: -1, output: `${output}${exit.error.message}` });
    if (exit.code === 125 && target.cgroupProcs && output === "") {
      return err(kitError.unexpected("Could not put the command into the sandbox's memory cgroup."));
    }
    return ok({ exitCode: exitCodeOf(exit.code, exit.signal), output });
  } finally {
    clearTimeout(timer);
    if (poller) clearInterval(poller);
    request.signal?.removeEventListener("abort", onAbort);
    await reading.catch(() => undefined);
    await reader.close();
  }
}

/** Exit code as a shell reports it: a signal death is 128 + the signal number (SIGKILL → 137). */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  if (signal !== null) return 128 + (osConstants.signals[signal] ?? 0);
  return -1;
}
