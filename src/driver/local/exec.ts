/**
 * Runs one command inside a started local sandbox, the way Daytona's daemon does: `bash -c` (or `sh -c`), combined
 * stdout+stderr, a deadline that SIGKILLs the whole process group and answers `Timeout`, exit codes with signal
 * deaths as 128+n. See `launch.ts` for the chain of host processes (fixed environment, sandbox-side watchdog).
 *
 * Output goes to a host file rather than a pipe: a background child (`server &`) that inherits it can keep writing
 * after the command returns without dying of SIGPIPE, and the call returns as soon as the shell exits instead of
 * waiting for every holder of a pipe to close. The file is read while the command runs: only its tail is kept in
 * memory, and what was read is punched out of the file, so neither the caller's memory nor the host's disk grows
 * with the output.
 * @module
 */

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { type FileHandle, mkdir, open, readFile, rm } from "node:fs/promises";
import { constants as osConstants } from "node:os";
import { dirname, join } from "node:path";
import { StringDecoder } from "node:string_decoder";
import { setTimeout as sleep } from "node:timers/promises";
import { err, ok, type Result } from "neverthrow";
import { unexpectedThrow } from "../../boundary.js";
import { SANDBOX_WORKDIR } from "../../defaults.js";
import { type KitError, kitError } from "../../errors.js";
import { checkEnv } from "../../shell/env.js";
import type { ExecOutcome, ExecRequest } from "../types.js";
import { CGROUP_JOIN_FAILED, LAUNCHER_ENV, launcherArgv, SCRIPT_FD, sandboxScript } from "./launch.js";
import { readOomKills } from "./oom-kills.js";
import { OutputTail } from "./output-tail.js";
import { checkSandboxRoot } from "./root-check.js";

/** The PATH of the slim images. */
export const SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Output kept in memory when the request sets no `maxOutputBytes`. */
export const DEFAULT_MAX_OUTPUT_BYTES = 10 * 1024 * 1024;

/** What exec needs to know about the sandbox. */
export interface ExecTarget {
  /** Host pid of the sandbox's init (the namespaces to enter). */
  readonly initPid: number;
  /** Start time of the init (field 22 of its `/proc/<pid>/stat`), to tell it from a recycled pid. */
  readonly initStartTime?: string;
  /** Host path of the sandbox root (to pick the shell). */
  readonly root: string;
  /** Host directory for the output files. */
  readonly execDir: string;
  /** `cgroup.procs` of the sandbox's memory cgroup, when there is one. */
  readonly cgroupProcs?: string;
  /** `cgroup.procs` of the sandbox's other cgroups (pids, cpu on cgroup v1), joined as well. */
  readonly moreCgroupProcs?: readonly string[];
  /** Environment every command gets (image defaults and the sandbox's `envVars`). */
  readonly env: Readonly<Record<string, string>>;
}

const POLL_WITH_LISTENER_MS = 15;
const POLL_MS = 100;
/** Small enough that each decoded chunk is a young-generation string, collected cheaply. */
const READ_BYTES = 64 * 1024;
/** Read output is punched out of the host file in steps of this size. */
const PUNCH_BYTES = 32 * 1024 * 1024;
/** How long a SIGKILLed command waits to see whether its sandbox's init is going away (a stop or delete). */
const STOP_SETTLE_MS = 1_500;

/**
 * Runs `request` in the sandbox. Resolves to an Ok outcome for any exit code (with `oomKilled` from the cgroup's
 * OOM-kill counter where the kernel has one); `Timeout` when the deadline fired, `Aborted` when the signal did,
 * `Conflict` when the sandbox was stopped or deleted under the command.
 */
export async function execInSandbox(
  target: ExecTarget,
  request: ExecRequest,
): Promise<Result<ExecOutcome, KitError>> {
  if (request.command.includes("\0"))
    return err(kitError.invalidArgument("command", "The command contains a NUL byte."));
  const envCheck = checkEnv(request.env);
  if (envCheck.isErr()) return err(envCheck.error);
  const cwd = request.cwd ?? SANDBOX_WORKDIR;
  if (!cwd.startsWith("/") || cwd.includes("\0")) {
    return err(kitError.invalidArgument("cwd", `cwd must be an absolute path, got ${JSON.stringify(cwd)}.`));
  }
  if (!(request.timeoutMs > 0))
    return err(kitError.invalidArgument("timeoutMs", "timeoutMs must be positive."));
  const maxOutputBytes = request.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  if (!(maxOutputBytes >= 0))
    return err(kitError.invalidArgument("maxOutputBytes", "maxOutputBytes must not be negative."));
  if (request.signal?.aborted) return err(kitError.aborted("exec", request.signal.reason));

  // Never a run on the host: the init must already be chrooted into this sandbox's root.
  const inside = await checkSandboxRoot(target.initPid, target.root);
  if (inside.isErr()) return err(inside.error);
  const shell = existsSync(join(target.root, "bin/bash")) ? "/bin/bash" : "/bin/sh";
  const cgroupDir = target.cgroupProcs ? dirname(target.cgroupProcs) : undefined;
  const handles: FileHandle[] = [];
  try {
    await mkdir(target.execDir, { recursive: true });
    const stem = join(target.execDir, `${Date.now()}-${randomBytes(4).toString("hex")}`);
    // Unlinked right away: background children keep their descriptor, nothing is left on disk for anyone else.
    const script = await openUnlinked(handles, `${stem}.sh`, async (handle) => {
      await handle.writeFile(sandboxScript({ ...target.env, ...(request.env ?? {}) }, cwd, request.command));
    });
    const writer = await openUnlinked(handles, `${stem}.out`);
    const reader = await open(`/proc/self/fd/${writer.fd}`, "r");
    handles.push(reader);
    const oomBefore = cgroupDir ? await readOomKills(cgroupDir) : undefined;

    const argv = launcherArgv({
      initPid: target.initPid,
      shell,
      timeoutMs: request.timeoutMs,
      ...(target.cgroupProcs ? { cgroupProcs: target.cgroupProcs } : {}),
      ...(target.moreCgroupProcs ? { moreCgroupProcs: target.moreCgroupProcs } : {}),
    });
    const stdio: ("ignore" | number)[] = ["ignore", writer.fd, writer.fd];
    stdio[SCRIPT_FD] = script.fd;
    const started = Date.now();
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio,
      detached: true,
      env: { ...LAUNCHER_ENV },
      cwd: "/",
    });
    // Listen before the next await: a fast command can exit while we close our copies of the descriptors, and an
    // `exit` emitted before the listener exists would leave this call waiting forever.
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>(
      (done) => {
        child.once("error", (error) => done({ code: null, signal: null, error }));
        child.once("exit", (code, signal) => done({ code, signal }));
      },
    );
    await closeAll(handles.splice(0, 2));

    const output = streamOutput(reader, maxOutputBytes, request.onOutput);
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
    // Aborted while the files were being prepared: the listener above will never fire.
    if (request.signal?.aborted) onAbort();
    const poller = setInterval(() => void output.drain(), request.onOutput ? POLL_WITH_LISTENER_MS : POLL_MS);
    let exit: Awaited<typeof exited>;
    try {
      exit = await exited;
    } finally {
      clearTimeout(timer);
      clearInterval(poller);
      request.signal?.removeEventListener("abort", onAbort);
    }
    const text = await output.finish();
    if (ended === "timeout") return err(kitError.timeout("exec", request.timeoutMs));
    if (ended === "aborted") return err(kitError.aborted("exec", request.signal?.reason));
    if (exit.error) {
      return err(
        kitError.unexpected(`Could not start the sandbox command: ${exit.error.message}`, {
          cause: exit.error,
        }),
      );
    }
    if (exit.code === CGROUP_JOIN_FAILED && target.cgroupProcs && text.output === "") {
      return err(kitError.unexpected("Could not put the command into the sandbox's memory cgroup."));
    }
    const exitCode = exitCodeOf(exit.code, exit.signal);
    const oomAfter = cgroupDir ? await readOomKills(cgroupDir) : undefined;
    const oomKilled = oomBefore !== undefined && oomAfter !== undefined ? oomAfter > oomBefore : undefined;
    if (exitCode === 137 && oomKilled !== true) {
      // Past the deadline, the sandbox-side watchdog fired (this process was too slow to do it itself).
      if (Date.now() - started >= request.timeoutMs) return err(kitError.timeout("exec", request.timeoutMs));
      if (await initGoesAway(target)) {
        return err(
          kitError.conflict(
            "The sandbox was stopped or deleted while the command ran; its processes were killed.",
          ),
        );
      }
    }
    return ok({
      exitCode,
      output: text.output,
      ...(text.truncated ? { truncated: true } : {}),
      ...(oomKilled !== undefined ? { oomKilled } : {}),
    });
  } catch (error) {
    return err(unexpectedThrow("Running the sandbox command", error));
  } finally {
    await closeAll(handles);
  }
}

/** Creates `path` (mode 600), lets `fill` write it, unlinks it and returns the still-open handle. */
async function openUnlinked(
  handles: FileHandle[],
  path: string,
  fill?: (handle: FileHandle) => Promise<void>,
): Promise<FileHandle> {
  const handle = await open(path, "wx+", 0o600);
  handles.push(handle);
  try {
    await fill?.(handle);
  } finally {
    await rm(path, { force: true });
  }
  return handle;
}

async function closeAll(handles: readonly FileHandle[]): Promise<void> {
  await Promise.all(handles.map((handle) => handle.close().catch(() => undefined)));
}

/** Reads the growing output file: the tail for the outcome, every chunk to `onOutput`, read bytes punched out. */
function streamOutput(reader: FileHandle, maxBytes: number, onOutput: ((chunk: string) => void) | undefined) {
  const tail = new OutputTail(maxBytes);
  const decoder = onOutput ? new StringDecoder("utf8") : undefined;
  let offset = 0;
  let punched = 0;
  let reading: Promise<void> = Promise.resolve();
  // One read buffer for the whole call: the tail copies what it keeps.
  const buffer = Buffer.allocUnsafeSlow(READ_BYTES);
  const drain = (): Promise<void> => {
    reading = reading.then(async () => {
      for (;;) {
        const { bytesRead } = await reader.read(buffer, 0, buffer.length, offset);
        if (bytesRead === 0) break;
        offset += bytesRead;
        const chunk = buffer.subarray(0, bytesRead);
        tail.push(chunk);
        const text = decoder?.write(chunk);
        if (text) onOutput?.(text);
      }
      if (offset - punched >= PUNCH_BYTES) {
        await punchHole(reader, punched, offset - punched);
        punched = offset;
      }
    });
    return reading;
  };
  return {
    drain,
    finish: async (): Promise<{ output: string; truncated: boolean }> => {
      await drain();
      const rest = decoder?.end();
      if (rest) onOutput?.(rest);
      return { output: tail.text(), truncated: tail.truncated };
    },
  };
}

/** Frees the disk blocks of bytes already read (best effort: without `fallocate` the file just stays whole). */
function punchHole(reader: FileHandle, offset: number, length: number): Promise<void> {
  return new Promise((done) => {
    const child = spawn(
      "fallocate",
      ["-p", "-o", String(offset), "-l", String(length), `/proc/${process.pid}/fd/${reader.fd}`],
      { stdio: "ignore", env: { ...LAUNCHER_ENV } },
    );
    child.once("error", () => done());
    child.once("exit", () => done());
  });
}

/** `PF_EXITING` in the flags of `/proc/<pid>/stat`: the process has begun to exit. */
const PF_EXITING = 0x4;
/** SIGKILL's bit in the pending-signal masks of `/proc/<pid>/status`. */
const SIGKILL_BIT = 1n << 8n;

/**
 * Whether the sandbox's init is gone or going (a stop or delete SIGKILLs it, and with it every command): it is
 * missing, a zombie, a different process, exiting, or has a SIGKILL pending — within a short wait.
 */
async function initGoesAway(target: ExecTarget): Promise<boolean> {
  for (let waited = 0; ; waited += 25) {
    const [stat, status] = await Promise.all([
      readFile(`/proc/${target.initPid}/stat`, "utf8").catch(() => undefined),
      readFile(`/proc/${target.initPid}/status`, "utf8").catch(() => ""),
    ]);
    if (stat === undefined) return true;
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z" || fields[0] === "X") return true;
    if (target.initStartTime !== undefined && fields[19] !== target.initStartTime) return true;
    if ((Number(fields[6]) & PF_EXITING) !== 0) return true;
    for (const mask of status.matchAll(/^(?:SigPnd|ShdPnd):\s*([0-9a-f]+)$/gm)) {
      if ((BigInt(`0x${mask[1]}`) & SIGKILL_BIT) !== 0n) return true;
    }
    if (waited >= STOP_SETTLE_MS) return false;
    await sleep(25);
  }
}

/** Exit code as a shell reports it: a signal death is 128 + the signal number (SIGKILL → 137). */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  if (signal !== null) return 128 + (osConstants.signals[signal] ?? 0);
  return -1;
}
