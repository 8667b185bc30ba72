/**
 * The `toolbox` and `home` options of the emulator and the local server, checked at run time (JavaScript callers
 * pass anything): which back end stands behind the sandboxes.
 * @module
 */
import { resolve } from "node:path";
import { err, ok, type Result } from "neverthrow";
import { createLocalDriver } from "../../driver/local/index.js";
import type { SandboxDriver } from "../../driver/types.js";
import { type KitError, kitError } from "../../errors.js";

/**
 * What stands behind the emulated sandboxes: `"memory"` (the in-memory model: a mini shell, fast, nothing real),
 * `"local"` (a real local sandbox per Daytona sandbox, through the local driver), or any {@link SandboxDriver}.
 */
export type ToolboxChoice = "memory" | "local" | SandboxDriver;

/** The checked choice: the memory model, or a driver (made here for `"local"`, then owned by the back end). */
export type ResolvedToolbox =
  | { readonly kind: "memory" }
  | { readonly kind: "driver"; readonly driver: SandboxDriver; readonly owned: boolean };

const DRIVER_METHODS = [
  "create",
  "get",
  "list",
  "start",
  "stop",
  "delete",
  "setLabels",
  "uploadFiles",
  "downloadFiles",
  "listFiles",
  "fileInfo",
  "createFolder",
  "deleteFile",
  "moveFile",
  "exec",
  "dispose",
] as const;

/** True when `value` has every method of the driver port the back end calls. */
function isDriver(value: unknown): value is SandboxDriver {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  try {
    return DRIVER_METHODS.every((method) => typeof record[method] === "function");
  } catch {
    // A hostile object (a Proxy or getter that throws) is no driver.
    return false;
  }
}

/**
 * Checks `toolbox` and `home` (where the local driver keeps images and sandboxes; only with `"local"`).
 *
 * @example
 * resolveToolbox("local", "/tmp/kit-home"); // Ok({ kind: "driver", driver, owned: true })
 * resolveToolbox("cloud", undefined); // Err(InvalidArgument)
 */
export function resolveToolbox(toolbox: unknown, home: unknown): Result<ResolvedToolbox, KitError> {
  if (home !== undefined) {
    if (typeof home !== "string" || home.trim() === "" || home.includes("\0")) {
      return err(
        kitError.invalidArgument("home", "home must be a non-empty directory path without NUL bytes"),
      );
    }
    if (toolbox !== "local") {
      return err(
        kitError.invalidArgument(
          "home",
          'home is the local driver\'s directory: use it with toolbox "local"',
        ),
      );
    }
  }
  if (toolbox === undefined || toolbox === "memory") return ok({ kind: "memory" });
  if (toolbox === "local") {
    const driver = createLocalDriver({
      ...(typeof home === "string" ? { home: resolve(home) } : {}),
      onProgress: (line) => process.stderr.write(`daytona-kit: ${line}\n`),
    });
    return ok({ kind: "driver", driver, owned: true });
  }
  if (isDriver(toolbox)) return ok({ kind: "driver", driver: toolbox, owned: false });
  return err(
    kitError.invalidArgument(
      "toolbox",
      `toolbox must be "memory", "local" or a SandboxDriver, got ${typeof toolbox === "string" ? JSON.stringify(toolbox) : typeof toolbox}`,
    ),
  );
}
