/**
 * The on-disk record of one local sandbox (`sandboxes/<id>/meta.json`). Every Node process reads the same records,
 * so a sandbox created by one process is found, started, stopped and deleted by another.
 * @module
 */
import { randomBytes } from "node:crypto";
import { readdir, readFile, rename, writeFile } from "node:fs/promises";
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
  /** `started` or `stopped` once created; `creating` only while create runs. */
  readonly state: "creating" | "started" | "stopped";
  readonly target: "local";
  readonly memoryGiB: number;
  /** How the memory limit is enforced, or why it is not. */
  readonly memoryLimit: string;
  readonly createdAt: string;
  /** Regenerated on every start, like Daytona's preview token. */
  readonly previewToken: string;
  readonly envVars: Readonly<Record<string, string>>;
  /** `overlay` (copy-on-write over the image) or `copy` (a full copy, where overlayfs is unavailable). */
  readonly layer: "overlay" | "copy";
  /** The sandbox's PID-namespace init while started: host pid and its start time (guards against pid reuse). */
  readonly init?: { readonly pid: number; readonly startTime: string };
  /** The cgroup directory holding the sandbox's processes while started. */
  readonly cgroup?: string;
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

/** Every readable record under `home`, oldest first. */
export async function listMetas(home: string): Promise<SandboxMeta[]> {
  const names = await readdir(sandboxesDir(home)).catch(() => [] as string[]);
  const metas = await Promise.all(
    names.filter((n) => SANDBOX_ID_PATTERN.test(n)).map((n) => readMeta(home, n)),
  );
  return metas
    .filter((m): m is SandboxMeta => m !== undefined && m.state !== "creating")
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** The port's view of a record. */
export function toSandboxInfo(meta: SandboxMeta): SandboxInfo {
  return {
    id: meta.id,
    ...(meta.name !== undefined ? { name: meta.name } : {}),
    state: meta.state,
    target: meta.target,
    labels: { ...meta.labels },
    memoryGiB: meta.memoryGiB,
  };
}

/** The path of the record file (for diagnostics). */
export function metaPath(home: string, id: string): string {
  return join(sandboxesDir(home), id, "meta.json");
}
