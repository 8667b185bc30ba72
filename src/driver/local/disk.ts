/**
 * The disk limit of a local sandbox: its writable layer (the overlay's upper and work directories) lives on an ext4
 * filesystem in a sparse image file of the limit's size, loop-mounted inside the sandbox's folder. Writing past it
 * gives ENOSPC inside the sandbox; the host only loses what was really written (at most the limit).
 * @module
 */
import { existsSync } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { runHost } from "./host.js";
import type { SandboxPaths } from "./layout.js";
import { hostMountPoints } from "./runtime.js";

const GiB = 1024 ** 3;

/**
 * Mounts the sandbox's disk image at `paths.layer`, making the image first when it does not exist.
 * Rejects with the tool's message when the image cannot be made or mounted (no mkfs.ext4, no loop devices).
 */
export async function mountDisk(paths: SandboxPaths, diskGiB: number): Promise<void> {
  if ((await hostMountPoints()).includes(paths.layer)) return;
  if (!existsSync(paths.disk)) {
    const partial = `${paths.disk}.partial`;
    const file = await open(partial, "w", 0o600);
    try {
      await file.truncate(Math.round(diskGiB * GiB));
    } finally {
      await file.close();
    }
    // Lazy init and no discard: a fresh sparse file reads as zeros, so nothing needs writing up front.
    const made = await runHost("mkfs.ext4", [
      "-q",
      "-F",
      "-m",
      "0",
      "-E",
      "lazy_itable_init=1,lazy_journal_init=1,nodiscard",
      partial,
    ]);
    if (made.code !== 0) {
      await rm(partial, { force: true });
      throw new Error(`mkfs.ext4 failed: ${made.stderr.trim() || `exit ${made.code}`}`);
    }
    await rename(partial, paths.disk);
  }
  await mkdir(paths.layer, { recursive: true });
  // noinit_itable: the kernel need not zero inode tables in the background (which would fill the sparse file).
  // nobarrier: a sandbox's fsync (dpkg does one per file) stops at the host's page cache instead of flushing the
  // host's disk each time, which made package installs several times slower than on the host.
  const mounted = await runHost("mount", ["-o", "loop,noinit_itable,nobarrier", paths.disk, paths.layer]);
  if (mounted.code !== 0) throw new Error(`mounting the disk image failed: ${mounted.stderr.trim()}`);
  await runHost("mount", ["--make-private", paths.layer]);
}

/** The overlay directories of a sandbox whose layer is on its disk image. */
export function onDisk(paths: SandboxPaths): SandboxPaths {
  return { ...paths, upper: join(paths.layer, "upper"), work: join(paths.layer, "work") };
}
