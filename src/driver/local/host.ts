/**
 * Facts about the host machine the local driver runs on, and one helper to run host commands.
 * @module
 */
import { spawn } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../../errors.js";

/** The hint every `Unsupported` error of the local driver carries. */
export const USE_DAYTONA_HINT =
  "The local driver needs Linux and root (it uses mount and PID namespaces, overlayfs and cgroups). " +
  "Set DAYTONA_API_KEY to use Daytona's cloud sandboxes instead.";

/**
 * Checks that this machine can run local sandboxes at all: Linux, running as root.
 * @returns `Unsupported` with a hint when it cannot.
 */
export function checkHostSupport(): Result<void, KitError> {
  if (process.platform !== "linux") {
    return err(kitError.unsupported(`Local sandboxes on ${process.platform}`, USE_DAYTONA_HINT));
  }
  if (typeof process.getuid !== "function" || process.getuid() !== 0) {
    return err(kitError.unsupported("Local sandboxes without root", USE_DAYTONA_HINT));
  }
  return ok(undefined);
}

/** Finds an executable on PATH (plus the sbin directories root usually has); `undefined` when absent. */
export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/local/sbin", "/usr/sbin", "/sbin"];
  for (const dir of dirs) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

/** The host tools the driver runs; a missing one makes the driver answer `Unsupported`. */
export const REQUIRED_TOOLS = [
  "unshare",
  "nsenter",
  "mount",
  "umount",
  "chroot",
  "cp",
  // A sandbox's egress and its preview forwarders (scripts/setup-local.sh installs both).
  "slirp4netns",
  "socat",
] as const;

/** Checks the tools in {@link REQUIRED_TOOLS} exist. */
export function checkHostTools(): Result<void, KitError> {
  const missing = REQUIRED_TOOLS.filter((tool) => findExecutable(tool) === undefined);
  if (missing.length === 0) return ok(undefined);
  return err(
    kitError.unsupported(
      `Local sandboxes without ${missing.join(", ")}`,
      "Run scripts/setup-local.sh (it installs slirp4netns and socat; util-linux and coreutils are needed too), " +
        "or set DAYTONA_API_KEY to use Daytona.",
    ),
  );
}

/** Whether `debootstrap` is installed (needed only to build a base image). */
export function hasDebootstrap(): boolean {
  return findExecutable("debootstrap") !== undefined;
}

/** The outcome of one host command. */
export interface HostRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a host command without a shell and collects its output. Never rejects: a spawn failure is code -1.
 * `onLine` receives stdout and stderr lines as they arrive (for progress).
 */
export function runHost(
  command: string,
  args: readonly string[],
  options: {
    onLine?: (line: string) => void;
    signal?: AbortSignal | undefined;
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<HostRun> {
  return new Promise((resolvePromise) => {
    let stdout = "";
    let stderr = "";
    let pending = "";
    const child = spawn(command, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: options.env ?? process.env,
      signal: options.signal,
      killSignal: "SIGKILL",
    });
    const feed = (text: string) => {
      if (!options.onLine) return;
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") options.onLine(line);
    };
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      feed(chunk);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      feed(chunk);
    });
    child.on("error", (error) => {
      stderr += String(error.message);
    });
    child.on("close", (code, signal) => {
      if (pending.trim() !== "" && options.onLine) options.onLine(pending);
      resolvePromise({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
  });
}

/** True when a process with `pid` exists (zombies included). */
export function pidExists(pid: number): boolean {
  return existsSync(`/proc/${pid}`);
}

/** Reads a process's start time; `undefined` when it does not exist. */
export async function processStartTime(pid: number): Promise<string | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (stat === undefined) return undefined;
  // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return fields[19];
}
