/**
 * The port's lifecycle calls over the shared model ({@link EmulatorState} and `lifecycle-rules.ts`): the same
 * records, transitions and refusals as the emulator's HTTP handlers, without HTTP and without polling (a start or
 * stop settles at once).
 */
import { err, ok, type Result } from "neverthrow";
import type { CreateSandboxSpec, SandboxInfo } from "../driver/types.js";
import { type KitError, kitError } from "../errors.js";
import { mkdirp } from "./fs-state.js";
import { deleteRule, isRefusal, missingSandbox, startRule, stopRule } from "./lifecycle-rules.js";
import { refusalError } from "./memory-errors.js";
import { applyState, type EmulatorState, newPreviewToken, stamp, touch } from "./state.js";
import type { SandboxRecord } from "./types.js";

/** What the port reports for a record. */
export function infoOf(box: SandboxRecord): SandboxInfo {
  return {
    id: box.id,
    name: box.name,
    state: box.state,
    target: box.target,
    labels: { ...box.labels },
    ...(box.errorReason ? { errorReason: box.errorReason } : {}),
    ...(box.recoverable === undefined ? {} : { recoverable: box.recoverable }),
    cpu: box.cpu,
    memoryGiB: box.memory,
    diskGiB: box.disk,
  };
}

/** The live sandbox with this id (or name), or `NotFound`. */
export function findLive(state: EmulatorState, id: string): Result<SandboxRecord, KitError> {
  const box = state.find(id);
  return box ? ok(box) : err(refusalError(missingSandbox(id), id, "get"));
}

/** Creates a started sandbox; a taken name is a `Conflict`, as Daytona answers 409. */
export function createIn(
  state: EmulatorState,
  spec: CreateSandboxSpec,
  defaultTarget: string,
  dirs: readonly string[],
): Result<SandboxInfo, KitError> {
  if (spec.name !== undefined && state.find(spec.name)) {
    return err(kitError.conflict(`Sandbox with name ${spec.name} already exists`));
  }
  // A snapshot the model holds must be active (Daytona's 400); one it does not hold is taken to be one of
  // Daytona's own (the model does not list them).
  const snapshot = spec.snapshot === undefined ? undefined : state.findSnapshot(spec.snapshot);
  if (snapshot && snapshot.state !== "active") {
    return err(
      kitError.invalidArgument("snapshot", `Snapshot ${snapshot.name} is ${snapshot.state}`, { status: 400 }),
    );
  }
  const box = state.add({
    ...(spec.name === undefined ? {} : { name: spec.name }),
    target: spec.target ?? defaultTarget,
    labels: { ...(spec.labels ?? {}) },
    env: { ...(spec.envVars ?? {}) },
    ...(spec.snapshot === undefined ? {} : { snapshot: spec.snapshot }),
    ...(spec.resources?.cpu === undefined ? {} : { cpu: spec.resources.cpu }),
    ...(spec.resources?.memoryGiB === undefined ? {} : { memory: spec.resources.memoryGiB }),
    ...(spec.resources?.diskGiB === undefined ? {} : { disk: spec.resources.diskGiB }),
  });
  if (spec.autoStopMinutes !== undefined) box.autoStopInterval = spec.autoStopMinutes;
  for (const dir of dirs) mkdirp(box, dir);
  return ok(infoOf(box));
}

/** Starts a stopped (or archived) sandbox; a started one is left as it is. */
export function startIn(state: EmulatorState, id: string): Result<SandboxInfo, KitError> {
  return findLive(state, id).andThen((box) => {
    const rule = startRule(box);
    if (isRefusal(rule)) return err(refusalError(rule, id, "start"));
    if (rule === "start") {
      box.previewToken = newPreviewToken();
      touch(box);
      applyState(box, "started");
    }
    return ok(infoOf(box));
  });
}

/** Stops a started sandbox (its sessions end; files stay); an ephemeral one is destroyed by its stop. */
export function stopIn(state: EmulatorState, id: string): Result<SandboxInfo, KitError> {
  return findLive(state, id).andThen((box) => {
    const rule = stopRule(box);
    if (isRefusal(rule)) return err(refusalError(rule, id, "stop"));
    box.sessions.clear();
    touch(box);
    applyState(box, rule === "destroy" ? "destroyed" : "stopped");
    return ok(infoOf(box));
  });
}

/** Destroys a sandbox; afterwards `get` answers `NotFound` and `list` skips it. */
export function deleteIn(state: EmulatorState, id: string): Result<void, KitError> {
  return findLive(state, id).andThen((box) => {
    const rule = deleteRule(box);
    if (isRefusal(rule)) return err(refusalError(rule, id, "delete"));
    box.sessions.clear();
    applyState(box, "destroyed");
    return ok(undefined);
  });
}

/** Replaces every label. */
export function labelIn(
  state: EmulatorState,
  id: string,
  labels: Readonly<Record<string, string>>,
): Result<Record<string, string>, KitError> {
  return findLive(state, id).map((box) => {
    box.labels = { ...labels };
    box.updatedAt = stamp();
    return { ...box.labels };
  });
}

/** Live sandboxes whose labels include every pair of `labels`, newest first. */
export function listIn(state: EmulatorState, labels: Readonly<Record<string, string>>): SandboxInfo[] {
  return state
    .live()
    .filter((box) => Object.entries(labels).every(([k, v]) => box.labels[k] === v))
    .map(infoOf);
}
