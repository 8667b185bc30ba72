/**
 * File operations on a local sandbox's root, done from the host.
 *
 * Paths are resolved the way the sandbox itself sees them: one component at a time, symlinks followed with the
 * sandbox root as `/` (an absolute target restarts at the sandbox root, `..` stops at it). So a symlink
 * `/workspace/evil -> /etc` inside the sandbox leads to the sandbox's `/etc`, never the host's, and no path can
 * resolve outside the root. Files are written to a temp file opened with `wx` (never through a symlink) and renamed
 * into place; reads open with `O_NOFOLLOW`.
 * @module
 */

import { constants, createReadStream, createWriteStream } from "node:fs";
import {
  chmod,
  lstat,
  mkdir,
  open,
  readdir,
  readlink,
  realpath,
  rename,
  rm,
  rmdir,
  stat,
} from "node:fs/promises";
import { dirname, join, posix } from "node:path";
import { pipeline } from "node:stream/promises";
import { err, ok, type Result } from "neverthrow";
import { type KitError, kitError } from "../../errors.js";
import type { DownloadOutcome, FileEntry, UploadEntry } from "../types.js";
import { driverTempName, sweepBeforeWrite } from "./temp-sweep.js";

const MAX_SYMLINK_HOPS = 40;

/** A path resolved inside the sandbox root. */
interface Resolved {
  /** Host path (inside the root). */
  readonly host: string;
  /** The same place as the sandbox sees it. */
  readonly inside: string;
}

/** Fails with a code like the kernel's, so callers map it in one place. */
class PathError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Resolves sandbox path `path` under the host directory `root`.
 * - `followLast`: follow a symlink at the last component (reads, writes) or not (delete, move, list entries).
 * - `createParents`: create missing directories on the way (mode 755), never through a symlink.
 */
async function resolveInRoot(
  root: string,
  path: string,
  options: { followLast: boolean; createParents?: boolean },
): Promise<Resolved> {
  if (!path.startsWith("/") || path.includes("\0")) {
    throw new PathError(
      "EINVAL",
      `Expected an absolute path without NUL bytes, got ${JSON.stringify(path)}.`,
    );
  }
  const pending = path.split("/").filter((c) => c !== "" && c !== ".");
  const resolved: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const component = pending.shift()!;
    if (component === "..") {
      resolved.pop();
      continue;
    }
    if (component === ".") continue;
    const isLast = pending.length === 0;
    const host = join(root, ...resolved, component);
    const info = await lstat(host).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw error;
    });
    if (info === undefined) {
      if (isLast || !options.createParents) {
        // The rest does not exist: the caller creates the last part (or reports NotFound).
        resolved.push(component, ...pending.filter((c) => c !== "."));
        if (pending.includes("..")) throw new PathError("ENOENT", `No such file or directory: ${path}`);
        break;
      }
      await mkdir(host, { mode: 0o755 }).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "EEXIST") throw error;
      });
      pending.unshift(component);
      continue;
    }
    if (info.isSymbolicLink() && (!isLast || options.followLast)) {
      if (++hops > MAX_SYMLINK_HOPS) throw new PathError("ELOOP", `Too many symbolic links in ${path}.`);
      const target = await readlink(host);
      if (target.startsWith("/")) resolved.length = 0;
      pending.unshift(...target.split("/").filter((c) => c !== "" && c !== "."));
      continue;
    }
    if (!isLast && !info.isDirectory())
      throw new PathError("ENOTDIR", `Not a directory: ${posix.join("/", ...resolved, component)}`);
    resolved.push(component);
  }
  return { host: join(root, ...resolved), inside: posix.join("/", ...resolved) };
}

/** Re-checks, right before a write lands, that the real parent directory is still inside the root. */
async function assertInside(root: string, hostDir: string): Promise<void> {
  const [realRoot, realDir] = await Promise.all([realpath(root), realpath(hostDir)]);
  if (realDir !== realRoot && !realDir.startsWith(`${realRoot}/`)) {
    throw new PathError("EXDEV", "The directory left the sandbox root while being written.");
  }
}

/** What the kernel's error codes mean, worded without the host path Node puts in its messages. */
const CODE_TEXT: Readonly<Record<string, string>> = {
  EISDIR: "Is a directory",
  ENOTDIR: "Not a directory",
  ENOTEMPTY: "Directory not empty",
  EEXIST: "File exists",
  ELOOP: "Too many levels of symbolic links",
  ENAMETOOLONG: "File name too long",
  EACCES: "Permission denied",
  EPERM: "Operation not permitted",
  ENOSPC: "No space left on device",
  EDQUOT: "Disk quota exceeded",
  EROFS: "Read-only file system",
  EBUSY: "Device or resource busy",
  EINVAL: "Invalid argument",
};

/**
 * The error as the sandbox would word it: our own messages as they are, the kernel's by their code, and any host
 * path of the sandbox root cut back to the sandbox path it stands for.
 */
function insideView(error: unknown, hostRoot: string): { message: string; cause: unknown } {
  const code = (error as NodeJS.ErrnoException).code;
  const raw = (error as Error).message ?? String(error);
  const message = error instanceof PathError ? raw : code ? (CODE_TEXT[code] ?? code) : raw;
  const hide = (text: string) => (hostRoot === "" ? text : text.replaceAll(hostRoot, ""));
  if (!(error instanceof Error)) return { message: hide(message), cause: error };
  const cause = Object.assign(new Error(hide(raw)), { code, name: error.name });
  return { message: hide(message), cause };
}

/** Maps a file-system failure to a KitError about `path` (never mentioning the host path of the sandbox). */
function toKitError(error: unknown, path: string, hostRoot: string): KitError {
  const code = (error as NodeJS.ErrnoException).code;
  const { message, cause } = insideView(error, hostRoot);
  switch (code) {
    case "ENOENT":
      return kitError.notFound("file", path, cause);
    case "EXDEV":
      return kitError.pathOutsideRoot(path, "/");
    case "EINVAL":
    case "EISDIR":
    case "ENOTDIR":
    case "ENOTEMPTY":
    case "EEXIST":
    case "ELOOP":
    case "ENAMETOOLONG":
      return kitError.invalidArgument("path", `${path}: ${message}`, { cause });
    default:
      return kitError.unexpected(`File operation on ${path} failed: ${message}`, { cause });
  }
}

async function attempt<T>(root: string, path: string, task: () => Promise<T>): Promise<Result<T, KitError>> {
  try {
    return ok(await task());
  } catch (error) {
    return err(toKitError(error, path, root.replace(/\/+$/, "")));
  }
}

/** Writes `data` to a temp file next to `target` and renames it into place, keeping an existing file's mode. */
async function writeAtomically(
  root: string,
  target: string,
  fill: (tempPath: string) => Promise<void>,
): Promise<void> {
  const existing = await lstat(target).catch(() => undefined);
  if (existing?.isDirectory()) throw new PathError("EISDIR", "Is a directory");
  // Leftovers of writers that died mid-write go first; the temp name is short whatever the target's name.
  await sweepBeforeWrite(dirname(target));
  const temp = join(dirname(target), driverTempName());
  try {
    await fill(temp);
    if (existing?.isFile()) await chmod(temp, existing.mode & 0o7777);
    await assertInside(root, dirname(target));
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Uploads every entry (parents are created, like Daytona's bulk upload). Stops at the first failure. */
export async function uploadFiles(
  root: string,
  files: readonly UploadEntry[],
  signal?: AbortSignal,
): Promise<Result<void, KitError>> {
  for (const file of files) {
    if (signal?.aborted) return err(kitError.aborted("uploadFiles", signal.reason));
    const written = await attempt(root, file.path, async () => {
      const target = await resolveInRoot(root, file.path, { followLast: true, createParents: true });
      await writeAtomically(root, target.host, async (temp) => {
        const handle = await open(temp, "wx", 0o644);
        try {
          await handle.writeFile(file.data);
        } finally {
          await handle.close();
        }
      });
    });
    if (written.isErr()) return written;
  }
  return ok(undefined);
}

/** Streams a host file into the sandbox at `remotePath`. */
export async function uploadLocalFile(
  root: string,
  localPath: string,
  remotePath: string,
): Promise<Result<void, KitError>> {
  const source = await stat(localPath).catch(() => undefined);
  if (!source?.isFile()) return err(kitError.notFound("local file", localPath));
  return attempt(root, remotePath, async () => {
    const target = await resolveInRoot(root, remotePath, { followLast: true, createParents: true });
    await writeAtomically(root, target.host, (temp) =>
      pipeline(createReadStream(localPath), createWriteStream(temp, { flags: "wx", mode: 0o644 })),
    );
  });
}

/** Reads each path; a missing one is a per-path `NotFound`. */
export async function downloadFiles(root: string, paths: readonly string[]): Promise<DownloadOutcome[]> {
  const outcomes: DownloadOutcome[] = [];
  for (const path of paths) {
    const read = await attempt(root, path, async () => {
      const target = await resolveInRoot(root, path, { followLast: true });
      const handle = await open(target.host, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        if (!(await handle.stat()).isFile()) throw new PathError("EISDIR", "Is a directory");
        return new Uint8Array(await handle.readFile());
      } finally {
        await handle.close();
      }
    });
    outcomes.push(
      read.isOk() ? { path, ok: true, data: read.value } : { path, ok: false, error: read.error },
    );
  }
  return outcomes;
}

function entryOf(name: string, insidePath: string, info: Awaited<ReturnType<typeof lstat>>): FileEntry {
  return {
    name,
    path: insidePath,
    isDir: info.isDirectory(),
    size: Number(info.size),
    mode: (Number(info.mode) & 0o777).toString(8),
    modifiedAt: info.mtime.toISOString(),
  };
}

/** Lists one directory level (entries are not followed: a symlink is listed as itself). */
export async function listFiles(root: string, path: string): Promise<Result<FileEntry[], KitError>> {
  return attempt(root, path, async () => {
    const dir = await resolveInRoot(root, path, { followLast: true });
    const names = (await readdir(dir.host)).sort();
    const requested = posix.normalize(path);
    const entries: FileEntry[] = [];
    for (const name of names) {
      const info = await lstat(join(dir.host, name)).catch(() => undefined);
      if (info) entries.push(entryOf(name, posix.join(requested, name), info));
    }
    return entries;
  });
}

/** Details of one path. */
export async function fileInfo(root: string, path: string): Promise<Result<FileEntry, KitError>> {
  return attempt(root, path, async () => {
    const target = await resolveInRoot(root, path, { followLast: true });
    const info = await lstat(target.host);
    const requested = posix.normalize(path);
    return entryOf(posix.basename(requested) || "/", requested, info);
  });
}

/** Creates a directory and its parents; an existing directory is fine. */
export async function createFolder(
  root: string,
  path: string,
  mode: string,
): Promise<Result<void, KitError>> {
  if (!/^[0-7]{3,4}$/.test(mode)) {
    return err(
      kitError.invalidArgument("mode", `mode must be octal like "755", got ${JSON.stringify(mode)}.`),
    );
  }
  return attempt(root, path, async () => {
    const target = await resolveInRoot(root, path, { followLast: true, createParents: true });
    const existing = await lstat(target.host).catch(() => undefined);
    if (existing?.isDirectory()) return;
    if (existing) throw new PathError("EEXIST", "A file with that name exists");
    await assertInside(root, dirname(target.host));
    await sweepBeforeWrite(dirname(target.host));
    await mkdir(target.host);
    await chmod(target.host, Number.parseInt(mode, 8));
  });
}

/** Deletes a file (or a symlink itself), or a directory: empty unless `recursive`. */
export async function deleteFile(
  root: string,
  path: string,
  recursive: boolean,
): Promise<Result<void, KitError>> {
  return attempt(root, path, async () => {
    const target = await resolveInRoot(root, path, { followLast: false });
    if (target.inside === "/") throw new PathError("EINVAL", "Refusing to delete the sandbox root");
    const info = await lstat(target.host);
    await assertInside(root, dirname(target.host));
    if (info.isDirectory()) {
      if (recursive) await rm(target.host, { recursive: true, force: false });
      else await rmdir(target.host);
    } else {
      await rm(target.host);
    }
  });
}

/** Renames `source` to `destination` (the destination's parent must exist). */
export async function moveFile(
  root: string,
  source: string,
  destination: string,
  overwrite = false,
): Promise<Result<void, KitError>> {
  const from = await attempt(root, source, async () => {
    const resolved = await resolveInRoot(root, source, { followLast: false });
    await lstat(resolved.host);
    return resolved;
  });
  if (from.isErr()) return err(from.error);
  const moved = await attempt(root, destination, async () => {
    const to = await resolveInRoot(root, destination, { followLast: false });
    if (from.value.inside === "/" || to.inside === "/")
      throw new PathError("EINVAL", "Cannot move the sandbox root");
    await assertInside(root, dirname(from.value.host));
    await assertInside(root, dirname(to.host));
    const existing = await lstat(to.host).catch(() => undefined);
    // As Daytona's daemon: a plain move never overwrites; a replace puts a file over a file, never a directory.
    if (existing && !overwrite) return "exists" as const;
    if (existing?.isDirectory()) throw new PathError("EISDIR", "Is a directory");
    await sweepBeforeWrite(dirname(to.host));
    await rename(from.value.host, to.host);
    return "moved" as const;
  });
  if (moved.isErr()) return err(moved.error);
  return moved.value === "exists"
    ? err(kitError.conflict(`Cannot move ${source} to ${destination}: destination already exists`))
    : ok(undefined);
}

/** Writes a small file the driver manages itself (`/etc/resolv.conf`, `/etc/hosts`), safely. */
export async function writeSystemFile(
  root: string,
  path: string,
  text: string,
): Promise<Result<void, KitError>> {
  return uploadFiles(root, [{ path, data: new TextEncoder().encode(text) }]);
}
