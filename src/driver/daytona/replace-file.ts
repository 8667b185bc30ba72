/**
 * Atomic replace on Daytona. The daemon's move refuses an existing destination (409 "destination already
 * exists"), so a file that must land over another in one step is renamed by the sandbox's own `mv -f -T`
 * (rename(2): readers see the old file or the new one, never neither). `-T` keeps a destination directory from
 * swallowing the file.
 * @module
 */
import { type KitError, kitError } from "../../errors.js";
import { shellQuote } from "../../shell/quote.js";
import type { ExecOutcome } from "../types.js";

/** The command that renames `source` over `destination`. */
export function replaceCommand(source: string, destination: string): string {
  return `mv -f -T -- ${shellQuote(source)} ${shellQuote(destination)}`;
}

/** The port's answer for that command's outcome. */
export function replaceOutcome(
  outcome: ExecOutcome,
  source: string,
  destination: string,
): KitError | undefined {
  if (outcome.exitCode === 0) return undefined;
  const said = outcome.output.trim();
  if (/No such file or directory/.test(said)) return kitError.notFound("file", source);
  if (/cannot overwrite|Is a directory|Not a directory/i.test(said)) {
    return kitError.invalidArgument("path", `${destination}: ${said}`);
  }
  return kitError.unexpected(
    `Replacing ${destination} with ${source} failed (exit ${outcome.exitCode}): ${said}`,
  );
}
