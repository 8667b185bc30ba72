import type { CommandOutcome, CommandRequest } from "./command-types.js";
import type { EmulatorContext } from "./context.js";
import { defaultResponder } from "./default-responder.js";
import { exists, HOME_DIR, mkdirp, remove, resolvePath, writeFile } from "./fs-state.js";
import type { CommandContext, CommandFs, CommandReply, CommandResponder, SandboxRecord } from "./types.js";

export type { CommandOutcome, CommandRequest } from "./command-types.js";

/** Filesystem helpers over one sandbox, resolving relative paths against `cwd`. */
export function commandFs(box: SandboxRecord, cwd: string): CommandFs {
  const at = (path: string) => resolvePath(path, cwd);
  return {
    readFile: (path) => box.files.get(at(path)),
    readText: (path) => {
      const bytes = box.files.get(at(path));
      return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
    },
    writeFile: (path, content) => {
      const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
      const failure = writeFile(box, at(path), bytes);
      if (failure) throw new Error(failure.message);
    },
    exists: (path) => exists(box, at(path)),
    isDirectory: (path) => box.dirs.has(at(path)),
    mkdir: (path) => {
      const failure = mkdirp(box, at(path));
      if (failure) throw new Error(failure.message);
    },
    remove: (path) => {
      remove(box, at(path), true);
    },
  };
}

/**
 * Runs a command through the emulator's responder chain (rules added with `onCommand`, newest first; then the
 * `commandResponder` option; then the built-in responder) and records it on the sandbox.
 */
export function runCommand(
  ctx: EmulatorContext,
  box: SandboxRecord,
  request: CommandRequest,
): Promise<CommandOutcome> {
  const chain: CommandResponder[] = [...ctx.responders].reverse();
  if (ctx.options.commandResponder) chain.push(ctx.options.commandResponder);
  return runThrough(chain, box, request);
}

/**
 * Runs a command through `chain` (the first responder that answers wins; the built-in mini shell answers last)
 * and records it on the sandbox. Shared by the emulator's daemon and the memory driver.
 */
export async function runThrough(
  chain: readonly CommandResponder[],
  box: SandboxRecord,
  request: CommandRequest,
): Promise<CommandOutcome> {
  const cwd = resolvePath(request.session?.cwd ?? request.cwd ?? HOME_DIR);
  const commandContext: CommandContext = {
    command: request.command,
    cwd,
    env: request.env,
    timeoutSeconds: request.timeoutSeconds,
    sessionId: request.sessionId,
    session: request.session,
    sandbox: box,
    fs: commandFs(box, cwd),
  };
  let reply: CommandReply | undefined;
  for (const responder of chain) {
    reply = await responder(commandContext);
    if (reply !== undefined) break;
  }
  // A test's own responders answer as they like; the built-in shell starts where the daemon does: in `cwd`
  // (a session `cd`s itself), so a missing one means the command never ran.
  const missingCwd = request.session === undefined && request.cwd !== undefined && !box.dirs.has(cwd);
  reply ??= missingCwd
    ? { exitCode: -1, output: `chdir ${request.cwd}: no such file or directory` }
    : defaultResponder(commandContext);
  const full: Required<CommandReply> = {
    exitCode: reply.exitCode,
    output: reply.output,
    stdout: reply.stdout ?? reply.output,
    stderr: reply.stderr ?? "",
    durationMs: reply.durationMs ?? 0,
  };
  const timeout = request.timeoutSeconds;
  const timedOut = timeout !== undefined && timeout > 0 && full.durationMs > timeout * 1000;
  box.commands.push({
    sandboxId: box.id,
    command: request.command,
    cwd: request.cwd,
    env: { ...request.env },
    timeoutSeconds: request.timeoutSeconds,
    ...(request.sessionId !== undefined ? { sessionId: request.sessionId } : {}),
    exitCode: timedOut ? 137 : full.exitCode,
    output: full.output,
    timedOut,
    at: Date.now(),
  });
  return { reply: full, timedOut };
}
