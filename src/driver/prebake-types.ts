/**
 * The optional prebake part of the driver port: build an image once from a compiled provisioning plan, then create
 * sandboxes from it. Drivers without it make `prebake` answer `Unsupported`.
 *
 * The plan is data the kit compiles from a provisioning spec (one definition, two uses): a content-derived name
 * (same spec → same name, so a build is found again instead of repeated) and the install script. The driver owns
 * how the image is built and stored: a Daytona snapshot (declarative `Image` builder), a cached local layer, a record
 * in the emulator.
 * @module
 */
import type { ResultAsync } from "neverthrow";
import type { KitError } from "../errors.js";

/** What a driver builds: derived by the kit from a provisioning spec. */
export interface PrebakePlan {
  /** Content-derived name, valid as a Daytona snapshot name and a file name (e.g. `apex-prebaked-<16 hex>`). */
  readonly name: string;
  /** The image the build starts from (the kit's default image unless the spec names one). */
  readonly baseImage: string;
  /**
   * POSIX `sh` commands run in order as root at build time, each must exit 0. Install steps only (packages, data
   * directories, config files); nothing that must run per sandbox (services are started at first `ensure`).
   */
  readonly commands: readonly string[];
  /** Labels the driver attaches where it can (Daytona snapshots cannot carry labels: the name prefix marks them). */
  readonly labels: Readonly<Record<string, string>>;
}

/** How a build is watched and bounded. */
export interface PrebakeOptions {
  /** Deadline of the whole build (waits for another process's build of the same name included). */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Build log lines as they arrive. */
  readonly onLog?: (line: string) => void;
}

/** A built (or found) prebaked image, and how `create` names it. */
export interface PrebakedImage {
  readonly name: string;
  /** `false` when it already existed (built earlier or by another process): no build ran. */
  readonly built: boolean;
  /** Pass these to `create` (`{ snapshot }` on Daytona, `{ image }` on the local driver). */
  readonly createFrom: { readonly image: string } | { readonly snapshot: string };
}

/** One prebaked image the driver holds (for housekeeping). */
export interface PrebakedEntry {
  readonly name: string;
  /** Bytes on disk, where known (the local cache). */
  readonly sizeBytes?: number;
  readonly createdAt?: string;
  /** Daytona's snapshot state (`pending`, `building`, `active`, `error`, …); `"active"` locally. */
  readonly state: string;
}

/** Implemented by drivers that can prebake. */
export interface PrebakeCapable {
  /**
   * Builds the image for `plan` unless one named `plan.name` exists (then `built: false`). Idempotent across
   * processes: two callers racing on one name end with one image (a name conflict means adopt and wait).
   * A failed build is a typed error whose message ends with the build log's tail.
   */
  prebake(plan: PrebakePlan, options: PrebakeOptions): ResultAsync<PrebakedImage, KitError>;
  /** The prebaked images whose name starts with `prefix`. */
  listPrebaked(prefix: string): ResultAsync<PrebakedEntry[], KitError>;
  /** Deletes one prebaked image; `NotFound` when absent. Sandboxes created from it are not affected. */
  deletePrebaked(name: string): ResultAsync<void, KitError>;
}
