/**
 * How many times the kernel's OOM killer fired in a cgroup: read before and after a command, a difference means the
 * command's SIGKILL was (most likely) the OOM killer's, not a `kill -9`, a deadline or a stop.
 *
 * - cgroup v1: the `oom_kill` line of `memory.oom_control` (kernels ≥ 4.13);
 * - cgroup v2: the `oom_kill` line of `memory.events` (counts the cgroup and its descendants).
 * Older v1 kernels have no counter (`memory.failcnt` counts hitting the limit, which reclaim usually survives, so it
 * cannot tell a kill): there the count is unknown and the exec facade falls back to "137 is OutOfMemory".
 * @module
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";

/** The value of the `oom_kill` line in a `memory.oom_control` or `memory.events` text; `undefined` when absent. */
export function parseOomKills(text: string): number | undefined {
  const match = /^oom_kill\s+(\d+)\s*$/m.exec(text);
  return match ? Number(match[1]) : undefined;
}

/**
 * The OOM-kill count of the cgroup directory `dir` (v1 memory or v2), or `undefined` when this kernel does not
 * expose one or the cgroup is gone.
 * @example
 * ```ts
 * const before = await readOomKills("/sys/fs/cgroup/memory/daytona-kit/lsb-0123456789ab");
 * ```
 */
export async function readOomKills(dir: string): Promise<number | undefined> {
  for (const file of ["memory.oom_control", "memory.events"]) {
    const text = await readFile(join(dir, file), "utf8").catch(() => undefined);
    if (text !== undefined) return parseOomKills(text);
  }
  return undefined;
}
