/**
 * The on-disk record of one local sandbox (`sandboxes/<id>/meta.json`). Every Node process reads the same records,
 * so a sandbox created by one process is found, started, stopped and deleted by another.
 * @module
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { SandboxInfo } from "../types.js";
import { SANDBOX_ID_PATTERN, sandboxesDir, sandboxPaths } from "./layout.js";

/** What the driver stores about one sandbox. */
export interface SandboxMeta {
  readonly version: 1;
  readonly id: string;
  readonly name?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly image: string;
  readonly imageKey: string;
  /**
   * `started` or `stopped` once created; `creating` from the moment the record exists (before anything is mounted or
   * started for it) until create finishes. A `creating` record whose {@link SandboxMeta.owner} died is reported as
   * `error` ("creation interrupted") and removed by `delete()`, `deleteAll()` and `gc()`.
   */
  readonly state: "creating" | "started" | "stopped";
  /** The process creating the sandbox (set while `creating`): pid and start time, to tell a crash from a create. */
  readonly owner?: { readonly pid: number; readonly startTime: string };
  readonly target: "local";
  readonly memoryGiB: number;
  /** CPU quota in vCPUs (absent on records of older versions). */
  readonly cpu?: number;
  /** Size limit of the writable layer in GiB (absent on records of older versions). */
  readonly diskGiB?: number;
  /** Most processes at once (absent on records of older versions). */
  readonly pids?: number;
  /** How the memory limit is enforced, or why it is not. */
  readonly memoryLimit: string;
  readonly createdAt: string;
  /** Regenerated on every start, like Daytona's preview token. */
  readonly previewToken: string;
  readonly envVars: Readonly<Record<string, string>>;
  /** `overlay` (copy-on-write over the image) or `copy` (a full copy, where overlayfs is unavailable). */
  readonly layer: "overlay" | "copy";
  /** Whether the overlay's upper layer lives on the sandbox's disk image (`disk.img`, the disk limit). */
  readonly layerOnDisk?: boolean;
  /** How the disk limit is enforced, or why it is not. */
  readonly diskLimit?: string;
  /**
   * The prebaked image the sandbox was created from: its layer (the sandbox's `prebaked.img`) is stacked on the
   * root filesystem of `imageKey`, which belongs to `baseImage`.
   */
  readonly prebaked?: { readonly name: string; readonly baseImage: string };
  /** The sandbox's PID-namespace init while started: host pid and its start time (guards against pid reuse). */
  readonly init?: { readonly pid: number; readonly startTime: string };
  /** The memory cgroup directory holding the sandbox's processes while started. */
  readonly cgroup?: string;
  /** Every cgroup directory of the sandbox (one per controller on cgroup v1) while started. */
  readonly cgroups?: readonly string[];
}

/** A fresh sandbox id: `lsb-` and 12 hex digits. */
export function newSandboxId(): string {
  return `lsb-${randomBytes(6).toString("hex")}`;
}

/** A fresh preview token. */
export function newPreviewToken(): string {
  return randomBytes(16).toString("hex");
}

/** Reads the record of `id`; `undefined` when there is none (or the id is not one of ours). */
export async function readMeta(home: string, id: string): Promise<SandboxMeta | undefined> {
  if (!SANDBOX_ID_PATTERN.test(id)) return undefined;
  const text = await readFile(sandboxPaths(home, id).meta, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as SandboxMeta;
  } catch {
    return undefined;
  }
}

/** Writes the record atomically (temp file + rename), so a reader never sees half a file. */
export async function writeMeta(home: string, meta: SandboxMeta): Promise<void> {
  const path = sandboxPaths(home, meta.id).meta;
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}`;
  await writeFile(temp, `${JSON.stringify(meta, null, 2)}\n`);
  await rename(temp, path);
}

/**
 * Records a new sandbox before anything else exists for it: the record is written into a staging folder that is then
 * renamed to the sandbox's folder, so a sandbox folder never exists without its record (a crash leaves at most a
 * staging folder named after its dead creator, which `gc()` removes).
 */
export async function recordNewSandbox(home: string, meta: SandboxMeta): Promise<void> {
  const staging = stagingDir(home, meta.id, process.pid);
  await mkdir(staging, { recursive: true });
  await writeFile(join(staging, "meta.json"), `${JSON.stringify(meta, null, 2)}\n`);
  await rename(staging, sandboxPaths(home, meta.id).dir);
}

/** Staging folders (`.new-<id>-<pid>`) under `home` with their creator's pid. */
export async function stagingDirs(home: string): Promise<{ path: string; pid: number }[]> {
  const names = await readdir(sandboxesDir(home)).catch(() => [] as string[]);
  return names.flatMap((name) => {
    const match = /^\.new-lsb-[0-9a-f]{12}-(\d+)$/.exec(name);
    return match ? [{ path: join(sandboxesDir(home), name), pid: Number(match[1]) }] : [];
  });
}

function stagingDir(home: string, id: string, pid: number): string {
  return join(sandboxesDir(home), `.new-${id}-${pid}`);
}

/** Every readable record under `home`, oldest first (half-created ones included). */
export async function listMetas(home: string): Promise<SandboxMeta[]> {
  const names = await readdir(sandboxesDir(home)).catch(() => [] as string[]);
  const metas = await Promise.all(
    names.filter((n) => SANDBOX_ID_PATTERN.test(n)).map((n) => readMeta(home, n)),
  );
  return metas
    .filter((m): m is SandboxMeta => m !== undefined)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** The port's view of a record (`errorReason` for records in `error`). */
export function toSandboxInfo(
  meta: Omit<SandboxMeta, "state"> & { readonly state: SandboxMeta["state"] | "error" },
  errorReason?: string,
): SandboxInfo {
  return {
    id: meta.id,
    ...(meta.name !== undefined ? { name: meta.name } : {}),
    state: meta.state,
    target: meta.target,
    labels: { ...meta.labels },
    memoryGiB: meta.memoryGiB,
    ...(meta.cpu !== undefined ? { cpu: meta.cpu } : {}),
    ...(meta.diskGiB !== undefined ? { diskGiB: meta.diskGiB } : {}),
    ...(errorReason !== undefined ? { errorReason } : {}),
  };
}

/** The path of the record file (for diagnostics). */
export function metaPath(home: string, id: string): string {
  return join(sandboxesDir(home), id, "meta.json");
}
