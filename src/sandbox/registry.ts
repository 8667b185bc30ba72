/**
 * The project → sandbox cache (a cached id goes stale when a sandbox is replaced or deleted): an id is a hint, never the truth. Every lookup validates the cached
 * id against the driver, and forgets ids that are gone or now belong to another project.
 * @module
 */
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import type { SandboxDriver, SandboxInfo } from "../driver/types.js";
import type { KitError } from "../errors.js";
import type { ProjectLabel } from "./project.js";
import { GONE_STATES } from "./wait.js";

/** A validated cache of which sandbox serves which project. */
export interface SandboxRegistry {
  /** The project's sandbox if the cached id still exists and is still labelled for the project; else undefined. */
  lookup(projectId: string): ResultAsync<SandboxInfo | undefined, KitError>;
  remember(projectId: string, sandboxId: string): void;
  forget(projectId: string): void;
  /** Drops every project that points at `sandboxId` (after a delete). */
  forgetSandbox(sandboxId: string): void;
  /** A snapshot of the cache: project → sandbox id. */
  entries(): ReadonlyMap<string, string>;
}

/** Creates a registry over `driver`; `project` reads which project a sandbox belongs to. */
export function createSandboxRegistry(driver: SandboxDriver, project: ProjectLabel): SandboxRegistry {
  const byProject = new Map<string, string>();
  return {
    lookup(projectId) {
      const cached = byProject.get(projectId);
      if (cached === undefined) return okAsync(undefined);
      return driver
        .get(cached)
        .map((info) => {
          if (project.projectOf(info) === projectId && !GONE_STATES.has(info.state)) return info;
          byProject.delete(projectId);
          return undefined;
        })
        .orElse((error): ResultAsync<SandboxInfo | undefined, KitError> => {
          // Only "it is gone" clears the cache; a network fault says nothing about the sandbox.
          if (error.kind !== "NotFound") return errAsync(error);
          byProject.delete(projectId);
          return okAsync(undefined);
        });
    },
    remember: (projectId, sandboxId) => {
      byProject.set(projectId, sandboxId);
    },
    forget: (projectId) => {
      byProject.delete(projectId);
    },
    forgetSandbox(sandboxId) {
      for (const [project, id] of byProject) if (id === sandboxId) byProject.delete(project);
    },
    entries: () => new Map(byProject),
  };
}
