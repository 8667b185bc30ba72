/** Translations between the driver port's shapes and the SDK's (units included: GiB, minutes, seconds). */
import type { CreateSandboxSpec, FileEntry, SandboxInfo } from "../types.js";
import type { DaytonaCreateParams, DaytonaFileInfoLike, DaytonaSandboxLike } from "./client.js";

/** The largest whole number of seconds whose milliseconds still fit a Node timer (the SDK multiplies by 1000). */
export const MAX_SDK_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/**
 * Milliseconds to the SDK's seconds. Never 0 (the SDK reads 0 as "no timeout"), never more than
 * {@link MAX_SDK_SECONDS} (the SDK arms `setTimeout(seconds × 1000)`, and Node fires a longer timer at once).
 */
export function toSdkSeconds(ms: number): number {
  if (!(ms > 0)) return 1;
  return Math.min(MAX_SDK_SECONDS, Math.max(1, Math.ceil(ms / 1000)));
}

/** The port's view of an SDK sandbox. */
export function toSandboxInfo(sandbox: DaytonaSandboxLike): SandboxInfo {
  return {
    id: sandbox.id,
    state: sandbox.state ?? "unknown",
    target: sandbox.target ?? "",
    labels: { ...(sandbox.labels ?? {}) },
    ...(sandbox.name === undefined ? {} : { name: sandbox.name }),
    ...(sandbox.errorReason ? { errorReason: sandbox.errorReason } : {}),
    ...(sandbox.recoverable === undefined ? {} : { recoverable: sandbox.recoverable }),
    ...(sandbox.cpu === undefined ? {} : { cpu: sandbox.cpu }),
    ...(sandbox.memory === undefined ? {} : { memoryGiB: sandbox.memory }),
    ...(sandbox.disk === undefined ? {} : { diskGiB: sandbox.disk }),
  };
}

/** The SDK's create parameters for a port spec (copies: the SDK mutates the labels object it is given). */
export function toCreateParams(spec: CreateSandboxSpec): DaytonaCreateParams {
  const resources = spec.resources
    ? {
        ...(spec.resources.cpu === undefined ? {} : { cpu: spec.resources.cpu }),
        ...(spec.resources.memoryGiB === undefined ? {} : { memory: spec.resources.memoryGiB }),
        ...(spec.resources.diskGiB === undefined ? {} : { disk: spec.resources.diskGiB }),
      }
    : undefined;
  return {
    ...(spec.name === undefined ? {} : { name: spec.name }),
    ...(spec.snapshot === undefined ? {} : { snapshot: spec.snapshot }),
    ...(spec.snapshot === undefined && spec.image !== undefined ? { image: spec.image } : {}),
    envVars: { ...(spec.envVars ?? {}) },
    labels: { ...(spec.labels ?? {}) },
    ...(resources && spec.snapshot === undefined ? { resources } : {}),
    ...(spec.autoStopMinutes === undefined ? {} : { autoStopInterval: spec.autoStopMinutes }),
  };
}

/** A port file entry; `path` is the listed directory (or the file itself when `isSelf`). */
export function toFileEntry(info: DaytonaFileInfoLike, path: string, isSelf = false): FileEntry {
  const full = info.path ?? (isSelf ? path : `${path.replace(/\/+$/, "")}/${info.name}`);
  return {
    name: info.name,
    path: full,
    isDir: info.isDir,
    size: info.size,
    ...optionalMode(info),
    ...((info.modifiedAt ?? info.modTime) === undefined
      ? {}
      : { modifiedAt: info.modifiedAt ?? info.modTime }),
  };
}

/** The port's octal mode (`"644"`): the daemon's `permissions` (`"0644"`), else derived from its symbolic `mode`. */
function optionalMode(info: DaytonaFileInfoLike): { mode?: string } {
  const octal = /^0*([0-7]{3,4})$/.exec(info.permissions ?? "")?.[1];
  if (octal !== undefined)
    return { mode: octal.length === 4 && octal.startsWith("0") ? octal.slice(1) : octal };
  const symbolic = /^[-dlcbps]([-r][-w][-xsS][-r][-w][-xsS][-r][-w][-xtT])$/.exec(info.mode ?? "")?.[1];
  if (symbolic === undefined) return {};
  let bits = 0;
  for (const [index, char] of [...symbolic].entries()) {
    if (char !== "-" && char !== "S" && char !== "T") bits |= 1 << (8 - index);
  }
  return { mode: bits.toString(8).padStart(3, "0") };
}
