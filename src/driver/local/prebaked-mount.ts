/**
 * A sandbox's side of a prebaked layer: its own hard link to the layer's image (so deleting the prebaked image
 * never pulls the layer from under it) and the read-only mount whose `upper/` overlayfs stacks on the base image.
 * @module
 */
import { link, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { runHost } from "./host.js";
import type { SandboxPaths } from "./layout.js";
import { layerImage } from "./prebaked-store.js";
import { hostMountPoints } from "./runtime.js";

/**
 * Gives the sandbox its link to the layer `name` (a sparse copy where the home spans filesystems). Rejects with
 * `ENOENT` when the layer is gone.
 */
export async function linkLayer(home: string, name: string, paths: SandboxPaths): Promise<void> {
  const source = layerImage(home, name);
  try {
    await link(source, paths.prebakedImage);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return;
    if (code !== "EXDEV") throw error;
    const copy = await runHost("cp", ["--sparse=always", "--reflink=auto", source, paths.prebakedImage]);
    if (copy.code !== 0) throw new Error(`copying the prebaked layer failed: ${copy.stderr.trim()}`);
  }
}

/**
 * Mounts the sandbox's link to its layer read-only (unless mounted) and resolves to the directory overlayfs takes
 * as a lower layer. `noload`: the image was unmounted cleanly, and a read-only layer must never replay a journal.
 */
export async function mountLayer(paths: SandboxPaths): Promise<string> {
  const lower = join(paths.prebakedMount, "upper");
  if ((await hostMountPoints()).includes(paths.prebakedMount)) return lower;
  await mkdir(paths.prebakedMount, { recursive: true });
  const mounted = await runHost("mount", ["-o", "loop,ro,noload", paths.prebakedImage, paths.prebakedMount]);
  if (mounted.code !== 0) throw new Error(`mounting the prebaked layer failed: ${mounted.stderr.trim()}`);
  await runHost("mount", ["--make-private", paths.prebakedMount]);
  return lower;
}
