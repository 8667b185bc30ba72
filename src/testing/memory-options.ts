/**
 * The memory driver's option resolution and exec-request checks: what a JavaScript caller can get wrong about
 * them, answered before anything runs.
 */

import type { SandboxDriver } from "../driver/types.js";
import { type KitError, kitError } from "../errors.js";
import {
  checkMs,
  checkObject,
  checkPath,
  checkStringRecord,
  firstFailure,
  optional,
} from "./memory-arguments.js";
import type { CommandResponder } from "./types.js";

/** The port methods the memory driver answers (every method but `dispose`). */
export type MemoryDriverMethod = Exclude<keyof SandboxDriver, "name" | "dispose">;

/** One call of a port method, as {@link MemoryDriverOptions.onCall} sees it. */
export interface MemoryDriverCall {
  readonly method: MemoryDriverMethod;
  /** The arguments as passed (not copied; do not change them). */
  readonly args: readonly unknown[];
}

/** Options of {@link createMemoryDriver}. Every one is optional. */
export interface MemoryDriverOptions {
  /**
   * Answers commands before the built-in mini shell does (the emulator's `CommandResponder`: return `undefined`
   * to let the shell answer). Use it for programs the shell does not run (`npm`, `git`, `psql`…).
   */
  readonly commandResponder?: CommandResponder;
  /** Real milliseconds every call waits before it takes effect, to widen race windows. @default 0 */
  readonly latencyMs?: number;
  /**
   * Sees every port call before it runs (count calls, log them). Returning a `KitError` makes that call fail with
   * it, without effect: fault injection, e.g. `({ method }) => method === "uploadFiles" ? kitError.transient("x") : undefined`.
   */
  readonly onCall?: (call: MemoryDriverCall) => KitError | undefined;
  /** The region (`target`) of sandboxes created without one. @default "memory" */
  readonly target?: string;
  /**
   * Directories every new sandbox has besides the image's (`/`, `/home/daytona`, `/tmp`). The default makes the
   * kit's default root ready to use; pass `[]` to start like a fresh Daytona image. @default ["/workspace"]
   */
  readonly dirs?: readonly string[];
}

/** Checks an exec request from a JavaScript caller. */
export function checkRequest(request: unknown): KitError | undefined {
  const r = request as Record<string, unknown>;
  return firstFailure(
    () => checkObject(request, "request"),
    () =>
      typeof r.command === "string" && r.command.trim() !== ""
        ? undefined
        : kitError.invalidArgument("command", "command must be a non-empty string.", { status: 400 }),
    () => checkMs(r.timeoutMs, "timeoutMs"),
    () => optional(r.cwd, (v) => checkPath(v, "cwd")),
    () => optional(r.env, (v) => checkStringRecord(v, "env")),
    () => optional(r.maxOutputBytes, (v) => checkMs(v, "maxOutputBytes")),
    () =>
      r.onOutput === undefined || typeof r.onOutput === "function"
        ? undefined
        : kitError.invalidArgument("onOutput", "onOutput must be a function."),
  );
}

/** The options with defaults applied. */
export interface ResolvedMemoryOptions {
  readonly commandResponder: CommandResponder | undefined;
  readonly latencyMs: number;
  readonly onCall: MemoryDriverOptions["onCall"];
  readonly target: string;
  readonly dirs: readonly string[];
}

/** Applies defaults; throws `TypeError` for an option of the wrong type. */
export function resolveOptions(options: MemoryDriverOptions): ResolvedMemoryOptions {
  const fail = (message: string): never => {
    throw new TypeError(`createMemoryDriver: ${message}`);
  };
  if (typeof options !== "object" || options === null) fail("options must be an object.");
  const { commandResponder, latencyMs = 0, onCall, target = "memory", dirs = ["/workspace"] } = options;
  if (commandResponder !== undefined && typeof commandResponder !== "function")
    fail("commandResponder must be a function.");
  if (onCall !== undefined && typeof onCall !== "function") fail("onCall must be a function.");
  if (
    typeof latencyMs !== "number" ||
    !Number.isFinite(latencyMs) ||
    latencyMs < 0 ||
    latencyMs > 2 ** 31 - 1
  )
    fail("latencyMs must be a number of milliseconds from 0 to 2^31 - 1.");
  if (typeof target !== "string" || target === "") fail("target must be a non-empty string.");
  if (!Array.isArray(dirs) || !dirs.every((d) => typeof d === "string" && d.startsWith("/")))
    fail("dirs must be an array of absolute paths.");
  return { commandResponder, latencyMs, onCall, target, dirs };
}
