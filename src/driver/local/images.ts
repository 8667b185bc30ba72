/**
 * Base images of the local driver: image names map to recipes, each recipe builds one Debian root filesystem once
 * (debootstrap, mirror from the host's apt sources) and caches it under `$DAYTONA_KIT_HOME/images`.
 *
 * A build is safe to interrupt (it happens in `<key>.partial-<pid>` and is renamed into place only when complete)
 * and safe to race (a lock file makes a second process wait for the first).
 * @module
 */
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { err, errAsync, ok, type Result, ResultAsync } from "neverthrow";
import { isKitError, type KitError, kitError } from "../../errors.js";
import { type HostDebianSources, readHostDebianSources, sandboxSourcesFile } from "./apt-sources.js";
import { checkHostSupport, findExecutable, hasDebootstrap, pidExists, runHost } from "./host.js";
import { imagesDir, kitHome } from "./layout.js";
import { withFileLock } from "./lock.js";

/** How one image is built. */
export interface ImageRecipe {
  /** Directory name under `images/`. */
  readonly key: string;
  readonly suite: "bookworm";
  /** Node 20 from the host copied into `/usr/local`. */
  readonly withNode: boolean;
}

const BASE: ImageRecipe = { key: "bookworm-python3", suite: "bookworm", withNode: false };
const NODE: ImageRecipe = { key: "bookworm-node20", suite: "bookworm", withNode: true };

const RECIPES: Readonly<Record<string, ImageRecipe>> = {
  "python:3.12-slim-bookworm": BASE,
  "debian:bookworm-slim": BASE,
  "node:20-slim": NODE,
};

/** Image names the local driver can run (the first is the default). */
export const LOCAL_IMAGES: readonly string[] = Object.keys(RECIPES);

/** The image used when a create spec names none. @default "python:3.12-slim-bookworm" */
export const DEFAULT_LOCAL_IMAGE = "python:3.12-slim-bookworm";

/** The recipe of `image`, or `Unsupported` naming the images that exist. */
export function resolveImage(image: string): Result<ImageRecipe, KitError> {
  // Own keys only: "constructor" or "toString" must be an unknown image, not Object.prototype's function.
  const recipe = Object.hasOwn(RECIPES, image) ? RECIPES[image] : undefined;
  if (recipe) return ok(recipe);
  return err(
    kitError.unsupported(
      `Image ${JSON.stringify(image)} on the local driver`,
      `The local driver knows ${LOCAL_IMAGES.join(", ")}. Use one of them, or set DAYTONA_API_KEY to use Daytona.`,
    ),
  );
}

/**
 * One progress event of an image build: a base image (`bootstrap` … `node`) or a prebaked layer (`step`: one of the
 * plan's commands starts; `layer`: the builder's writable layer is being kept).
 */
export interface ImageProgress {
  readonly image: string;
  readonly stage:
    | "waiting"
    | "bootstrap"
    | "download"
    | "extract"
    | "install"
    | "configure"
    | "node"
    | "step"
    | "layer"
    | "done";
  readonly message: string;
  /** Milliseconds since the build (or the wait) began. */
  readonly elapsedMs: number;
}

/** Options of {@link ensureLocalImage}. */
export interface EnsureImageOptions {
  /** State directory. @default $DAYTONA_KIT_HOME, else ~/.cache/daytona-kit */
  readonly home?: string;
  /** Receives build progress. @default concise lines on stderr (one per stage) */
  readonly onProgress?: (event: ImageProgress) => void;
  /** Debian mirror URL. @default $DAYTONA_KIT_DEBIAN_MIRROR, else the host's apt sources */
  readonly mirror?: string;
  /** Aborts the build (the partial directory is removed) or the wait for another process's build. */
  readonly signal?: AbortSignal;
}

/** A ready image. */
export interface LocalImage {
  readonly name: string;
  readonly key: string;
  /** The root filesystem directory (the read-only lower layer of every sandbox of this image). */
  readonly rootfs: string;
  /** Whether this call built it (false when it was cached). */
  readonly built: boolean;
  /** How long the build took, when this call built it. */
  readonly buildMs?: number;
}

const inFlight = new Map<string, Promise<Result<LocalImage, KitError>>>();

/**
 * Makes sure the root filesystem of `image` exists, building it the first time (that takes about a minute or two,
 * downloads ~40 MB from the host's Debian mirror, and needs `debootstrap`: run `scripts/setup-local.sh`).
 *
 * @example
 * ```ts
 * const image = await ensureLocalImage("node:20-slim", { onProgress: (e) => console.log(e.stage, e.message) });
 * if (image.isErr()) console.error(image.error.message);
 * ```
 */
export function ensureLocalImage(
  image: string,
  options: EnsureImageOptions = {},
): ResultAsync<LocalImage, KitError> {
  const support = checkHostSupport();
  if (support.isErr()) return errAsync(support.error);
  const recipe = resolveImage(image);
  if (recipe.isErr()) return errAsync(recipe.error);
  const home = kitHome(options.home);
  const flightKey = `${home}\0${recipe.value.key}`;
  let flight = inFlight.get(flightKey);
  if (!flight) {
    flight = ensureRecipe(image, recipe.value, home, options).finally(() => inFlight.delete(flightKey));
    inFlight.set(flightKey, flight);
  }
  return new ResultAsync(flight);
}

/** Where the finished root filesystem of `recipe` lives. */
export function imageRootfs(home: string, recipe: ImageRecipe): string {
  return join(imagesDir(home), recipe.key, "rootfs");
}

async function ensureRecipe(
  image: string,
  recipe: ImageRecipe,
  home: string,
  options: EnsureImageOptions,
): Promise<Result<LocalImage, KitError>> {
  const rootfs = imageRootfs(home, recipe);
  if (await exists(rootfs)) return ok({ name: image, key: recipe.key, rootfs, built: false });
  if (recipe.withNode) {
    const base = await ensureRecipe(image, BASE, home, options);
    if (base.isErr()) return base;
  } else if (!hasDebootstrap()) {
    return err(
      kitError.unsupported(
        "Building a local base image without debootstrap",
        "Run scripts/setup-local.sh (installs debootstrap), or set DAYTONA_API_KEY to use Daytona.",
      ),
    );
  }
  const progress = progressReporter(image, options.onProgress);
  const dir = imagesDir(home);
  try {
    // Inside the try: an unwritable home is this call's error Result, never a rejection.
    await mkdir(dir, { recursive: true });
    return await withFileLock(
      join(dir, `${recipe.key}.lock`),
      async () => {
        // Another process may have finished the build while we waited.
        if (await exists(rootfs)) return ok({ name: image, key: recipe.key, rootfs, built: false });
        const started = Date.now();
        const built = await buildInto(recipe, home, progress, options);
        if (built.isErr()) return err(built.error);
        progress("done", `ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        return ok({ name: image, key: recipe.key, rootfs, built: true, buildMs: Date.now() - started });
      },
      {
        signal: options.signal,
        onWait: (pid) => progress("waiting", `another process (pid ${pid}) is building it; waiting`),
      },
    );
  } catch (error) {
    if (options.signal?.aborted) return err(kitError.aborted(`Building local image ${image}`, error));
    return err(
      isKitError(error)
        ? error
        : kitError.unexpected(
            `Building local image ${image} failed: ${error instanceof Error ? error.message : String(error)}`,
            { cause: error },
          ),
    );
  }
}

/** Reports one progress event of a build. */
export type Report = (stage: ImageProgress["stage"], message: string) => void;

/** The build's progress sink: `onProgress`, else concise lines on stderr (one per stage). */
export function progressReporter(image: string, onProgress: EnsureImageOptions["onProgress"]): Report {
  const started = Date.now();
  let lastStage: string | undefined;
  const sink =
    onProgress ??
    ((event: ImageProgress) => {
      // The default stays concise: one line per stage, not one per package (but one per prebake step).
      if (event.stage === lastStage && event.stage !== "done" && event.stage !== "step") return;
      lastStage = event.stage;
      process.stderr.write(`[daytona-kit] ${event.image}: ${event.message}\n`);
    });
  return (stage, message) => sink({ image, stage, message, elapsedMs: Date.now() - started });
}

async function buildInto(
  recipe: ImageRecipe,
  home: string,
  progress: Report,
  options: EnsureImageOptions,
): Promise<Result<void, KitError>> {
  const dir = imagesDir(home);
  await removeStalePartials(dir, recipe.key);
  const partial = join(dir, `${recipe.key}.partial-${process.pid}`);
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  const partialRoot = join(partial, "rootfs");
  try {
    const built = recipe.withNode
      ? await addNode(imageRootfs(home, BASE), partialRoot, progress, options.signal)
      : await bootstrap(recipe, home, partialRoot, progress, options);
    if (built.isErr()) return built;
    const target = imageRootfs(home, recipe);
    await mkdir(dirname(target), { recursive: true });
    await rename(partialRoot, target);
    await writeFile(
      join(dirname(target), "image.json"),
      `${JSON.stringify({ key: recipe.key, builtAt: new Date().toISOString() }, null, 2)}\n`,
    );
    return ok(undefined);
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
}

/** Partial builds of processes that died (interrupted builds) are garbage. */
async function removeStalePartials(dir: string, key: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const match = new RegExp(`^${key}\\.partial-(\\d+)$`).exec(name);
    if (match && !pidExists(Number(match[1]))) await rm(join(dir, name), { recursive: true, force: true });
  }
}

function mirrorSources(options: EnsureImageOptions): Result<HostDebianSources, KitError> {
  const mirror = options.mirror ?? process.env.DAYTONA_KIT_DEBIAN_MIRROR;
  if (mirror !== undefined && mirror !== "") return ok({ main: [mirror], security: [] });
  return readHostDebianSources();
}

const STAGE_OF: ReadonlyArray<[RegExp, ImageProgress["stage"], string]> = [
  [/^I: (Retrieving|Validating) /, "download", "downloading packages"],
  [/^I: Extracting /, "extract", "extracting packages"],
  [/^I: (Installing|Unpacking) /, "install", "installing packages"],
  [/^I: Configuring /, "configure", "configuring packages"],
];

async function bootstrap(
  recipe: ImageRecipe,
  home: string,
  target: string,
  progress: Report,
  options: EnsureImageOptions,
): Promise<Result<void, KitError>> {
  const sources = mirrorSources(options);
  if (sources.isErr()) return err(sources.error);
  const mirror = sources.value.main[0]!;
  const cache = join(home, "debs");
  await mkdir(cache, { recursive: true });
  progress(
    "bootstrap",
    `building a Debian ${recipe.suite} root filesystem with debootstrap (first time only)`,
  );
  const run = await runHost(
    "debootstrap",
    [
      "--variant=minbase",
      "--include=ca-certificates,python3",
      `--cache-dir=${cache}`,
      recipe.suite,
      target,
      mirror,
    ],
    {
      signal: options.signal,
      onLine: (line) => {
        for (const [pattern, stage, summary] of STAGE_OF) {
          if (pattern.test(line)) return progress(stage, `${summary} (${line.slice(3)})`);
        }
      },
    },
  );
  if (options.signal?.aborted) return err(kitError.aborted("Building a local base image"));
  if (run.code !== 0) {
    return err(
      kitError.unexpected(
        `debootstrap failed (exit ${run.code}): ${(run.stderr || run.stdout).slice(-1_500)}`,
      ),
    );
  }
  await configureRootfs(target, sources.value, recipe.suite);
  const check = await runHost("chroot", [target, "python3", "--version"]);
  if (check.code !== 0)
    return err(kitError.unexpected(`The new root filesystem cannot run python3: ${check.stderr}`));
  return ok(undefined);
}

/** Makes the fresh root look like the slim Docker images: apt pointed at the host's mirror, a /workspace. */
async function configureRootfs(root: string, sources: HostDebianSources, suite: string): Promise<void> {
  await rm(join(root, "etc/apt/sources.list"), { force: true });
  await mkdir(join(root, "etc/apt/sources.list.d"), { recursive: true });
  await writeFile(join(root, "etc/apt/sources.list.d/debian.sources"), sandboxSourcesFile(sources, suite));
  // Like the Docker images: do not keep downloaded packages around.
  await writeFile(
    join(root, "etc/apt/apt.conf.d/docker-clean"),
    'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb || true"; };\n',
  );
  for (const name of await readdir(join(root, "var/cache/apt/archives")).catch(() => [] as string[])) {
    if (name.endsWith(".deb")) await rm(join(root, "var/cache/apt/archives", name), { force: true });
  }
  await mkdir(join(root, "workspace"), { recursive: true, mode: 0o755 });
}

async function addNode(
  baseRoot: string,
  target: string,
  progress: Report,
  signal: AbortSignal | undefined,
): Promise<Result<void, KitError>> {
  if (!process.version.startsWith("v20.")) {
    return err(
      kitError.unsupported(
        "node:20-slim on the local driver with a host Node other than 20",
        `The local node:20-slim image copies the host's Node binary, which is ${process.version}. Run under Node 20.`,
      ),
    );
  }
  progress("node", "copying the base root filesystem and the host's Node 20");
  const copy = await runHost("cp", ["-a", "--reflink=auto", baseRoot, target], { signal });
  if (copy.code !== 0)
    return err(kitError.unexpected(`Copying the base root filesystem failed: ${copy.stderr}`));
  const local = join(target, "usr/local");
  await mkdir(join(local, "bin"), { recursive: true });
  await mkdir(join(local, "lib/node_modules"), { recursive: true });
  await copyFile(process.execPath, join(local, "bin/node"));
  const modules = join(dirname(dirname(process.execPath)), "lib/node_modules");
  for (const [pkg, bins] of [
    ["npm", { npm: "bin/npm-cli.js", npx: "bin/npx-cli.js" }],
    ["corepack", { corepack: "dist/corepack.js" }],
  ] as const) {
    if (!(await exists(join(modules, pkg)))) {
      if (pkg === "npm")
        return err(kitError.unsupported("node:20-slim without npm", `No npm found in ${modules}.`));
      continue;
    }
    const cp = await runHost("cp", ["-a", join(modules, pkg), join(local, "lib/node_modules/")], { signal });
    if (cp.code !== 0) return err(kitError.unexpected(`Copying ${pkg} failed: ${cp.stderr}`));
    for (const [bin, script] of Object.entries(bins)) {
      await symlink(`../lib/node_modules/${pkg}/${script}`, join(local, "bin", bin));
    }
  }
  const version = await runHost("chroot", [target, "/usr/local/bin/node", "--version"]);
  if (version.code !== 0 || !version.stdout.startsWith("v20.")) {
    return err(
      kitError.unexpected(`node inside the image printed ${JSON.stringify(version.stdout + version.stderr)}`),
    );
  }
  const npm = await runHost("chroot", [target, "/usr/local/bin/npm", "--version"], {
    env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", HOME: "/root" },
  });
  if (npm.code !== 0)
    return err(kitError.unexpected(`npm inside the image failed: ${npm.stderr || npm.stdout}`));
  return ok(undefined);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Reads an image's build record, if any (for the bench and diagnostics). */
export async function readImageRecord(
  home: string,
  image: string,
): Promise<{ builtAt?: string } | undefined> {
  const recipe = Object.hasOwn(RECIPES, image) ? RECIPES[image] : undefined;
  if (!recipe) return undefined;
  const text = await readFile(join(imagesDir(home), recipe.key, "image.json"), "utf8").catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as { builtAt?: string });
}

/** Whether the host can build images at all (for test skips). */
export function canBuildImages(): boolean {
  return checkHostSupport().isOk() && hasDebootstrap() && findExecutable("chroot") !== undefined;
}
