/**
 * The guard that keeps every command inside its sandbox. `nsenter -r` takes the root of the target process: if that
 * process is not (yet, or any more) chrooted into the sandbox — an init still setting up, or a recycled pid — the
 * command would run on the host's `/`. Before entering, the root the target really has (`/proc/<pid>/root/`) is
 * compared by device and inode with the sandbox's mounted root.
 * @module
 */
import { stat } from "node:fs/promises";
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../../errors.js";

/** Device and inode of `path` (followed), or `undefined` when it cannot be read. */
async function identity(path: string): Promise<string | undefined> {
  const info = await stat(path, { bigint: true }).catch(() => undefined);
  return info === undefined ? undefined : `${info.dev}:${info.ino}`;
}

/**
 * Ok when process `pid` has `root` (the host path of the sandbox's root) as its `/`; a `Conflict` otherwise, so the
 * caller refuses to run the command rather than running it elsewhere.
 */
export async function checkSandboxRoot(pid: number, root: string): Promise<Result<void, KitError>> {
  const [actual, expected] = await Promise.all([identity(`/proc/${pid}/root/`), identity(`${root}/`)]);
  if (actual !== undefined && expected !== undefined && actual === expected) return ok(undefined);
  return err(
    kitError.conflict(
      actual === undefined
        ? "The sandbox's init is gone; the command was not run. Start the sandbox again."
        : "The sandbox's init is not inside the sandbox's root filesystem; the command was not run.",
    ),
  );
}
