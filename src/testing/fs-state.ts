import type { EmulatedDaemonCode } from "./bodies.js";
import type { FileInfo } from "./models.js";
import type { SandboxRecord } from "./types.js";

/** The emulated user's home: relative paths resolve against it, as the daemon resolves them. */
export const HOME_DIR = "/home/daytona";

/** Directories every emulated sandbox starts with. */
export const INITIAL_DIRS = ["/", "/home", HOME_DIR, "/tmp"];

/** A daemon-style failure: the status, the daemon `code` and a message. */
export interface FsFailure {
  readonly status: number;
  readonly code: EmulatedDaemonCode;
  readonly message: string;
}

type FsResult = FsFailure | undefined;

/** The daemon's `FileInfo` (the SDK's model). */
export type EmulatedFileInfo = FileInfo;

/** Resolves `path` to a normalized absolute POSIX path (relative paths start at the home directory). */
export function resolvePath(path: string, base: string = HOME_DIR): string {
  const absolute = path.startsWith("/") ? path : `${base}/${path}`;
  const parts: string[] = [];
  for (const segment of absolute.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") parts.pop();
    else parts.push(segment);
  }
  return `/${parts.join("/")}`;
}

/** The parent directory of a normalized absolute path (`/` for top-level entries). */
export function parentOf(path: string): string {
  const index = path.lastIndexOf("/");
  return index <= 0 ? "/" : path.slice(0, index);
}

function baseName(path: string): string {
  return path === "/" ? "/" : path.slice(path.lastIndexOf("/") + 1);
}

function notFound(path: string): FsFailure {
  return { status: 404, code: "FILE_NOT_FOUND", message: `file not found: ${path}` };
}

/** Creates `dir` and all its parents. Fails when a file is in the way. */
export function mkdirp(box: SandboxRecord, dir: string): FsResult {
  const chain: string[] = [];
  for (let current = dir; ; current = parentOf(current)) {
    chain.push(current);
    if (current === "/") break;
  }
  for (const candidate of chain.reverse()) {
    if (box.files.has(candidate)) {
      return { status: 400, code: "BAD_REQUEST", message: `not a directory: ${candidate}` };
    }
    box.dirs.add(candidate);
  }
  return undefined;
}

/** Writes a file, creating parent directories (as bulk-upload does). */
export function writeFile(box: SandboxRecord, path: string, bytes: Uint8Array): FsResult {
  if (box.dirs.has(path)) {
    return { status: 400, code: "BAD_REQUEST", message: `path is a directory: ${path}` };
  }
  const failure = mkdirp(box, parentOf(path));
  if (failure) return failure;
  box.files.set(path, bytes);
  return undefined;
}

/** Direct children of a directory (files and directories). */
function childrenOf(box: SandboxRecord, dir: string): string[] {
  const prefix = dir === "/" ? "/" : `${dir}/`;
  const isChild = (p: string) => p !== dir && p.startsWith(prefix) && !p.slice(prefix.length).includes("/");
  return [...box.dirs, ...box.files.keys()].filter(isChild).sort();
}

/** True when `path` is a file or directory. */
export function exists(box: SandboxRecord, path: string): boolean {
  return box.files.has(path) || box.dirs.has(path);
}

/** The daemon's FileInfo for `path`, or a 404 FILE_NOT_FOUND failure. */
export function fileInfo(box: SandboxRecord, path: string): EmulatedFileInfo | FsFailure {
  const file = box.files.get(path);
  const isDir = box.dirs.has(path);
  if (!file && !isDir) return notFound(path);
  const time = box.updatedAt;
  return {
    name: baseName(path),
    path,
    isDir,
    size: file ? file.byteLength : 4096,
    mode: isDir ? "drwxr-xr-x" : "-rw-r--r--",
    permissions: isDir ? "0755" : "0644",
    owner: "daytona",
    group: "daytona",
    modTime: time,
    modifiedAt: time,
  };
}

/**
 * Lists a directory's entries `depth` levels deep (1 = its direct children), each directory followed by its own
 * entries, names in lexical order (as the daemon's directory walk); fails with 404 (missing) / 400 (a file).
 */
export function listDir(box: SandboxRecord, dir: string, depth = 1): EmulatedFileInfo[] | FsFailure {
  if (box.files.has(dir)) {
    return { status: 400, code: "BAD_REQUEST", message: `readdirent ${dir}: not a directory` };
  }
  if (!box.dirs.has(dir)) return notFound(dir);
  const walk = (at: string, level: number): EmulatedFileInfo[] =>
    childrenOf(box, at).flatMap((child) => [
      fileInfo(box, child) as EmulatedFileInfo,
      ...(level < depth && box.dirs.has(child) ? walk(child, level + 1) : []),
    ]);
  return walk(dir, 1);
}

/** Removes a file, or a directory (only with `recursive`, even an empty one, as the daemon does). */
export function remove(box: SandboxRecord, path: string, recursive: boolean): FsResult {
  if (box.files.delete(path)) return undefined;
  if (!box.dirs.has(path)) return notFound(path);
  if (path === "/") return { status: 400, code: "BAD_REQUEST", message: "cannot delete /" };
  if (!recursive) {
    return { status: 400, code: "BAD_REQUEST", message: "cannot delete directory without recursive flag" };
  }
  const prefix = `${path}/`;
  const descendants = [...box.dirs, ...box.files.keys()].filter((p) => p.startsWith(prefix));
  for (const p of descendants) {
    box.files.delete(p);
    box.dirs.delete(p);
  }
  box.dirs.delete(path);
  return undefined;
}

/** Renames a file or a directory tree; the destination's parent must exist and the destination must not. */
export function move(box: SandboxRecord, source: string, destination: string): FsResult {
  if (!exists(box, source)) return notFound(source);
  if (!box.dirs.has(parentOf(destination))) return notFound(parentOf(destination));
  // The daemon never overwrites: an existing destination (the source itself included) is a conflict.
  if (exists(box, destination))
    return { status: 409, code: "CONFLICT", message: "destination already exists" };
  if (destination.startsWith(`${source}/`)) {
    return { status: 400, code: "BAD_REQUEST", message: `cannot move ${source} into itself` };
  }
  const file = box.files.get(source);
  if (file) {
    box.files.delete(source);
    box.files.set(destination, file);
    return undefined;
  }
  const prefix = `${source}/`;
  const rename = (p: string) => destination + p.slice(source.length);
  for (const dir of [...box.dirs].filter((p) => p === source || p.startsWith(prefix))) {
    box.dirs.delete(dir);
    box.dirs.add(rename(dir));
  }
  for (const [p, bytes] of [...box.files].filter(([p]) => p.startsWith(prefix))) {
    box.files.delete(p);
    box.files.set(rename(p), bytes);
  }
  return undefined;
}

/** True when the value is a failure rather than a result. */
export function isFsFailure(value: unknown): value is FsFailure {
  return typeof value === "object" && value !== null && "code" in value && "status" in value;
}
