/**
 * The content-derived name of a prebaked image: same plan content → same name, so a build is found again instead of
 * repeated; any change (a package, a command, the base image) → a new name, so a stale image is never reused.
 * @module
 */
import { createHash } from "node:crypto";
import type { PrebakePlan } from "../driver/prebake-types.js";

/** Prefix of every prebaked image the kit makes; housekeeping lists and deletes only names with it. */
export const PREBAKED_PREFIX = "apex-prebaked-";

/** JSON with object keys sorted at every level, so equal content serializes equally whatever the key order. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${stableJson(record[key])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * `apex-prebaked-<16 hex>` from the plan's content (base image, commands, labels): lower-case letters, digits and
 * dashes only, so it is valid as a Daytona snapshot name and a file name.
 */
export function prebakedName(content: Omit<PrebakePlan, "name">): string {
  const digest = createHash("sha256")
    .update(stableJson({ baseImage: content.baseImage, commands: content.commands, labels: content.labels }))
    .digest("hex");
  return `${PREBAKED_PREFIX}${digest.slice(0, 16)}`;
}
