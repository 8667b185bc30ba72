/**
 * The memory driver's prebake part: snapshots kept in the shared model ({@link EmulatorState.snapshots}) with the
 * emulator's name rule, states and failing-build rule (`snapshot-rules.ts`). A build takes no time: the record goes
 * `building` → `active` (or `build_failed`) within the call, with its log lines passed to `onLog`.
 * @module
 */
import { randomUUID } from "node:crypto";
import { err, ok, type Result } from "neverthrow";
import { prebakeArgumentProblem } from "../driver/prebake-arguments.js";
import { prebakeBuildFailed } from "../driver/prebake-error.js";
import type { PrebakedEntry, PrebakedImage, PrebakeOptions, PrebakePlan } from "../driver/prebake-types.js";
import { type KitError, kitError } from "../errors.js";
import { buildLogOf, failingStep, logTail, type SnapshotRecord } from "./snapshot-rules.js";
import type { EmulatorState } from "./state.js";

/** The error of a snapshot that ended in `error` / `build_failed`. */
export function snapshotFailure(snapshot: SnapshotRecord): KitError {
  return prebakeBuildFailed(
    snapshot.name,
    snapshot.state,
    snapshot.errorReason ?? undefined,
    logTail(snapshot.buildLog),
  );
}

/** Builds `plan` in `state` unless a snapshot of that name exists (then `built: false`, or its failure). */
export function prebakeIn(
  state: EmulatorState,
  plan: PrebakePlan,
  options: PrebakeOptions,
): Result<PrebakedImage, KitError> {
  const bad = prebakeArgumentProblem(plan, options);
  if (bad) return err(bad);
  if (options.signal?.aborted) return err(kitError.aborted(`prebake ${plan.name}`, options.signal.reason));
  const createFrom = { snapshot: plan.name };
  const existing = state.findSnapshot(plan.name);
  if (existing) {
    if (existing.state === "error" || existing.state === "build_failed")
      return err(snapshotFailure(existing));
    return ok({ name: plan.name, built: false, createFrom });
  }
  const buildLog = buildLogOf(plan.baseImage, plan.commands);
  const failure = failingStep(plan.commands);
  const snapshot: SnapshotRecord = {
    id: randomUUID(),
    name: plan.name,
    imageName: plan.baseImage,
    state: failure ? "build_failed" : "active",
    errorReason: failure?.reason ?? null,
    buildLog,
    createdAt: new Date().toISOString(),
  };
  state.snapshots.set(snapshot.id, snapshot);
  for (const line of buildLog) options.onLog?.(line);
  return failure ? err(snapshotFailure(snapshot)) : ok({ name: plan.name, built: true, createFrom });
}

/** The snapshots whose name starts with `prefix`, oldest first. */
export function listPrebakedIn(state: EmulatorState, prefix: string): Result<PrebakedEntry[], KitError> {
  if (typeof prefix !== "string") return err(kitError.invalidArgument("prefix", "prefix must be a string."));
  return ok(
    [...state.snapshots.values()]
      .filter((s) => s.name.startsWith(prefix))
      .map((s) => ({ name: s.name, state: s.state, createdAt: s.createdAt })),
  );
}

/** Deletes the snapshot `name`; `NotFound` when there is none. Sandboxes created from it keep running. */
export function deletePrebakedIn(state: EmulatorState, name: string): Result<void, KitError> {
  if (typeof name !== "string" || name.length === 0) {
    return err(kitError.invalidArgument("name", "name must be a non-empty string."));
  }
  const snapshot = state.findSnapshot(name);
  if (!snapshot) return err(kitError.notFound("snapshot", name));
  state.snapshots.delete(snapshot.id);
  return ok(undefined);
}
