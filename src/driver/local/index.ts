/**
 * The local driver: real Debian sandboxes on this Linux machine (root), the library's embedded default.
 * @module
 */
export {
  type CachedBaseImage,
  type CachedPrebakedLayer,
  type LocalCacheReport,
  localCacheReport,
} from "./cache-report.js";
export {
  createLocalDriver,
  type GcReport,
  type LocalCapabilities,
  type LocalDriver,
  type LocalDriverOptions,
} from "./driver.js";
export {
  canBuildImages,
  DEFAULT_LOCAL_IMAGE,
  type EnsureImageOptions,
  ensureLocalImage,
  type ImageProgress,
  LOCAL_IMAGES,
  type LocalImage,
} from "./images.js";
export { kitHome } from "./layout.js";
