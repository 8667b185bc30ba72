/**
 * Lifecycle of local sandboxes on disk: bring one up (layer + cgroup + init + resolv.conf/hosts) and take it down
 * (kill, unmount, remove the cgroup). The driver wraps these with locks, deadlines and Results.
 * @module
 */
import { cp, mkdir, readFile } from "node:fs/promises";
import {
  type CgroupSupport,
  cgroupPids,
  createSandboxCgroup,
  joinCgroup,
  removeSandboxCgroup,
} from "./cgroup.js";
import { SANDBOX_NAMESERVER, startNetwork, stopNetwork } from "./egress.js";
import { writeSystemFile } from "./files.js";
import type { SandboxPaths } from "./layout.js";
import { newPreviewToken, type SandboxMeta } from "./meta.js";
import { initAlive, killInit, launchInit, mountOverlay, unmountAll } from "./runtime.js";

const GiB = 1024 ** 3;

/** Prepares the sandbox's layer for the first time: overlay when possible, else a full copy. */
export async function createLayer(paths: SandboxPaths, lowerRootfs: string): Promise<"overlay" | "copy"> {
  await mkdir(paths.dir, { recursive: true });
  const overlay = await mountOverlay(paths, lowerRootfs);
  if (overlay.ok) return "overlay";
  await cp(lowerRootfs, paths.root, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
  return "copy";
}

/** Starts a stopped sandbox's processes; returns the updated record (state `started`). */
export async function bringUp(
  paths: SandboxPaths,
  meta: SandboxMeta,
  lowerRootfs: string,
  cgroups: CgroupSupport,
  readyTimeoutMs: number,
): Promise<SandboxMeta> {
  if (meta.layer === "overlay") {
    const mounted = await mountOverlay(paths, lowerRootfs);
    if (!mounted.ok) throw new Error(`Could not mount the sandbox's overlay: ${mounted.detail}`);
  }
  await writeNetworkFiles(paths.root, meta.id);
  let cgroup: string | undefined;
  let memoryLimit = meta.memoryLimit;
  let procs: string | undefined;
  try {
    const created = await createSandboxCgroup(cgroups, meta.id, Math.round(meta.memoryGiB * GiB));
    cgroup = created.dir;
    procs = created.procsFile;
    memoryLimit = `${cgroups.kind === "v2" ? "cgroup v2 memory.max" : "cgroup v1 memory.limit_in_bytes"} = ${meta.memoryGiB} GiB`;
  } catch (error) {
    memoryLimit = `not enforced: ${cgroups.kind === "none" ? cgroups.reason : (error as Error).message}`;
  }
  const init = await launchInit(paths, meta.id, readyTimeoutMs);
  try {
    await startNetwork(paths, init.pid, readyTimeoutMs);
  } catch (error) {
    // The caller's takeDown does not know this init yet: end it (and the helpers) here.
    await stopNetwork(paths).catch(() => undefined);
    await killInit(init);
    throw error;
  }
  if (cgroup !== undefined && procs !== undefined) {
    try {
      await joinCgroup({ dir: cgroup, procsFile: procs }, init.pid);
    } catch (error) {
      memoryLimit = `not enforced: ${(error as Error).message}`;
      cgroup = undefined;
    }
  }
  return {
    ...meta,
    state: "started",
    init,
    ...(cgroup !== undefined ? { cgroup } : {}),
    memoryLimit,
    previewToken: newPreviewToken(),
  };
}

/** Stops every process of the sandbox and unmounts its layer; returns the updated record (state `stopped`). */
export async function takeDown(paths: SandboxPaths, meta: SandboxMeta): Promise<SandboxMeta> {
  await stopNetwork(paths);
  const stragglers = meta.cgroup ? cgroupPids(meta.cgroup) : [];
  await killInit(meta.init, stragglers);
  if (meta.cgroup) await removeSandboxCgroup(meta.cgroup).catch(() => undefined);
  const left = await unmountAll(paths);
  if (left.length > 0) throw new Error(`Could not unmount ${left.join(", ")}`);
  const { init: _init, cgroup: _cgroup, ...rest } = meta;
  return { ...rest, state: "stopped" };
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
