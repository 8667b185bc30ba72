/**
 * `@apex/daytona-kit/local`: the local driver (real Debian sandboxes on this Linux machine) and its image tools.
 * `createKit({ driver: "local" })` needs nothing from here.
 * @module
 */
export {
  type CachedBaseImage,
  type CachedPrebakedLayer,
  canBuildImages,
  createLocalDriver,
  DEFAULT_LOCAL_IMAGE,
  type EnsureImageOptions,
  ensureLocalImage,
  type GcReport,
  type ImageProgress,
  kitHome,
  LOCAL_IMAGES,
  type LocalCacheReport,
  type LocalCapabilities,
  type LocalDriver,
  type LocalDriverOptions,
  type LocalImage,
  localCacheReport,
} from "./driver/local/index.js";
