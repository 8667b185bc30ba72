/**
 * The toolbox routes of the driver back end: files and `process/execute` on a driver's real sandbox (the record's
 * id is the sandbox's), answered with the daemon's codes (`driver-answers.ts`).
 * @module
 */
import type { SandboxDriver } from "../../driver/types.js";
import { kitError } from "../../errors.js";
import type { CommandOutcome } from "../command-types.js";
import { type FsFailure, resolvePath } from "../fs-state.js";
import type { FileInfo } from "../models.js";
import type { DownloadPart } from "../multipart.js";
import { daemonFailureOf, downloadErrorOf, fileInfoOf } from "./driver-answers.js";
import type { ToolboxBackend } from "./toolbox-backend.js";

/** `process/execute` without a timeout (Daytona waits for ever) still ends. */
const DEFAULT_EXEC_MS = 3_600_000;
/** Longest timer Node can hold. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Most output one `process/execute` answers (its tail). */
const MAX_OUTPUT_BYTES = 10 * 1024 * 1024;

/** The file and command operations of a {@link ToolboxBackend}, over `driver`; relative paths start at `homeDir`. */
export type DriverToolbox = Pick<
  ToolboxBackend,
  "upload" | "download" | "list" | "info" | "folder" | "remove" | "move" | "execute"
>;

/**
 * Files and commands on `driver`'s sandboxes.
 *
 * @example
 * const files = driverToolbox(createLocalDriver(), "/workspace");
 * await files.execute(box, { command: "echo hi", cwd: undefined, env: {}, timeoutSeconds: 5 });
 */
export function driverToolbox(driver: SandboxDriver, homeDir: string): DriverToolbox {
  return {
    async upload(box, files) {
      const sent = await driver.uploadFiles(
        box.id,
        files.map((file) => ({ path: file.path, data: file.bytes })),
      );
      return sent.isErr() ? daemonFailureOf(sent.error, files[0]?.path ?? "") : undefined;
    },

    async download(box, paths) {
      const got = await driver.downloadFiles(
        box.id,
        paths.map((path) => resolvePath(path, homeDir)),
      );
      return paths.map((requested, index): DownloadPart => {
        // A failed call fails every part with its error; a driver answering fewer outcomes than paths, the rest.
        const outcome = got.isOk()
          ? (got.value[index] ?? { ok: false, error: kitError.notFound("file", requested) })
          : { ok: false as const, error: got.error };
        return outcome.ok
          ? { kind: "file", path: requested, bytes: outcome.data }
          : { kind: "error", path: requested, error: downloadErrorOf(outcome.error, requested) };
      });
    },

    async list(box, path, depth) {
      const walk = async (dir: string, level: number): Promise<FileInfo[] | FsFailure> => {
        const listed = await driver.listFiles(box.id, dir);
        if (listed.isErr()) return daemonFailureOf(listed.error, dir);
        const out: FileInfo[] = [];
        for (const entry of listed.value) {
          out.push(fileInfoOf(entry));
          if (entry.isDir && level < depth) {
            const inner = await walk(entry.path, level + 1);
            if (Array.isArray(inner)) out.push(...inner);
          }
        }
        return out;
      };
      return walk(path, 1);
    },

    async info(box, path) {
      const found = await driver.fileInfo(box.id, path);
      return found.isOk() ? fileInfoOf(found.value) : daemonFailureOf(found.error, path);
    },

    async folder(box, path, mode) {
      const made = await driver.createFolder(box.id, path, mode);
      return made.isErr() ? daemonFailureOf(made.error, path) : undefined;
    },

    async remove(box, path, recursive) {
      const removed = await driver.deleteFile(box.id, path, recursive);
      return removed.isErr() ? daemonFailureOf(removed.error, path) : undefined;
    },

    async move(box, source, destination) {
      const moved = await driver.moveFile(box.id, source, destination);
      if (moved.isOk()) return undefined;
      if (moved.error.kind === "Conflict") {
        return { status: 409, code: "CONFLICT", message: "destination already exists" };
      }
      return daemonFailureOf(moved.error, source);
    },

    async execute(box, request): Promise<CommandOutcome | FsFailure> {
      const seconds = request.timeoutSeconds;
      const timeoutMs =
        seconds !== undefined && Number.isFinite(seconds) && seconds > 0
          ? Math.min(seconds * 1000, MAX_TIMER_MS)
          : DEFAULT_EXEC_MS;
      const ran = await driver.exec(box.id, {
        command: request.command,
        cwd: resolvePath(request.cwd ?? homeDir, homeDir),
        env: request.env,
        timeoutMs,
        maxOutputBytes: MAX_OUTPUT_BYTES,
      });
      if (ran.isErr() && ran.error.kind !== "Timeout")
        return daemonFailureOf(ran.error, request.cwd ?? homeDir);
      const timedOut = ran.isErr();
      const exitCode = ran.isOk() ? ran.value.exitCode : 137;
      const output = ran.isOk() ? ran.value.output : "";
      box.commands.push({
        sandboxId: box.id,
        command: request.command,
        cwd: request.cwd,
        env: { ...request.env },
        timeoutSeconds: request.timeoutSeconds,
        exitCode,
        output,
        timedOut,
        at: Date.now(),
      });
      return { reply: { exitCode, output, stdout: output, stderr: "", durationMs: 0 }, timedOut };
    },
  };
}
