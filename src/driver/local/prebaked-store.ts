/**
 * Where the local driver keeps prebaked layers, and how it reads them back. A prebaked layer is the writable layer
 * of a builder sandbox that ran a plan's commands: the ext4 image that held its overlay upper directory, kept
 * read-only. Sandboxes of that image stack it on the base image (`lowerdir=<layer>/upper:<base rootfs>`).
 *
 * ```text
 * $DAYTONA_KIT_HOME/prebaked/
 *   <name>/layer.img                  the layer (read-only ext4 image; its upper/ is the lower layer)
 *   <name>/prebaked.json              its record (base image, build time): written before the folder appears
 *   .partial-<name>-<pid>/            a layer being published (renamed to <name>/ when complete)
 *   .deleting-<name>-<pid>/           a layer being deleted (renamed away first, so it vanishes at once)
 *   .locks/<name>.lock                held while one process builds or deletes <name>
 * ```
 *
 * A folder named `<name>` exists only once complete (a rename publishes it), so a build killed at any moment leaves
 * at most a dot-folder of a dead process, which the next prebake and `gc()` remove. Sandboxes hold a hard link to
 * their layer's image: deleting a prebaked image never breaks them (the space is freed with the last of them).
 * @module
 */
import { readdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { type KitError, kitError } from "../../errors.js";
import { pidExists } from "./host.js";

/** A safe file name: starts with a letter or digit, then letters, digits, `_`, `.`, `-`; at most 128 characters. */
const LAYER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** What the driver records about one prebaked layer. */
export interface PrebakedRecord {
  readonly name: string;
  /** The local image the layer sits on (e.g. `python:3.12-slim-bookworm`). */
  readonly baseImage: string;
  /** The base image's folder under `images/`. */
  readonly baseKey: string;
  /** When the build finished (ISO 8601). */
  readonly builtAt: string;
  /** How many commands the build ran. */
  readonly commands: number;
  /** The plan's labels. */
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * Why `name` cannot name a local layer, or `undefined` when it can. A name becomes a folder: no `/`, no `..`, no
 * leading dot (the store's own folders), nothing overlayfs options cannot carry (`,` `:` spaces).
 */
export function layerNameProblem(name: unknown, argument = "plan.name"): KitError | undefined {
  if (typeof name !== "string" || !LAYER_NAME.test(name) || name.includes("..")) {
    return kitError.invalidArgument(
      argument,
      `A local prebaked image name is 1–128 letters, digits, "_", "." or "-", starting with a letter or digit, ` +
        `without "..": got ${JSON.stringify(typeof name === "string" ? name.slice(0, 200) : name)}.`,
    );
  }
  return undefined;
}

/** The store's folder under `home`. */
export function prebakedDir(home: string): string {
  return join(home, "prebaked");
}

/** The folder of the finished layer `name`. */
export function layerDir(home: string, name: string): string {
  return join(prebakedDir(home), name);
}

/** The layer's read-only ext4 image. */
export function layerImage(home: string, name: string): string {
  return join(layerDir(home, name), "layer.img");
}

/** The lock held while `name` is built or deleted. */
export function layerLock(home: string, name: string): string {
  return join(prebakedDir(home), ".locks", `${name}.lock`);
}

/** The folder a build of `name` by this process is published from. */
export function partialDir(home: string, name: string): string {
  return join(prebakedDir(home), `.partial-${name}-${process.pid}`);
}

/** The folder the layer `name` is moved to by this process while it is deleted. */
export function deletingDir(home: string, name: string): string {
  return join(prebakedDir(home), `.deleting-${name}-${process.pid}`);
}

/** The record of the finished layer `name`, or `undefined` when there is none (or the name is not a layer name). */
export async function readLayerRecord(home: string, name: string): Promise<PrebakedRecord | undefined> {
  if (layerNameProblem(name) !== undefined) return undefined;
  const text = await readFile(join(layerDir(home, name), "prebaked.json"), "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const record = JSON.parse(text) as PrebakedRecord;
    return record.name === name ? record : undefined;
  } catch {
    return undefined;
  }
}

/** One finished layer with what `stat` says about its image. */
export interface LayerOnDisk {
  readonly record: PrebakedRecord;
  /** Bytes the image really takes on disk (it is sparse). */
  readonly sizeBytes: number;
  /** Sandboxes holding a link to the image (created from it and not deleted yet). */
  readonly sandboxes: number;
}

/** Every finished layer under `home` whose name starts with `prefix`, oldest first. */
export async function listLayers(home: string, prefix = ""): Promise<LayerOnDisk[]> {
  const names = await readdir(prebakedDir(home)).catch(() => [] as string[]);
  const found: LayerOnDisk[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || layerNameProblem(name) !== undefined) continue;
    const record = await readLayerRecord(home, name);
    const info = await stat(layerImage(home, name)).catch(() => undefined);
    if (record === undefined || info === undefined) continue;
    found.push({ record, sizeBytes: info.blocks * 512, sandboxes: Math.max(0, info.nlink - 1) });
  }
  return found.sort((a, b) => a.record.builtAt.localeCompare(b.record.builtAt));
}

/** Partial builds and interrupted deletions of processes that are gone (never used; safe to remove). */
export async function deadLeftovers(home: string, name?: string): Promise<string[]> {
  const names = await readdir(prebakedDir(home)).catch(() => [] as string[]);
  return names.flatMap((entry) => {
    const match = /^\.(?:partial|deleting)-(.+)-(\d+)$/.exec(entry);
    if (!match || (name !== undefined && match[1] !== name) || pidExists(Number(match[2]))) return [];
    return [join(prebakedDir(home), entry)];
  });
}

/** Removes {@link deadLeftovers}; resolves to how many went. */
export async function removeDeadLeftovers(home: string, name?: string): Promise<number> {
  const leftovers = await deadLeftovers(home, name);
  for (const path of leftovers) await rm(path, { recursive: true, force: true });
  return leftovers.length;
}
