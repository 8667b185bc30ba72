/**
 * How a command reaches a local sandbox. The host side is a fixed chain that never sees the caller's environment or
 * command text:
 *
 * ```text
 * sh (joins the cgroups) → timeout -s KILL <deadline+grace> (the watchdog) → nsenter → <shell> -c '. /proc/self/fd/3'
 * ```
 *
 * The command, its working directory and its environment travel in a script file on descriptor 3 that the shell
 * inside the sandbox sources: no argv or environment size limit (E2BIG) applies to them, and a caller's `PATH` or
 * `LD_PRELOAD` only ever applies inside the sandbox. `timeout` is the process group's leader and outlives the
 * caller: when the deadline (plus a grace) passes it SIGKILLs the whole group, inside the sandbox too, even if the
 * Node process that started the command is gone.
 * @module
 */
import { shellQuote } from "../../shell/quote.js";

/** The only environment the host-side launcher runs with. */
export const LAUNCHER_ENV: Readonly<Record<string, string>> = {
  PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
};

/** Descriptor the script travels on. */
export const SCRIPT_FD = 3;

/** How long after the command's deadline the sandbox-side watchdog fires (the caller's own timer goes first). */
export const WATCHDOG_GRACE_MS = 1_000;

/**
 * The script the sandbox's shell sources: closes its own descriptor, exports the environment, enters `cwd`, then the
 * command. The preamble is one line, so the command starts on line 2 as it always has.
 * @example
 * ```ts
 * sandboxScript({ PATH: "/usr/bin" }, "/workspace", "echo hi")
 * // => "exec 3<&-; export PATH='/usr/bin'; cd -- '/workspace' || exit 1\necho hi"
 * ```
 */
export function sandboxScript(env: Readonly<Record<string, string>>, cwd: string, command: string): string {
  const exports = Object.entries(env).map(([name, value]) => `export ${name}=${shellQuote(value)}; `);
  return `exec ${SCRIPT_FD}<&-; ${exports.join("")}cd -- ${shellQuote(cwd)} || exit 1\n${command}`;
}

/** What {@link launcherArgv} needs. */
export interface LauncherSpec {
  /** Host pid of the sandbox's init. */
  readonly initPid: number;
  /** The shell inside the sandbox (`/bin/bash`, else `/bin/sh`). */
  readonly shell: string;
  /** The deadline of the command in milliseconds (the watchdog adds {@link WATCHDOG_GRACE_MS}). */
  readonly timeoutMs: number;
  /** `cgroup.procs` to join first, when the sandbox has a memory cgroup. */
  readonly cgroupProcs?: string;
  /** `cgroup.procs` of the sandbox's other cgroups (pids and cpu on cgroup v1), joined as well. */
  readonly moreCgroupProcs?: readonly string[];
}

/** Exit code of the launcher when it could not join the cgroup. */
export const CGROUP_JOIN_FAILED = 125;

/**
 * The host argv: every element is fixed or a number, never caller text (which is in the script).
 * @example
 * ```ts
 * launcherArgv({ initPid: 42, shell: "/bin/bash", timeoutMs: 2_000 })
 * // => ["timeout", "-s", "KILL", "3.000s", "nsenter", "-t", "42", ..., "/bin/bash", "-c", ". /proc/self/fd/3"]
 * ```
 */
export function launcherArgv(spec: LauncherSpec): string[] {
  const watchdog = ["timeout", "-s", "KILL", `${((spec.timeoutMs + WATCHDOG_GRACE_MS) / 1000).toFixed(3)}s`];
  const enter = ["nsenter", "-t", String(spec.initPid), "-m", "-p", "-u", "-n", "-r", "-w", "--"];
  const run = [spec.shell, "-c", `. /proc/self/fd/${SCRIPT_FD}`];
  const chain = [...watchdog, ...enter, ...run];
  // Join the cgroups first (the shell's own pid, then exec), so the command and its children are limited.
  const procs = [...(spec.cgroupProcs ? [spec.cgroupProcs] : []), ...(spec.moreCgroupProcs ?? [])];
  if (procs.length === 0) return chain;
  return [
    "/bin/sh",
    "-c",
    `n=$0; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit ${CGROUP_JOIN_FAILED}; shift; n=$((n-1)); done; exec "$@"`,
    String(procs.length),
    ...procs,
    ...chain,
  ];
}
