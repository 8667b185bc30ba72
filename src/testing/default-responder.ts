import { baseEnvironment, MiniShell } from "./mini-shell.js";
import type { ShellState } from "./shell-types.js";
import type { CommandContext, CommandReply } from "./types.js";

/**
 * The built-in command responder: a small POSIX shell over the emulated filesystem (see `MiniShell` and
 * docs/testing-with-the-emulator.md for what it runs). In a session it keeps the session's working directory and
 * variables between commands; otherwise each command starts in `cwd` with the sent `env`. A program it does not
 * run answers `sh: LINE: NAME: not found` with exit 127; syntax it does not run answers exit 2. It never
 * succeeds quietly.
 */
export function defaultResponder(ctx: CommandContext): CommandReply {
  const state: ShellState = ctx.session ?? { cwd: ctx.cwd, vars: {} };
  return new MiniShell(ctx.sandbox, state, { ...baseEnvironment(ctx.sandbox), ...ctx.env }).run(ctx.command);
}
