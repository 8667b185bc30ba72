/**
 * The resource limits of a local sandbox, like a Daytona sandbox's: memory, CPU and disk from the create spec's
 * `resources` (else the driver's defaults, else Daytona's defaults), processes from the driver's options. Every
 * value is checked: `Infinity`, `NaN`, negatives and absurd sizes are `InvalidArgument`, never "no limit".
 * @module
 */
import { err, ok, Result } from "neverthrow";
import { type KitError, kitError } from "../../errors.js";
import type { SandboxResources } from "../types.js";

/** Daytona's default sandbox: 1 vCPU, 1 GiB memory, 3 GiB disk. */
export const DEFAULT_CPU = 1;
/** @see DEFAULT_CPU */
export const DEFAULT_MEMORY_GIB = 1;
/** @see DEFAULT_CPU */
export const DEFAULT_DISK_GIB = 3;
/** Processes and threads per sandbox: room for builds, a stop for fork bombs. */
export const DEFAULT_MAX_PROCESSES = 1024;

const MAX_GIB = 1024;
const MAX_CPU = 256;
const MAX_PROCESSES = 4_194_304;

/** The limits a sandbox is created with. */
export interface SandboxLimits {
  readonly memoryGiB: number;
  readonly cpu: number;
  readonly diskGiB: number;
  readonly pids: number;
}

/** Driver-wide defaults (from `LocalDriverOptions`). */
export interface LimitDefaults {
  readonly defaultMemoryGiB?: number;
  readonly defaultCpu?: number;
  readonly defaultDiskGiB?: number;
  readonly maxProcesses?: number;
}

/** Resolves and checks the limits of a new sandbox. */
export function resolveLimits(
  resources: SandboxResources | undefined,
  defaults: LimitDefaults,
): Result<SandboxLimits, KitError> {
  if (resources !== undefined && (typeof resources !== "object" || resources === null)) {
    return err(kitError.invalidArgument("resources", "resources must be an object."));
  }
  const memoryGiB = positive(
    "resources.memoryGiB",
    given(resources?.memoryGiB) ?? defaults.defaultMemoryGiB ?? DEFAULT_MEMORY_GIB,
    MAX_GIB,
  );
  const cpu = positive("resources.cpu", given(resources?.cpu) ?? defaults.defaultCpu ?? DEFAULT_CPU, MAX_CPU);
  const diskGiB = positive(
    "resources.diskGiB",
    given(resources?.diskGiB) ?? defaults.defaultDiskGiB ?? DEFAULT_DISK_GIB,
    MAX_GIB,
  );
  const pids = defaults.maxProcesses ?? DEFAULT_MAX_PROCESSES;
  if (!Number.isInteger(pids) || pids < 16 || pids > MAX_PROCESSES) {
    return err(
      kitError.invalidArgument(
        "maxProcesses",
        `maxProcesses must be an integer from 16 to ${MAX_PROCESSES}, got ${String(pids)}.`,
      ),
    );
  }
  return Result.combine([memoryGiB, cpu, diskGiB]).map(([m, c, d]) => ({
    memoryGiB: m,
    cpu: c,
    diskGiB: d,
    pids,
  }));
}

/** A value the caller passed (`null` included, so that it is refused rather than read as "not given"). */
function given(value: unknown): unknown {
  return value === null ? "null" : value;
}

function positive(argument: string, value: unknown, max: number): Result<number, KitError> {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > max) {
    return err(
      kitError.invalidArgument(
        argument,
        `${argument} must be a finite number above 0 and at most ${max}, got ${String(value)}.`,
      ),
    );
  }
  return ok(value);
}
