/**
 * Memory limits for local sandboxes through cgroups: v1's memory controller (`memory.limit_in_bytes`) or v2's
 * `memory.max`. A command that allocates past the limit is OOM-killed and ends with exit 137, as in Daytona's 1 GiB
 * sandboxes. Where neither is usable, sandboxes run unlimited and the driver says so.
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, rmdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** Which cgroup flavour can limit memory here. */
export type CgroupSupport =
  | { readonly kind: "v1"; readonly base: string }
  | { readonly kind: "v2"; readonly base: string }
  | { readonly kind: "none"; readonly reason: string };

const V1_MEMORY = "/sys/fs/cgroup/memory";
const V2_ROOT = "/sys/fs/cgroup";
const GROUP = "daytona-kit";

/** Finds a usable memory controller (v1 first: on hybrid hosts v2 has no memory controller). */
export function detectCgroupSupport(): CgroupSupport {
  if (existsSync(join(V1_MEMORY, "memory.limit_in_bytes")))
    return { kind: "v1", base: join(V1_MEMORY, GROUP) };
  const controllers = readOr(join(V2_ROOT, "cgroup.controllers"));
  if (controllers?.split(/\s+/).includes("memory")) return { kind: "v2", base: join(V2_ROOT, GROUP) };
  return {
    kind: "none",
    reason: "no cgroup memory controller is mounted (neither v1 at /sys/fs/cgroup/memory nor v2 with memory)",
  };
}

/** A sandbox's cgroup: where to write pids to put processes under its limit. */
export interface SandboxCgroup {
  readonly dir: string;
  readonly procsFile: string;
}

/**
 * Creates (or reuses) the cgroup of sandbox `id` with a memory limit of `bytes`.
 * Rejects when the cgroup filesystem refuses (the caller reports that as "limit unavailable").
 */
export async function createSandboxCgroup(
  support: CgroupSupport,
  id: string,
  bytes: number,
): Promise<SandboxCgroup> {
  if (support.kind === "none") throw new Error(support.reason);
  const dir = join(support.base, id);
  if (support.kind === "v1") {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "memory.limit_in_bytes"), String(bytes));
    // With swap, v1 would swap instead of killing: cap memory+swap too where the kernel accounts it.
    if (existsSync(join(dir, "memory.memsw.limit_in_bytes"))) {
      await writeFile(join(dir, "memory.memsw.limit_in_bytes"), String(bytes)).catch(() => undefined);
    }
  } else {
    await mkdir(support.base, { recursive: true });
    await enableMemoryController(join(V2_ROOT, "cgroup.subtree_control"));
    await enableMemoryController(join(support.base, "cgroup.subtree_control"));
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "memory.max"), String(bytes));
    if (existsSync(join(dir, "memory.swap.max"))) {
      await writeFile(join(dir, "memory.swap.max"), "0").catch(() => undefined);
    }
  }
  return { dir, procsFile: join(dir, "cgroup.procs") };
}

async function enableMemoryController(subtreeControl: string): Promise<void> {
  const current = await readFile(subtreeControl, "utf8").catch(() => "");
  if (!current.split(/\s+/).includes("memory")) await writeFile(subtreeControl, "+memory");
}

/** Moves process `pid` into the cgroup. */
export async function joinCgroup(cgroup: SandboxCgroup, pid: number): Promise<void> {
  await writeFile(cgroup.procsFile, String(pid));
}

/** Removes the cgroup once its processes are gone (retries briefly: the kernel frees it asynchronously). */
export async function removeSandboxCgroup(dir: string): Promise<void> {
  for (let attempt = 0; attempt < 25; attempt++) {
    try {
      await rmdir(dir);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return;
      if (code !== "EBUSY") throw error;
      await sleep(40);
    }
  }
}

/** Pids still inside the cgroup (used to kill stragglers on stop). */
export function cgroupPids(dir: string): number[] {
  const text = readOr(join(dir, "cgroup.procs")) ?? "";
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map(Number);
}

function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
