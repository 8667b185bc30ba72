/**
 * Lifecycle of local sandboxes on disk: bring one up (layer + cgroup + init + resolv.conf/hosts) and take it down
 * (kill, unmount, remove the cgroup). The driver wraps these with locks, deadlines and Results.
 * @module
 */
import { cp, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type CgroupSupport,
  cgroupPids,
  createSandboxCgroups,
  joinCgroups,
  removeCgroups,
  sandboxCgroups,
} from "./cgroup.js";
import { mountDisk, onDisk } from "./disk.js";
import { SANDBOX_NAMESERVER, startNetwork, stopNetwork } from "./egress.js";
import { writeSystemFile } from "./files.js";
import type { SandboxPaths } from "./layout.js";
import { DEFAULT_DISK_GIB } from "./limits.js";
import { newPreviewToken, type SandboxMeta } from "./meta.js";
import { sandboxProcesses } from "./processes.js";
import { initAlive, killInit, launchInit, mountOverlay, unmountAll } from "./runtime.js";

const GiB = 1024 ** 3;

/** What bringing sandboxes up and down needs to know about this driver. */
export interface SandboxHost {
  readonly cgroups: CgroupSupport;
  /** The driver home's tag in cgroup paths. */
  readonly tag: string;
  /** The `sandboxes/` folder of the home (where processes are found by their root). */
  readonly sandboxesDir: string;
  /** Processes per sandbox when its record has none (records of older versions). */
  readonly defaultPids: number;
  /** vCPUs per sandbox when its record has none. */
  readonly defaultCpu: number;
}

/**
 * Prepares the sandbox's layer for the first time: overlay when possible (its upper layer on a disk image of
 * `diskGiB` where one can be made), else a full copy. `lowers` are the image's layers, topmost first (the base root
 * filesystem last); only a single-layer image can be copied.
 */
export async function createLayer(
  paths: SandboxPaths,
  lowers: readonly string[],
  diskGiB: number,
): Promise<Pick<SandboxMeta, "layer" | "layerOnDisk" | "diskLimit">> {
  await mkdir(paths.dir, { recursive: true });
  let layerOnDisk = false;
  let diskLimit: string;
  try {
    await mountDisk(paths, diskGiB);
    layerOnDisk = true;
    diskLimit = `ext4 image of ${diskGiB} GiB`;
  } catch (error) {
    diskLimit = `not enforced: ${(error as Error).message}`;
  }
  const overlay = await mountOverlay(layerOnDisk ? onDisk(paths) : paths, lowers);
  if (overlay.ok) return { layer: "overlay", layerOnDisk, diskLimit };
  // A stacked layer holds overlayfs whiteouts that only overlayfs can apply: no copy of it would be right.
  if (lowers.length !== 1) throw new Error(`a prebaked image needs overlayfs: ${overlay.detail}`);
  await cp(lowers[0]!, paths.root, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
  return {
    layer: "copy",
    layerOnDisk: false,
    diskLimit: "not enforced: a full copy (overlayfs unavailable)",
  };
}

/**
 * Starts a stopped sandbox's processes; returns the updated record (state `started`). `lowers`: the image's layers,
 * topmost first, already mounted where they are mounts (a prebaked layer).
 */
export async function bringUp(
  paths: SandboxPaths,
  meta: SandboxMeta,
  lowers: readonly string[],
  host: SandboxHost,
  readyTimeoutMs: number,
): Promise<SandboxMeta> {
  if (meta.layer === "overlay") {
    if (meta.layerOnDisk) await mountDisk(paths, meta.diskGiB ?? DEFAULT_DISK_GIB);
    const mounted = await mountOverlay(meta.layerOnDisk ? onDisk(paths) : paths, lowers);
    if (!mounted.ok) throw new Error(`Could not mount the sandbox's overlay: ${mounted.detail}`);
  }
  await writeNetworkFiles(paths.root, meta.id);
  let groups: { dirs: readonly string[]; memory?: string } = { dirs: [] };
  let limits: string;
  try {
    const created = await createSandboxCgroups(host.cgroups, host.tag, meta.id, {
      memoryBytes: Math.round(meta.memoryGiB * GiB),
      pids: meta.pids ?? host.defaultPids,
      cpus: meta.cpu ?? host.defaultCpu,
    });
    groups = created;
    limits = created.enforced;
  } catch (error) {
    limits = `not enforced: ${host.cgroups.kind === "none" ? host.cgroups.reason : (error as Error).message}`;
  }
  const init = await launchInit(paths, meta.id, readyTimeoutMs);
  try {
    await startNetwork(paths, init.pid, readyTimeoutMs);
  } catch (error) {
    // Not recorded yet, but found anyway: the caller's takeDown kills this init by its root and command line.
    await stopNetwork(paths).catch(() => undefined);
    await killInit(init);
    throw error;
  }
  try {
    await joinCgroups(groups.dirs, init.pid);
  } catch (error) {
    limits = `not enforced: ${(error as Error).message}`;
  }
  // The init is `sleep`: tiny, but PID 1 of the sandbox. Never let the OOM killer pick it (that ends the sandbox).
  await writeFile(`/proc/${init.pid}/oom_score_adj`, "-1000").catch(() => undefined);
  return {
    ...meta,
    state: "started",
    init,
    ...(groups.memory !== undefined ? { cgroup: groups.memory } : {}),
    cgroups: groups.dirs,
    memoryLimit: limits,
    previewToken: newPreviewToken(),
  };
}

/**
 * Stops every process of the sandbox, removes its cgroups and unmounts its layer; returns the updated record (state
 * `stopped`). Everything is found from the id too, not only from the record, so this also cleans up after a crash
 * that happened before the record was updated.
 */
export async function takeDown(
  paths: SandboxPaths,
  meta: SandboxMeta,
  host: SandboxHost,
): Promise<SandboxMeta> {
  const groups = [
    ...new Set([
      ...(meta.cgroups ?? []),
      ...(meta.cgroup !== undefined ? [meta.cgroup] : []),
      ...sandboxCgroups(host.cgroups, host.tag, meta.id).dirs,
    ]),
  ];
  await stopNetwork(paths);
  await killSandboxProcesses(meta, groups, host.sandboxesDir);
  await removeCgroups(groups);
  const left = await unmountAll(paths);
  if (left.length > 0) throw new Error(`Could not unmount ${left.join(", ")}`);
  const { init: _init, cgroup: _cgroup, cgroups: _cgroups, owner: _owner, ...rest } = meta;
  return { ...rest, state: "stopped" };
}

/** Kills the init and every process found in the sandbox's cgroups or by its root, until none is left. */
async function killSandboxProcesses(
  meta: SandboxMeta,
  groups: readonly string[],
  sandboxesDir: string,
): Promise<void> {
  for (let round = 0; round < 20; round++) {
    const found = [
      ...new Set([...cgroupPids(groups), ...((await sandboxProcesses(sandboxesDir)).get(meta.id) ?? [])]),
    ];
    if (found.length === 0 && !(await initAlive(meta.init))) return;
    await killInit(meta.init, found);
    await sleep(10);
  }
}

/**
 * Removes a taken-down sandbox's folder, its record last: a crash half way leaves a folder that still has its record
 * (listed, deletable) or, after the record went, one with nothing mounted or running that `gc()` removes.
 */
export async function removeSandboxFiles(paths: SandboxPaths): Promise<void> {
  const names = await readdir(paths.dir).catch(() => [] as string[]);
  const metaName = basename(paths.meta);
  const lockName = basename(paths.lock);
  await Promise.all(
    names
      .filter((name) => name !== metaName && name !== lockName)
      .map((name) => rm(join(paths.dir, name), { recursive: true, force: true })),
  );
  await rm(paths.meta, { force: true });
  // A gc() of another process may take the (just removed) lock of this record-less folder in the meantime and
  // create its lock file again: retry, it removes only what is already gone.
  for (let attempt = 0; ; attempt++) {
    try {
      await rm(paths.dir, { recursive: true, force: true });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOTEMPTY" || attempt >= 20) throw error;
      await sleep(50);
    }
  }
}

/** The live state of a record: `started` only while its init really runs (a reboot leaves records "started"). */
export async function liveState(meta: SandboxMeta): Promise<SandboxMeta["state"]> {
  if (meta.state !== "started") return meta.state;
  return (await initAlive(meta.init)) ? "started" : "stopped";
}

/** The system CA bundle on Debian, on the host and inside the sandbox. */
export const HOST_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

/**
 * The sandbox's resolver (slirp4netns's DNS forwarder: the host's own may be a loopback address that does not exist
 * in the sandbox's namespace), a sane /etc/hosts (as Docker does) and the host's CA bundle.
 */
async function writeNetworkFiles(root: string, id: string): Promise<void> {
  const resolv = `nameserver ${SANDBOX_NAMESERVER}\n`;
  const name = id;
  const hosts = [
    "127.0.0.1\tlocalhost",
    "::1\tlocalhost ip6-localhost ip6-loopback",
    "ff02::1\tip6-allnodes",
    "ff02::2\tip6-allrouters",
    `127.0.1.1\t${name}`,
    "",
  ].join("\n");
  // The sandbox reaches the network through the host, so it trusts what the host trusts: a host behind a TLS-
  // inspecting proxy has that proxy's CA in its bundle, and without it npm or pip inside would fail.
  const trust = await readFile(HOST_CA_BUNDLE, "utf8").catch(() => undefined);
  for (const [path, text] of [
    ["/etc/resolv.conf", resolv],
    ["/etc/hosts", hosts],
    // The image keeps the build host's name; a sandbox's own name is its id (as the UTS name the init sets).
    ["/etc/hostname", `${name}\n`],
    ...(trust === undefined ? [] : ([[HOST_CA_BUNDLE, trust]] as const)),
  ] as const) {
    const written = await writeSystemFile(root, path, text);
    if (written.isErr()) throw new Error(written.error.message);
  }
}
