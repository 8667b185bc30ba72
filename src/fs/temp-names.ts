/**
 * Names of the hidden temporary siblings used by atomic and chunked writes. They live in the destination's own
 * directory so the final rename never crosses a filesystem, and they start with `.kit-` so they are easy to spot
 * (and to clean) if a sandbox dies mid-write.
 * @module
 */
import { randomBytes } from "node:crypto";
import { baseName, joinPath, parentOf } from "./paths.js";

/** Marks every temporary name this library creates. */
export const TEMP_PREFIX = ".kit-";

/**
 * A fresh hidden sibling of `destination`: `<dir>/.kit-<role>-<random>-<start of the name>`.
 * The name part is cut to 48 characters so the result stays under the 255-byte `NAME_MAX`.
 *
 * @example
 * ```ts
 * tempSibling("/workspace/app/data.json", "tmp") // => "/workspace/app/.kit-tmp-1f0c9a2b7d4e-data.json"
 * ```
 */
export function tempSibling(destination: string, role: "tmp" | "parts"): string {
  const name = Array.from(baseName(destination)).slice(0, 48).join("");
  return joinPath(parentOf(destination), `${TEMP_PREFIX}${role}-${randomBytes(6).toString("hex")}-${name}`);
}
