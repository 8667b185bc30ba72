/**
 * The Daytona driver's prebake part: a prebaked image is a Daytona snapshot, built from the plan with the SDK's
 * declarative `Image` builder (`Image.base(baseImage).runCommands(...)`) through `daytona.snapshot.create`, whose
 * build log streams to `onLog`.
 *
 * One name, one build, across processes: an existing snapshot is reused (`built: false`; a pending or building one
 * is waited for); a 409 on create means another caller won the race for the name, so this one adopts that snapshot
 * and waits for it to be active. A snapshot in `error` / `build_failed` is `SandboxFailed` whose message ends with
 * the build log's tail (delete it to build again). The whole call runs under `options.timeoutMs` and the signal.
 * @module
 */
import { err, ok, type Result, ResultAsync } from "neverthrow";
import { type KitError, kitError } from "../../errors.js";
import { currentScope, withScope } from "../../policy/deadline.js";
import { realSleep } from "../../policy/sleep.js";
import { prebakeArgumentProblem } from "../prebake-arguments.js";
import { prebakeBuildFailed } from "../prebake-error.js";
import type {
  PrebakeCapable,
  PrebakedEntry,
  PrebakedImage,
  PrebakeOptions,
  PrebakePlan,
} from "../prebake-types.js";
import type { DaytonaClientLike, DaytonaSnapshotLike, DaytonaSnapshotServiceLike } from "./client.js";
import type { ErrorContext } from "./map-error.js";

/** How many build log lines a failed build's error ends with. */
const TAIL_LINES = 20;
const FAILED = new Set(["error", "build_failed"]);

/** What the prebake part needs from the driver. */
export interface DaytonaPrebakeDeps {
  /** The client of the driver's first target (snapshots are organisation-wide). */
  client(): ResultAsync<DaytonaClientLike, KitError>;
  /** Runs one SDK call, mapping what it throws. */
  call<T>(context: Omit<ErrorContext, "secrets">, run: () => Promise<T>): ResultAsync<T, KitError>;
  /** Pause between state polls while another caller's build runs. */
  readonly pollMs: number;
  /** Builds the SDK's `Image` for a plan. @default `Image.base(baseImage).runCommands(...)` of `@daytonaio/sdk` */
  readonly image?: (plan: PrebakePlan) => Promise<unknown>;
}

/**
 * A plan's command as a `RUN` step. A command that spans lines cannot be a `RUN` line as it is, so it is passed
 * base64-encoded to `sh -e` (no quoting to get wrong); a one-line command is passed as written.
 */
export function runStep(command: string): string {
  if (!/[\r\n]/.test(command)) return command;
  return `printf %s ${Buffer.from(command, "utf8").toString("base64")} | base64 -d | sh -e`;
}

/** The SDK's declarative image for `plan`. */
async function sdkImage(plan: PrebakePlan): Promise<unknown> {
  const { Image } = await import("@daytonaio/sdk");
  return Image.base(plan.baseImage).runCommands(...plan.commands.map(runStep));
}

/** The prebake methods of the Daytona driver. */
export function daytonaPrebake(deps: DaytonaPrebakeDeps): PrebakeCapable {
  const buildImage = deps.image ?? sdkImage;

  const service = (): ResultAsync<DaytonaSnapshotServiceLike, KitError> =>
    deps
      .client()
      .andThen((client) =>
        client.snapshot
          ? ok(client.snapshot)
          : err(
              kitError.unsupported(
                "prebake",
                "This Daytona client has no snapshot service; use @daytonaio/sdk ≥ 0.20.",
              ),
            ),
      );

  const find = (svc: DaytonaSnapshotServiceLike, name: string) =>
    deps.call({ operation: `get snapshot ${name}`, resource: { kind: "snapshot", id: name } }, () =>
      svc.get(name),
    );

  /** Waits until the snapshot is active (ok) or failed (its error); the scope bounds the wait. */
  const settle = async (
    svc: DaytonaSnapshotServiceLike,
    first: DaytonaSnapshotLike,
    tail: readonly string[],
  ): Promise<Result<DaytonaSnapshotLike, KitError>> => {
    let snapshot = first;
    for (;;) {
      const state = String(snapshot.state ?? "");
      if (state === "active") return ok(snapshot);
      if (FAILED.has(state)) {
        return err(
          prebakeBuildFailed(snapshot.name, state, snapshot.errorReason ?? undefined, tail.join("\n")),
        );
      }
      try {
        await realSleep(deps.pollMs, currentScope()?.signal);
      } catch {
        // The scope ended (deadline or abort): withScope settles the call with its own error.
        return err(kitError.aborted(`wait for snapshot ${snapshot.name}`));
      }
      const next = await find(svc, snapshot.name);
      if (next.isErr()) return err(next.error);
      snapshot = next.value;
    }
  };

  const build = async (
    plan: PrebakePlan,
    options: PrebakeOptions,
  ): Promise<Result<PrebakedImage, KitError>> => {
    const svcResult = await service();
    if (svcResult.isErr()) return err(svcResult.error);
    const svc = svcResult.value;
    const image = (built: boolean): PrebakedImage => ({
      name: plan.name,
      built,
      createFrom: { snapshot: plan.name },
    });

    const existing = await find(svc, plan.name);
    if (existing.isOk()) return (await settle(svc, existing.value, [])).map(() => image(false));
    if (existing.error.kind !== "NotFound") return err(existing.error);

    const tail: string[] = [];
    const onLogs = (chunk: string) => {
      for (const line of chunk.split(/\r?\n/)) {
        if (line === "") continue;
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
        try {
          options.onLog?.(line);
        } catch {
          // A throwing progress callback must not fail the build.
        }
      }
    };
    const sdkImageValue = await deps.call({ operation: `describe image for ${plan.name}` }, () =>
      buildImage(plan),
    );
    if (sdkImageValue.isErr()) return err(sdkImageValue.error);
    const created = await deps.call(
      { operation: `create snapshot ${plan.name}`, timeoutMs: options.timeoutMs },
      () =>
        svc.create(
          { name: plan.name, image: sdkImageValue.value },
          { onLogs, timeout: Math.max(1, Math.ceil(options.timeoutMs / 1000)) },
        ),
    );
    if (created.isOk()) return (await settle(svc, created.value, tail)).map(() => image(true));
    const scope = currentScope();
    if (scope?.ended()) return err(scope.error());
    // 409: another caller created the name first. Adopt its snapshot: wait for it, build nothing.
    if (created.error.kind === "Conflict") {
      const theirs = await find(svc, plan.name);
      if (theirs.isErr()) return err(theirs.error);
      return (await settle(svc, theirs.value, [])).map(() => image(false));
    }
    // The SDK reports a failed build as a plain error: the snapshot's own state says what happened.
    const after = await find(svc, plan.name);
    if (after.isOk() && FAILED.has(String(after.value.state)))
      return settle(svc, after.value, tail).then((r) => r.map(() => image(true)));
    return err(created.error);
  };

  return {
    prebake: (plan, options) => {
      const bad = prebakeArgumentProblem(plan, options);
      if (bad) return new ResultAsync(Promise.resolve(err(bad)));
      return withScope(
        { operation: `prebake ${plan.name}`, timeoutMs: options.timeoutMs, signals: [options.signal] },
        () => new ResultAsync(build(plan, options)),
      );
    },

    listPrebaked: (prefix) => {
      if (typeof prefix !== "string") {
        return new ResultAsync(
          Promise.resolve(err(kitError.invalidArgument("prefix", "prefix must be a string."))),
        );
      }
      return service().andThen((svc) => listAll(deps, svc, prefix));
    },

    deletePrebaked: (name) => {
      if (typeof name !== "string" || name === "") {
        return new ResultAsync(
          Promise.resolve(err(kitError.invalidArgument("name", "name must be a non-empty string."))),
        );
      }
      return service().andThen((svc) =>
        find(svc, name).andThen((snapshot) =>
          deps.call({ operation: `delete snapshot ${name}`, resource: { kind: "snapshot", id: name } }, () =>
            svc.delete(snapshot),
          ),
        ),
      );
    },
  };
}

/** Every snapshot whose name starts with `prefix`, page by page (the API pages its list). */
function listAll(
  deps: DaytonaPrebakeDeps,
  svc: DaytonaSnapshotServiceLike,
  prefix: string,
): ResultAsync<PrebakedEntry[], KitError> {
  return new ResultAsync(
    (async (): Promise<Result<PrebakedEntry[], KitError>> => {
      const entries: PrebakedEntry[] = [];
      for (let page = 1; ; page++) {
        const result = await deps.call({ operation: "list snapshots" }, () => svc.list(page, 100));
        if (result.isErr()) return err(result.error);
        for (const snapshot of result.value.items) {
          if (!snapshot.name.startsWith(prefix)) continue;
          entries.push({
            name: snapshot.name,
            state: String(snapshot.state ?? "unknown"),
            ...(snapshot.createdAt ? { createdAt: new Date(snapshot.createdAt).toISOString() } : {}),
            ...(typeof snapshot.size === "number"
              ? { sizeBytes: Math.round(snapshot.size * 1024 ** 3) }
              : {}),
          });
        }
        const pages = result.value.totalPages ?? 1;
        if (page >= pages || result.value.items.length === 0 || page >= 1_000) return ok(entries);
      }
    })(),
  );
}
