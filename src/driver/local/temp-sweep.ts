/**
 * Sweeps what interrupted writes leave in a local sandbox: the driver's own `.dk-<pid>-<random>` temp files and the
 * fs facade's `.kit-tmp-…` / `.kit-parts-…` siblings. Each name records its writer's pid (the owner record); a
 * leftover is stale when that process is gone — or is a different process that started after the file was last
 * written (a recycled pid). Names without an owner (written by older versions) are stale after an hour.
 *
 * Swept at the next write into the same directory (cheap: one `readdir`, at most once per directory every few
 * seconds per process) and, for a whole tree, by {@link sweepInterruptedWrites} (the driver's `gc()`).
 * @module
 */

import { randomBytes } from "node:crypto";
import { lstat, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { SANDBOX_WORKDIR } from "../../defaults.js";
import { parseTempName } from "../temp-names.js";

/** Owner-less leftovers older than this are stale. */
const OWNERLESS_STALE_MS = 60 * 60 * 1000;
/** A writer's start time is known to about a second: a process that started this much after the write is not it. */
const START_TIME_SLACK_MS = 2_000;
/** A directory is swept again at the next write only after this long (per process). */
const RESWEEP_MS = 5_000;
/** Linux's USER_HZ: the unit of a process's start time in `/proc/<pid>/stat`. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * The driver's temp name for a write into a directory: short (never near `NAME_MAX`, whatever the destination's
 * name) and owned by this process.
 * @example
 * ```ts
 * driverTempName() // => ".dk-4242-1f0c9a2b7d4e"
 * ```
 */
export function driverTempName(pid = process.pid): string {
  return `.dk-${pid}-${randomBytes(6).toString("hex")}`;
}

/** What a leftover's name says: an owner pid, no owner (older format), or not ours at all. */
function ownerOf(name: string): { pid?: number } | undefined {
  const driver = /^\.dk-(\d{1,10})-[0-9a-f]{12}$/.exec(name);
  if (driver) return { pid: Number(driver[1]) };
  // The driver's temp names before they carried a pid: `.<name>.dk-<random>`.
  if (name.startsWith(".") && /\.dk-[0-9a-f]{12}$/.test(name)) return {};
  return parseTempName(name);
}

let bootTimeMs: number | undefined;

/** When process `pid` started (ms since the epoch), or `undefined` when it does not run. */
async function processStartedAt(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (stat === undefined) return undefined;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (fields[0] === "Z" || fields[0] === "X") return undefined;
  if (bootTimeMs === undefined) {
    const btime = /^btime (\d+)$/m.exec(await readFile("/proc/stat", "utf8"))?.[1];
    bootTimeMs = Number(btime ?? 0) * 1000;
  }
  return bootTimeMs + (Number(fields[19]) / CLOCK_TICKS_PER_SECOND) * 1000;
}

/** Whether the leftover `name`, last modified at `mtimeMs`, belongs to no running writer. */
async function isStale(owner: { pid?: number }, mtimeMs: number, now: number): Promise<boolean> {
  if (owner.pid === undefined) return now - mtimeMs > OWNERLESS_STALE_MS;
  const started = await processStartedAt(owner.pid);
  return started === undefined || started > mtimeMs + START_TIME_SLACK_MS;
}

/** Removes the stale leftovers directly inside host directory `dir`. Resolves to how many were removed. */
export async function sweepDirectory(dir: string): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const now = Date.now();
  let removed = 0;
  for (const name of names) {
    const owner = ownerOf(name);
    if (!owner) continue;
    const path = join(dir, name);
    const info = await lstat(path).catch(() => undefined);
    if (!info || info.isSymbolicLink()) continue;
    if (!(await isStale(owner, info.mtimeMs, now))) continue;
    await rm(path, { recursive: true, force: true }).catch(() => undefined);
    removed++;
  }
  return removed;
}

const lastSwept = new Map<string, number>();

/** Sweeps `dir` before a write into it, unless this process did so moments ago. Never fails the write. */
export async function sweepBeforeWrite(dir: string): Promise<void> {
  const now = Date.now();
  if (now - (lastSwept.get(dir) ?? 0) < RESWEEP_MS) return;
  lastSwept.set(dir, now);
  if (lastSwept.size > 1_000) lastSwept.clear();
  await sweepDirectory(dir).catch(() => undefined);
}

/**
 * Removes every stale temp and part file of interrupted writes under `under` (default `/workspace`) of a sandbox
 * whose root (or overlay upper directory) is the host directory `root`. Symlinks are never followed. Resolves to
 * how many leftovers were removed. For the driver's `gc()`.
 *
 * @example
 * ```ts
 * const removed = await sweepInterruptedWrites(sandboxPaths(home, id).root);
 * ```
 */
export async function sweepInterruptedWrites(root: string, under = SANDBOX_WORKDIR): Promise<number> {
  // Every component of `under` must be a real directory inside the root: a symlink would lead the sweep elsewhere.
  let start = root;
  for (const component of under.split("/").filter((c) => c !== "" && c !== ".")) {
    if (component === "..") return 0;
    start = join(start, component);
    const info = await lstat(start).catch(() => undefined);
    if (!info?.isDirectory()) return 0;
  }
  let removed = 0;
  const pending = [start];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    removed += await sweepDirectory(dir);
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) if (entry.isDirectory()) pending.push(join(dir, entry.name));
  }
  return removed;
}
