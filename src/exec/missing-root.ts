/**
 * The root a command runs in by default may not exist yet: Daytona's images have no `/workspace` until something
 * creates it, and the daemon then answers exit -1 "chdir /workspace: no such file or directory" (a session's
 * `cd` says "No such file or directory" or "can't cd to"). Such a command never started, so once the root really
 * is absent it is created and the command sent again, once.
 * @module
 */
import { okAsync, type ResultAsync } from "neverthrow";
import type { ExecOutcome, SandboxDriver } from "../driver/types.js";
import type { KitError } from "../errors.js";

/** Whether `outcome` says the shell could not enter `cwd`. */
export function couldNotEnter(outcome: ExecOutcome, cwd: string): boolean {
  if (outcome.exitCode === 0) return false;
  const head = outcome.output.slice(0, 512);
  if (outcome.exitCode === -1 && head.startsWith(`chdir ${cwd}: no such file or directory`)) return true;
  return (
    head.includes(cwd) && /\bcd: (?:.*No such file or directory|can't cd to)/.test(head.split("\n")[0] ?? "")
  );
}

/** Creates `root` when it is really absent; `true` when it did (the caller then runs the command again). */
export function createRootIfAbsent(
  driver: SandboxDriver,
  sandboxId: string,
  root: string,
): ResultAsync<boolean, KitError> {
  return driver
    .fileInfo(sandboxId, root)
    .map(() => false)
    .orElse((error) =>
      error.kind === "NotFound"
        ? driver.createFolder(sandboxId, root, "755").map(() => true)
        : okAsync(false),
    );
}
