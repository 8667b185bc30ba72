/**
 * The safe filesystem facade.
 * @module
 */
export { planBatches } from "./batch.js";
export { createSandboxFs } from "./fs.js";
export { MAX_PATH_BYTES, resolveUnderRoot } from "./paths.js";
export {
  type BatchOptions,
  DEFAULT_ROOT,
  DEFAULT_UPLOAD_CAP_BYTES,
  type FailedWrite,
  type FsContext,
  type RemoveOptions,
  type SandboxFs,
  type WriteFileEntry,
  type WriteFilesReport,
  type WriteOptions,
} from "./types.js";
