/**
 * The size and age of what the local driver caches: base images and prebaked layers, plus the leftovers of
 * interrupted builds that `gc()` removes. Read-only: it changes nothing.
 * @module
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ResultAsync } from "neverthrow";
import { unexpectedThrow } from "../../boundary.js";
import type { KitError } from "../../errors.js";
import { runHost } from "./host.js";
import { imagesDir, kitHome } from "./layout.js";
import { deadLeftovers, listLayers } from "./prebaked-store.js";

/** One base image in the cache. */
export interface CachedBaseImage {
  /** Its folder under `images/` (e.g. `bookworm-python3`). */
  readonly key: string;
  /** Bytes on disk (`du`). */
  readonly sizeBytes: number;
  /** When it was built (ISO 8601), when recorded. */
  readonly builtAt?: string;
  /** Milliseconds since it was built, when recorded. */
  readonly ageMs?: number;
}

/** One prebaked layer in the cache. */
export interface CachedPrebakedLayer {
  readonly name: string;
  /** The base image it is stacked on. */
  readonly baseImage: string;
  /** Bytes its image takes on disk (sparse: what the build wrote). */
  readonly sizeBytes: number;
  /** When it was built (ISO 8601). */
  readonly createdAt: string;
  /** Milliseconds since it was built. */
  readonly ageMs: number;
  /** Sandboxes created from it that still exist (they keep the layer's space until they are deleted). */
  readonly sandboxes: number;
}

/** What {@link localCacheReport} finds. */
export interface LocalCacheReport {
  readonly home: string;
  readonly images: readonly CachedBaseImage[];
  readonly prebaked: readonly CachedPrebakedLayer[];
  /** Partial layers and interrupted deletions of processes that died (`gc()` removes them). */
  readonly leftovers: number;
  /** Bytes of base images and prebaked layers together. */
  readonly totalBytes: number;
}

/**
 * Reports the local cache under `home`: each base image and prebaked layer with its size and age, oldest layers
 * first. Delete a layer with the driver's `deletePrebaked(name)` (or the kit's housekeeping); `gc()` removes
 * leftovers.
 *
 * @example
 * ```ts
 * const report = await localCacheReport();
 * if (report.isOk()) {
 *   for (const layer of report.value.prebaked) console.log(layer.name, layer.sizeBytes, layer.ageMs);
 * }
 * ```
 */
export function localCacheReport(
  options: { readonly home?: string } = {},
): ResultAsync<LocalCacheReport, KitError> {
  const home = kitHome(options.home);
  return ResultAsync.fromPromise(report(home), (error) => unexpectedThrow("local cache report", error));
}

async function report(home: string): Promise<LocalCacheReport> {
  const now = Date.now();
  const images: CachedBaseImage[] = [];
  const keys = await readdir(imagesDir(home), { withFileTypes: true }).catch(() => []);
  for (const entry of keys) {
    // Folders only: `<key>.lock` files and partial builds are not images.
    if (!entry.isDirectory() || entry.name.includes(".")) continue;
    const dir = join(imagesDir(home), entry.name);
    const builtAt = await readFile(join(dir, "image.json"), "utf8").then(
      (text) => (JSON.parse(text) as { builtAt?: string }).builtAt,
      () => undefined,
    );
    images.push({
      key: entry.name,
      sizeBytes: await diskUsage(dir),
      ...(builtAt ? { builtAt, ageMs: now - Date.parse(builtAt) } : {}),
    });
  }
  const prebaked = (await listLayers(home)).map(
    (layer): CachedPrebakedLayer => ({
      name: layer.record.name,
      baseImage: layer.record.baseImage,
      sizeBytes: layer.sizeBytes,
      createdAt: layer.record.builtAt,
      ageMs: now - Date.parse(layer.record.builtAt),
      sandboxes: layer.sandboxes,
    }),
  );
  const totalBytes = [...images, ...prebaked].reduce((sum, item) => sum + item.sizeBytes, 0);
  return { home, images, prebaked, leftovers: (await deadLeftovers(home)).length, totalBytes };
}

/** Bytes `dir` takes on disk, hard links counted once (`du -s`); 0 when unreadable. */
async function diskUsage(dir: string): Promise<number> {
  const run = await runHost("du", ["-s", "-B1", "-x", `${dir}/`]);
  const bytes = Number.parseInt(run.stdout, 10);
  return Number.isFinite(bytes) ? bytes : 0;
}
