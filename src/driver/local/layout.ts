/**
 * Where the local driver keeps its state on disk. Everything lives under one home directory, outside the repo:
 *
 * ```text
 * $DAYTONA_KIT_HOME/                     (default ~/.cache/daytona-kit)
 *   debs/                                 debootstrap's package cache (makes a rebuild quick)
 *   images/<key>/rootfs/                  a finished base root filesystem (read-only lower layer)
 *   images/<key>.partial-<pid>/           a build in progress (renamed into place when complete)
 *   images/<key>.lock                     held while one process builds <key>
 *   sandboxes/<id>/meta.json              what the driver knows about one sandbox
 *   sandboxes/<id>/disk.img                the writable layer's filesystem (sparse ext4 image, the disk limit)
 *   sandboxes/<id>/layer/upper, work/      the sandbox's copy-on-write layer (overlayfs), on disk.img mounted at layer/
 *   sandboxes/<id>/upper, work/            the same where no disk image could be made (no disk limit)
 *   sandboxes/<id>/root/                  the merged root the sandbox sees as `/`
 *   sandboxes/<id>/exec/                  short-lived output files of running commands
 *   sandboxes/<id>/net/                   network helpers' record (net.json), pinned netns (ns), egress.log
 *   sandboxes/<id>/prebaked.img            a hard link to its prebaked layer's image (sandboxes of a prebaked image)
 *   sandboxes/<id>/prebaked/               where that image is mounted read-only (its upper/ is a lower layer)
 *   names/<name>/<n>                      claims of a sandbox name (see names.ts); the highest n decides
 *   prebaked/<name>/                       prebaked layers (see prebaked-store.ts)
 * ```
 * @module
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** The directory names and files of one sandbox. */
export interface SandboxPaths {
  readonly dir: string;
  readonly meta: string;
  readonly lock: string;
  readonly upper: string;
  readonly work: string;
  readonly root: string;
  readonly exec: string;
  readonly initLog: string;
  /** The sparse filesystem image that holds the writable layer (its size is the disk limit). */
  readonly disk: string;
  /** Where the image is mounted. */
  readonly layer: string;
  /** The sandbox's link to its prebaked layer's image (sandboxes of a prebaked image only). */
  readonly prebakedImage: string;
  /** Where that image is mounted read-only. */
  readonly prebakedMount: string;
}

/**
 * The local driver's home: `home` when given, else `$DAYTONA_KIT_HOME`, else `~/.cache/daytona-kit`.
 * @example
 * ```ts
 * kitHome() // => "/root/.cache/daytona-kit"
 * ```
 */
export function kitHome(home?: string): string {
  const chosen = home ?? process.env.DAYTONA_KIT_HOME;
  if (chosen !== undefined && chosen !== "") return resolve(chosen);
  return join(homedir(), ".cache", "daytona-kit");
}

/** Where images and their locks live. */
export function imagesDir(home: string): string {
  return join(home, "images");
}

/** Where sandboxes live. */
export function sandboxesDir(home: string): string {
  return join(home, "sandboxes");
}

/** Every path of sandbox `id` under `home`. */
export function sandboxPaths(home: string, id: string): SandboxPaths {
  const dir = join(sandboxesDir(home), id);
  return {
    dir,
    meta: join(dir, "meta.json"),
    lock: join(dir, "lifecycle.lock"),
    upper: join(dir, "upper"),
    work: join(dir, "work"),
    root: join(dir, "root"),
    exec: join(dir, "exec"),
    initLog: join(dir, "init.log"),
    disk: join(dir, "disk.img"),
    layer: join(dir, "layer"),
    prebakedImage: join(dir, "prebaked.img"),
    prebakedMount: join(dir, "prebaked"),
  };
}

/** Sandbox ids are ours (`lsb-` + hex); anything else is refused before it becomes a path. */
export const SANDBOX_ID_PATTERN = /^lsb-[0-9a-f]{12}$/;
