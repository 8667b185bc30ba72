/**
 * `KitSandbox`: one sandbox with everything above the driver port — fs, exec, provisioners, preview and
 * lifecycle — bound to it.
 * @module
 */
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import type { PreviewLink, SandboxDriver, SandboxInfo } from "../driver/types.js";
import type { KitError } from "../errors.js";
import { createExec } from "../exec/exec.js";
import type { Exec } from "../exec/types.js";
import { createResolvedSandboxFs } from "../fs/fs.js";
import type { FsSettings } from "../fs/settings.js";
import type { SandboxFs } from "../fs/types.js";
import { createProvisioner, type Provisioner } from "../provision/index.js";
import { checkInteger } from "../validate/numbers.js";
import type { ProjectLabel } from "./project.js";
import type { SandboxRegistry } from "./registry.js";

/** What `await using sandbox = …` does at the end of the scope. */
export type DisposeAction = "keep" | "stop" | "delete";

/** Settings a handle is built with, resolved by the kit (nothing is defaulted here). */
export interface HandleSettings {
  readonly driver: SandboxDriver;
  readonly registry: SandboxRegistry;
  readonly fs: FsSettings;
  readonly execTimeoutMs: number;
  readonly lifecycleTimeoutMs: number;
  readonly onDispose: DisposeAction;
  /** Reads the project a sandbox belongs to. */
  readonly project: ProjectLabel;
}

/** One sandbox, ready to use. Every fallible call returns a `ResultAsync`. */
export interface KitSandbox extends AsyncDisposable {
  readonly id: string;
  /** The region (Daytona target) it lives in; `"local"` on the local driver. */
  readonly region: string;
  /** The project label's value, when the sandbox came from `ensure`. */
  readonly projectId: string | undefined;
  /** The last known state (refreshed by `refresh`, `start`, `stop`). */
  readonly state: string;
  /** The last known details. */
  readonly info: SandboxInfo;
  /** The safe filesystem facade, rooted at the kit's `root` (default `/workspace`). */
  readonly fs: SandboxFs;
  /** Runs a shell command; see {@link Exec}. */
  readonly exec: Exec;
  /** git, PostgreSQL, Redis, Node builds and static serving. */
  readonly provision: Provisioner;
  /** A URL and token reaching `port`; fetched again after every start (Daytona rotates the token). */
  preview(port: number): ResultAsync<PreviewLink, KitError>;
  /** Fetches the current state from the driver. */
  refresh(): ResultAsync<SandboxInfo, KitError>;
  /** Starts the sandbox and waits until it is `started`. */
  start(): ResultAsync<SandboxInfo, KitError>;
  /** Stops the sandbox and waits until it is `stopped`. */
  stop(): ResultAsync<SandboxInfo, KitError>;
  /** Deletes the sandbox; an already-deleted sandbox is Ok. */
  delete(): ResultAsync<void, KitError>;
}

/** Builds the handle for `initial`. */
export function createSandboxHandle(settings: HandleSettings, initial: SandboxInfo): KitSandbox {
  const { driver } = settings;
  const id = initial.id;
  let info = initial;
  const previews = new Map<number, PreviewLink>();
  const update = (next: SandboxInfo) => {
    info = next;
    return next;
  };
  const exec = createExec({
    driver,
    sandboxId: id,
    defaultCwd: settings.fs.root,
    defaultTimeoutMs: settings.execTimeoutMs,
  });
  const fs = createResolvedSandboxFs({ driver, sandboxId: id, exec }, settings.fs);
  const provision = createProvisioner({
    exec,
    writeText: (path, text) => fs.writeText(path, text),
    memoryGiB: initial.memoryGiB ?? 1,
    // Provisioner scripts live under the fs root, so the facade's path rules accept them whatever the root is.
    stateDir: `${settings.fs.root === "/" ? "" : settings.fs.root}/.daytona-kit`,
  });
  const wait = { timeoutMs: settings.lifecycleTimeoutMs };

  const handle: KitSandbox = {
    id,
    get region() {
      return info.target;
    },
    projectId: settings.project.projectOf(initial),
    get state() {
      return info.state;
    },
    get info() {
      return info;
    },
    fs,
    exec,
    provision,
    preview(port) {
      const invalid = checkInteger(port, "port", 1, 65_535);
      if (invalid.isErr()) return errAsync(invalid.error);
      const cached = previews.get(port);
      if (cached) return okAsync(cached);
      return driver.previewLink(id, port).map((link) => {
        previews.set(port, link);
        return link;
      });
    },
    refresh: () => driver.get(id).map(update),
    start: () => {
      previews.clear();
      return driver.start(id, wait).map(update);
    },
    stop: () => {
      previews.clear();
      return driver.stop(id, wait).map(update);
    },
    delete: () =>
      driver
        .delete(id, wait)
        .orElse((error) => (error.kind === "NotFound" ? okAsync(undefined) : errAsync(error)))
        .map(() => {
          previews.clear();
          settings.registry.forgetSandbox(id);
          info = { ...info, state: "destroyed" };
        }),
    async [Symbol.asyncDispose]() {
      if (settings.onDispose === "delete") await handle.delete();
      else if (settings.onDispose === "stop") await handle.stop();
    },
  };
  return handle;
}
