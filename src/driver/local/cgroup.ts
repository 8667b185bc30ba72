/**
 * Resource limits of local sandboxes through cgroups, v1 (one hierarchy per controller: `memory`, `pids`, `cpu`) or
 * v2 (one unified tree). Each sandbox gets one group per hierarchy at `daytona-kit/<home tag>/<sandbox id>`, a path
 * derived from its id alone, so a crash at any point leaves nothing `gc()` or `delete()` cannot find; the home tag
 * keeps two homes (e.g. two test files) from sweeping each other's groups.
 *
 * Every function takes the cgroup filesystem root from {@link CgroupSupport}, so the v2 writes are tested on a
 * temporary directory on machines that only have v1.
 * @module
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, rmdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** The controllers the driver limits. */
export type CgroupController = "memory" | "pids" | "cpu";

/** Which cgroup flavour can limit resources here, and with which controllers. */
export type CgroupSupport =
  | { readonly kind: "v1"; readonly root: string; readonly controllers: readonly CgroupController[] }
  | { readonly kind: "v2"; readonly root: string; readonly controllers: readonly CgroupController[] }
  | { readonly kind: "none"; readonly reason: string };

/** The limits of one sandbox. */
export interface CgroupLimits {
  readonly memoryBytes: number;
  /** Most processes (and threads) at once. */
  readonly pids: number;
  /** CPU time per period, in vCPUs (1.5 = one and a half cores). */
  readonly cpus: number;
}

const GROUP = "daytona-kit";
const CFS_PERIOD_US = 100_000;
const ALL: readonly CgroupController[] = ["memory", "pids", "cpu"];
/** The v1 file whose presence says the controller is mounted at `<root>/<controller>`. */
const V1_PROBE: Record<CgroupController, string> = {
  memory: "memory.limit_in_bytes",
  pids: "cgroup.procs",
  cpu: "cpu.cfs_quota_us",
};

/**
 * Finds usable controllers under `root` (v1 first: on hybrid hosts the v2 tree has no memory controller).
 * The memory controller is required; pids and cpu are used where present.
 */
export function detectCgroupSupport(root = "/sys/fs/cgroup"): CgroupSupport {
  if (existsSync(join(root, "memory", V1_PROBE.memory))) {
    return {
      kind: "v1",
      root,
      controllers: ALL.filter((c) => existsSync(join(root, c, V1_PROBE[c]))),
    };
  }
  const available = readOr(join(root, "cgroup.controllers"))?.split(/\s+/) ?? [];
  if (available.includes("memory")) {
    return { kind: "v2", root, controllers: ALL.filter((c) => available.includes(c)) };
  }
  return {
    kind: "none",
    reason: `no cgroup memory controller is mounted (neither v1 at ${root}/memory nor v2 with memory)`,
  };
}

/** A short tag naming a driver home in cgroup paths. */
export function homeTag(home: string): string {
  return `h${createHash("sha256").update(home).digest("hex").slice(0, 10)}`;
}

/** The groups of the home `tag` (one per hierarchy on v1), where its sandboxes' groups live. */
export function homeGroups(support: CgroupSupport, tag: string): string[] {
  if (support.kind === "none") return [];
  if (support.kind === "v2") return [join(support.root, GROUP, tag)];
  return support.controllers.map((c) => join(support.root, c, GROUP, tag));
}

/** The groups of one sandbox, and which of them holds its memory accounting. */
export interface SandboxCgroups {
  readonly dirs: readonly string[];
  readonly memory?: string;
}

/** Where sandbox `id`'s groups are (whether or not they exist). */
export function sandboxCgroups(support: CgroupSupport, tag: string, id: string): SandboxCgroups {
  if (support.kind === "none") return { dirs: [] };
  if (support.kind === "v2") {
    const dir = join(support.root, GROUP, tag, id);
    return { dirs: [dir], memory: dir };
  }
  const dirs = support.controllers.map((c) => join(support.root, c, GROUP, tag, id));
  return { dirs, memory: join(support.root, "memory", GROUP, tag, id) };
}

/**
 * Creates (or reuses) sandbox `id`'s groups with `limits`. Rejects when the cgroup filesystem refuses.
 * @returns the groups and a line saying what is enforced.
 */
export async function createSandboxCgroups(
  support: CgroupSupport,
  tag: string,
  id: string,
  limits: CgroupLimits,
): Promise<SandboxCgroups & { readonly enforced: string }> {
  if (support.kind === "none") throw new Error(support.reason);
  const groups = sandboxCgroups(support, tag, id);
  const quota = String(Math.max(1000, Math.round(limits.cpus * CFS_PERIOD_US)));
  if (support.kind === "v1") {
    for (const controller of support.controllers) {
      const dir = join(support.root, controller, GROUP, tag, id);
      await mkdir(dir, { recursive: true });
      if (controller === "memory") {
        await writeFile(join(dir, "memory.limit_in_bytes"), String(limits.memoryBytes));
        // With swap, v1 would swap instead of killing: cap memory+swap too where the kernel accounts it.
        if (existsSync(join(dir, "memory.memsw.limit_in_bytes"))) {
          await writeFile(join(dir, "memory.memsw.limit_in_bytes"), String(limits.memoryBytes)).catch(
            () => undefined,
          );
        }
      } else if (controller === "pids") {
        await writeFile(join(dir, "pids.max"), String(limits.pids));
      } else {
        await writeFile(join(dir, "cpu.cfs_period_us"), String(CFS_PERIOD_US));
        await writeFile(join(dir, "cpu.cfs_quota_us"), quota);
      }
    }
  } else {
    // v2: a controller is usable in a group only when every ancestor delegates it through subtree_control.
    const levels = [support.root, join(support.root, GROUP), join(support.root, GROUP, tag)];
    for (const level of levels) {
      await mkdir(level, { recursive: true });
      await delegate(join(level, "cgroup.subtree_control"), support.controllers);
    }
    const dir = join(support.root, GROUP, tag, id);
    await mkdir(dir, { recursive: true });
    if (support.controllers.includes("memory")) {
      await writeFile(join(dir, "memory.max"), String(limits.memoryBytes));
      await writeFile(join(dir, "memory.swap.max"), "0").catch(() => undefined);
    }
    if (support.controllers.includes("pids")) await writeFile(join(dir, "pids.max"), String(limits.pids));
    if (support.controllers.includes("cpu"))
      await writeFile(join(dir, "cpu.max"), `${quota} ${CFS_PERIOD_US}`);
  }
  const enforced = support.controllers
    .map((c) =>
      c === "memory"
        ? `memory ${limits.memoryBytes} bytes`
        : c === "pids"
          ? `${limits.pids} processes`
          : `${limits.cpus} vCPU`,
    )
    .join(", ");
  return { ...groups, enforced: `cgroup ${support.kind}: ${enforced}` };
}

async function delegate(subtreeControl: string, controllers: readonly CgroupController[]): Promise<void> {
  const current = (await readFile(subtreeControl, "utf8").catch(() => "")).split(/\s+/);
  // One controller per write: a combined write fails as a whole when one of them cannot be enabled.
  for (const controller of controllers) {
    if (!current.includes(controller)) await writeFile(subtreeControl, `+${controller}`);
  }
}

/** Moves process `pid` into every group in `dirs`. */
export async function joinCgroups(dirs: readonly string[], pid: number): Promise<void> {
  for (const dir of dirs) await writeFile(join(dir, "cgroup.procs"), String(pid));
}

/** Removes the groups once their processes are gone (retries briefly: the kernel frees them asynchronously). */
export async function removeCgroups(dirs: readonly string[]): Promise<void> {
  for (const dir of dirs) await removeCgroup(dir);
}

async function removeCgroup(dir: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
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
  throw new Error(`cgroup ${dir} still has processes`);
}

/** Pids inside any of the groups (to kill stragglers). */
export function cgroupPids(dirs: readonly string[]): number[] {
  const pids = new Set<number>();
  for (const dir of dirs) {
    for (const line of (readOr(join(dir, "cgroup.procs")) ?? "").split("\n")) {
      if (line.trim() !== "") pids.add(Number(line));
    }
  }
  return [...pids];
}

/** Ids of the sandbox groups that exist under home `tag` (in any hierarchy). */
export async function cgroupIds(support: CgroupSupport, tag: string): Promise<string[]> {
  const ids = new Set<string>();
  for (const group of homeGroups(support, tag)) {
    const entries = await readdir(group, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) if (entry.isDirectory()) ids.add(entry.name);
  }
  return [...ids];
}

function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
