/**
 * Names of the hidden temporary siblings used by atomic and chunked writes. They live in the destination's own
 * directory so the final rename never crosses a filesystem, and they start with `.kit-` so they are easy to spot
 * (and to clean) if a write is interrupted. Each carries the writing process's pid, its owner record: a sweeper on
 * the same machine (the local driver) removes the leftovers of writers that are gone.
 * @module
 */
import { randomBytes } from "node:crypto";
import { TEMP_PREFIX } from "../driver/temp-names.js";
import { baseName, joinPath, parentOf } from "./paths.js";

/** Longest file name (in bytes) Linux filesystems take. */
export const NAME_MAX_BYTES = 255;

/** Characters of the destination's name kept in a temp name, as a hint for whoever finds a leftover. */
const NAME_HINT_CHARS = 48;

/**
 * The longest prefix of `name` (whole characters) that takes at most `maxBytes` bytes of UTF-8.
 * @example
 * ```ts
 * cutToBytes("héllo", 2) // => "h"
 * ```
 */
export function cutToBytes(name: string, maxBytes: number): string {
  let bytes = 0;
  let cut = "";
  for (const char of name) {
    bytes += Buffer.byteLength(char, "utf8");
    if (bytes > maxBytes) break;
    cut += char;
  }
  return cut;
}

/**
 * A fresh hidden sibling of `destination`: `<dir>/.kit-<role>-<pid>-<random>-<start of the name>`. The name part is
 * cut (to 48 characters and to what fits) so the result never exceeds the 255-byte `NAME_MAX`, whatever the
 * destination's name.
 *
 * @example
 * ```ts
 * tempSibling("/workspace/app/data.json", "tmp") // => "/workspace/app/.kit-tmp-4242-1f0c9a2b7d4e-data.json"
 * ```
 */
export function tempSibling(destination: string, role: "tmp" | "parts", pid = process.pid): string {
  const prefix = `${TEMP_PREFIX}${role}-${pid}-${randomBytes(6).toString("hex")}-`;
  const hint = Array.from(baseName(destination)).slice(0, NAME_HINT_CHARS).join("");
  return joinPath(parentOf(destination), `${prefix}${cutToBytes(hint, NAME_MAX_BYTES - prefix.length)}`);
}
