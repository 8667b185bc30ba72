/**
 * Daytona's process sessions on a real sandbox whose driver only runs one-shot commands (`SandboxDriver.exec`).
 *
 * A session is a directory inside the sandbox (`<root>/<hash of the id>/`): `cwd` and `env` hold its working
 * directory and exported variables, `commands/<id>/` one command each (`command`, `started`, `output`, `exit_code`,
 * and `pid` for asynchronous ones). Every command runs in a fresh shell that first restores the session's state and,
 * when synchronous, saves it on the way out (see `session-scripts.ts`). So `cd` and `export` carry over from one
 * command to the next, as in Daytona; shell functions, aliases, unexported variables and `set` options do not,
 * and an asynchronous command sees the state of its start but never writes it back. Output is stdout and stderr
 * merged in order (`stdout` repeats it, `stderr` is empty). Keeping everything in the sandbox means the sessions
 * outlive the server process that made them.
 * @module
 */
import { createHash, randomUUID } from "node:crypto";
import { err, ok, type Result, ResultAsync } from "neverthrow";
import type { FileEntry, SandboxDriver } from "../../driver/types.js";
import { type KitError, kitError } from "../../errors.js";
import { createKeyedQueue } from "../../policy/keyed-queue.js";
import { shellQuote } from "../../shell/quote.js";
import { asyncRunner, type CommandPaths, deleteScript, launchScript, syncScript } from "./session-scripts.js";

/** Where the sessions' directories live inside each sandbox. */
export const SESSIONS_ROOT = "/tmp/.daytona-kit-sessions";

/** Options of {@link createDriverSessions}. */
export interface DriverSessionsOptions {
  /** Directory inside the sandbox holding the sessions. @default "/tmp/.daytona-kit-sessions" */
  readonly root?: string;
  /**
   * How long a synchronous session command may run before it is killed (`Timeout`): as long as `process/execute`
   * lets a command without a timeout run. @default 3_600_000 (an hour)
   */
  readonly timeoutMs?: number;
  /** Most bytes of a command's output returned (its tail), as the execute route keeps. @default 10 MiB */
  readonly maxOutputBytes?: number;
}

/** One command of a session, as `GET …/command/:id` reports it: no `exitCode` while it runs. */
export interface SessionCommandView {
  readonly id: string;
  readonly command: string;
  readonly exitCode?: number;
}

/** A session and its commands in the order they started. */
export interface SessionView {
  readonly sessionId: string;
  readonly commands: readonly SessionCommandView[];
}

/** A command's logs (`…/logs`): the merged output; `stdout` repeats it and `stderr` is empty. */
export interface SessionCommandLogs {
  readonly output: string;
  readonly stdout: string;
  readonly stderr: string;
}

/** What running a command answers: the id, and for a synchronous command its exit code and logs. */
export type SessionRunResult =
  | { readonly cmdId: string; readonly async: true }
  | ({ readonly cmdId: string; readonly async: false; readonly exitCode: number } & SessionCommandLogs);

/**
 * Sessions on the sandboxes of one driver. Errors: `NotFound` with `resource` `"session"` (unknown session) or
 * `"command"` (unknown command), `Conflict` (a session of that id exists), `Timeout` (a synchronous command ran
 * past `timeoutMs`), and whatever the driver answers (an unknown or stopped sandbox).
 */
export interface DriverSessions {
  /** Creates an empty session; `Conflict` when one of that id exists. */
  create(sandboxId: string, sessionId: string): ResultAsync<void, KitError>;
  /** The session and its commands. */
  get(sandboxId: string, sessionId: string): ResultAsync<SessionView, KitError>;
  /** Every session of the sandbox. */
  list(sandboxId: string): ResultAsync<SessionView[], KitError>;
  /** Ends the session's running asynchronous commands (their process groups) and removes its files. */
  delete(sandboxId: string, sessionId: string): ResultAsync<void, KitError>;
  /**
   * Runs `command` in the session. Synchronous: waits, saves the session's `cwd` and exported variables, answers
   * the exit code and output. `runAsync`: starts it in the background and answers its id at once; its exit code and
   * logs come later from {@link DriverSessions.command} and {@link DriverSessions.logs}.
   */
  execute(
    sandboxId: string,
    sessionId: string,
    request: { readonly command: string; readonly runAsync?: boolean },
  ): ResultAsync<SessionRunResult, KitError>;
  /** One command: its text and, once it ended, its exit code. */
  command(sandboxId: string, sessionId: string, commandId: string): ResultAsync<SessionCommandView, KitError>;
  /** One command's output so far (the last `maxOutputBytes`). */
  logs(sandboxId: string, sessionId: string, commandId: string): ResultAsync<SessionCommandLogs, KitError>;
}

const MIB = 1024 * 1024;
/** Launching, deleting and tail reads are short scripts; under heavy load they still finish well within this. */
const HOUSEKEEPING_MS = 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const bytes = (text: string) => new TextEncoder().encode(text);
const textOf = (data: Uint8Array) => new TextDecoder().decode(data);
const isMissingFile = (error: KitError) =>
  error.kind === "NotFound" && (error as { resource?: string }).resource === "file";

/** Sortable start stamp: milliseconds, then a per-process counter for commands started in the same one. */
let started = 0;
const stamp = () => `${String(Date.now()).padStart(15, "0")}.${String(started++ % 1e6).padStart(6, "0")}`;

/**
 * Daytona sessions emulated on the sandboxes of `driver` (see the module comment for what carries over between
 * commands and what does not).
 *
 * @example
 * const sessions = createDriverSessions(createLocalDriver());
 * await sessions.create(id, "s1");
 * await sessions.execute(id, "s1", { command: "export FOO=BAR; cd /tmp" });
 * const run = await sessions.execute(id, "s1", { command: "echo $FOO; pwd" });
 * // run.value.output === "BAR\n/tmp\n"
 */
export function createDriverSessions(
  driver: SandboxDriver,
  options: DriverSessionsOptions = {},
): DriverSessions {
  const root = options.root ?? SESSIONS_ROOT;
  const timeoutMs = options.timeoutMs ?? 3_600_000;
  const maxOutputBytes = options.maxOutputBytes ?? 10 * MIB;
  /** Synchronous commands of one session run one after another, as they would in one shell. */
  /** Creations in flight, so two racing creates of one id answer one 201 and one 409. */
  const creating = new Set<string>();

  const sessionDir = (sessionId: string) =>
    `${root}/${createHash("sha256").update(sessionId).digest("hex").slice(0, 32)}`;
  const paths = (sessionId: string, commandId: string): CommandPaths => ({
    session: sessionDir(sessionId),
    command: `${sessionDir(sessionId)}/commands/${commandId}`,
  });
  const noSession = (sessionId: string) => kitError.notFound("session", sessionId);

  const shell = async (sandboxId: string, command: string): Promise<Result<number, KitError>> => {
    const done = await driver.exec(sandboxId, {
      command,
      timeoutMs: HOUSEKEEPING_MS,
      maxOutputBytes: 64 * 1024,
    });
    return done.map((outcome) => outcome.exitCode);
  };

  /** The session's command directories, or `NotFound` (session) when it does not exist. */
  const commandEntries = async (
    sandboxId: string,
    sessionId: string,
  ): Promise<Result<FileEntry[], KitError>> => {
    const listed = await driver.listFiles(sandboxId, `${sessionDir(sessionId)}/commands`);
    if (listed.isErr()) return err(isMissingFile(listed.error) ? noSession(sessionId) : listed.error);
    return ok(listed.value.filter((entry) => entry.isDir && UUID.test(entry.name)));
  };

  /** Reads small files of the sandbox; a missing one is `undefined`. */
  const readSmall = async (sandboxId: string, files: readonly string[]) => {
    const read = await driver.downloadFiles(sandboxId, files);
    return read.map((outcomes) => outcomes.map((outcome) => (outcome.ok ? textOf(outcome.data) : undefined)));
  };

  /** The last `maxOutputBytes` of a file ("" when it does not exist yet): whole when small, else through `tail`. */
  const readTail = async (sandboxId: string, file: string): Promise<Result<string, KitError>> => {
    const info = await driver.fileInfo(sandboxId, file);
    if (info.isErr()) return isMissingFile(info.error) ? ok("") : err(info.error);
    if (info.value.size <= maxOutputBytes) {
      return (await readSmall(sandboxId, [file])).map(([content]) => content ?? "");
    }
    const tail = await driver.exec(sandboxId, {
      command: `tail -c ${maxOutputBytes} ${shellQuote(file)}`,
      timeoutMs: HOUSEKEEPING_MS,
      maxOutputBytes,
    });
    return tail.map((outcome) => outcome.output);
  };

  const views = async (
    sandboxId: string,
    sessionId: string,
    entries: readonly FileEntry[],
  ): Promise<Result<SessionView, KitError>> => {
    const files = entries.flatMap((entry) =>
      ["command", "started", "exit_code"].map((f) => `${entry.path}/${f}`),
    );
    const read = await readSmall(sandboxId, files);
    if (read.isErr()) return err(read.error);
    const commands = entries.map((entry, i) => {
      const [command = "", start = "", exit] = read.value.slice(i * 3, i * 3 + 3);
      const exitCode = exit === undefined ? undefined : Number.parseInt(exit, 10);
      const view: SessionCommandView = {
        id: entry.name,
        command,
        ...(exitCode !== undefined && Number.isInteger(exitCode) ? { exitCode } : {}),
      };
      return { view, start };
    });
    commands.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    return ok({ sessionId, commands: commands.map((c) => c.view) });
  };

  const get = async (sandboxId: string, sessionId: string): Promise<Result<SessionView, KitError>> => {
    const entries = await commandEntries(sandboxId, sessionId);
    return entries.isErr() ? err(entries.error) : views(sandboxId, sessionId, entries.value);
  };

  const list = async (sandboxId: string): Promise<Result<SessionView[], KitError>> => {
    const dirs = await driver.listFiles(sandboxId, root);
    if (dirs.isErr()) return isMissingFile(dirs.error) ? ok([]) : err(dirs.error);
    const sessionDirs = dirs.value.filter((entry) => entry.isDir);
    const ids = await readSmall(
      sandboxId,
      sessionDirs.map((entry) => `${entry.path}/session-id`),
    );
    if (ids.isErr()) return err(ids.error);
    const sessions: SessionView[] = [];
    for (const id of ids.value) {
      if (id === undefined) continue; // a session being created or deleted right now
      const view = await get(sandboxId, id);
      if (view.isOk()) sessions.push(view.value);
      else if (
        !(view.error.kind === "NotFound" && (view.error as { resource?: string }).resource === "session")
      ) {
        return err(view.error);
      }
    }
    return ok(sessions);
  };

  const create = async (sandboxId: string, sessionId: string): Promise<Result<void, KitError>> => {
    const key = `${sandboxId}\0${sessionId}`;
    const exists = () => kitError.conflict(`session ${sessionId} already exists`);
    if (creating.has(key)) return err(exists());
    creating.add(key);
    try {
      const dir = sessionDir(sessionId);
      const present = await driver.fileInfo(sandboxId, `${dir}/session-id`);
      if (present.isOk()) return err(exists());
      if (!isMissingFile(present.error)) return err(present.error);
      const folder = await driver.createFolder(sandboxId, `${dir}/commands`, "755");
      if (folder.isErr()) return err(folder.error);
      // `session-id` last: list() shows a session only once it is whole.
      const state = await driver.uploadFiles(sandboxId, [
        { path: `${dir}/cwd`, data: new Uint8Array(0) },
        { path: `${dir}/env`, data: new Uint8Array(0) },
      ]);
      if (state.isErr()) return err(state.error);
      return driver.uploadFiles(sandboxId, [{ path: `${dir}/session-id`, data: bytes(sessionId) }]);
    } finally {
      creating.delete(key);
    }
  };

  const remove = async (sandboxId: string, sessionId: string): Promise<Result<void, KitError>> => {
    const dir = sessionDir(sessionId);
    const present = await driver.fileInfo(sandboxId, `${dir}/session-id`);
    if (present.isErr()) return err(isMissingFile(present.error) ? noSession(sessionId) : present.error);
    const removed = await shell(sandboxId, deleteScript(dir));
    if (removed.isErr()) return err(removed.error);
    return removed.value === 0
      ? ok(undefined)
      : err(kitError.unexpected(`deleting session ${sessionId} failed`));
  };

  /** Runs `task` after the session's earlier synchronous commands. */
  const inTurn = createKeyedQueue();

  const execute = async (
    sandboxId: string,
    sessionId: string,
    request: { readonly command: string; readonly runAsync?: boolean },
  ): Promise<Result<SessionRunResult, KitError>> => {
    const present = await driver.fileInfo(sandboxId, `${sessionDir(sessionId)}/session-id`);
    if (present.isErr()) return err(isMissingFile(present.error) ? noSession(sessionId) : present.error);
    const cmdId = randomUUID();
    const p = paths(sessionId, cmdId);
    const files = [
      { path: `${p.command}/command`, data: bytes(request.command) },
      { path: `${p.command}/started`, data: bytes(stamp()) },
      ...(request.runAsync ? [{ path: `${p.command}/run`, data: bytes(asyncRunner(p)) }] : []),
    ];
    const staged = await driver.uploadFiles(sandboxId, files);
    if (staged.isErr()) return err(staged.error);

    if (request.runAsync) {
      const launched = await shell(sandboxId, launchScript(p));
      if (launched.isErr()) return err(launched.error);
      return ok({ cmdId, async: true });
    }
    return inTurn(`${sandboxId}\0${sessionId}`, async (): Promise<Result<SessionRunResult, KitError>> => {
      const ran = await driver.exec(sandboxId, {
        command: syncScript(p),
        timeoutMs,
        maxOutputBytes: 64 * 1024,
      });
      if (ran.isErr()) return err(ran.error);
      // The EXIT trap wrote it already, unless the shell was killed (an OOM kill skips every trap).
      const recorded = await driver.uploadFiles(sandboxId, [
        { path: `${p.command}/exit_code`, data: bytes(`${ran.value.exitCode}\n`) },
      ]);
      if (recorded.isErr()) return err(recorded.error);
      const output = await readTail(sandboxId, `${p.command}/output`);
      if (output.isErr()) return err(output.error);
      return ok({
        cmdId,
        async: false,
        exitCode: ran.value.exitCode,
        output: output.value,
        stdout: output.value,
        stderr: "",
      });
    });
  };

  /** The command's directory, or `NotFound` for the session or the command. */
  const commandDir = async (
    sandboxId: string,
    sessionId: string,
    commandId: string,
  ): Promise<Result<string, KitError>> => {
    const present = await driver.fileInfo(sandboxId, `${sessionDir(sessionId)}/session-id`);
    if (present.isErr()) return err(isMissingFile(present.error) ? noSession(sessionId) : present.error);
    const missing = kitError.notFound("command", commandId);
    // The id names a directory: anything but a UUID (`..`, slashes) is simply unknown.
    if (!UUID.test(commandId)) return err(missing);
    const dir = paths(sessionId, commandId).command;
    const info = await driver.fileInfo(sandboxId, `${dir}/command`);
    if (info.isErr()) return err(isMissingFile(info.error) ? missing : info.error);
    return ok(dir);
  };

  const command = async (
    sandboxId: string,
    sessionId: string,
    commandId: string,
  ): Promise<Result<SessionCommandView, KitError>> => {
    const dir = await commandDir(sandboxId, sessionId, commandId);
    if (dir.isErr()) return err(dir.error);
    const view = await views(sandboxId, sessionId, [
      { name: commandId, path: dir.value, isDir: true, size: 0 },
    ]);
    return view.map((session) => session.commands[0] as SessionCommandView);
  };

  const logs = async (
    sandboxId: string,
    sessionId: string,
    commandId: string,
  ): Promise<Result<SessionCommandLogs, KitError>> => {
    const dir = await commandDir(sandboxId, sessionId, commandId);
    if (dir.isErr()) return err(dir.error);
    const output = await readTail(sandboxId, `${dir.value}/output`);
    return output.map((text) => ({ output: text, stdout: text, stderr: "" }));
  };

  const wrap =
    <A extends unknown[], T>(f: (...args: A) => Promise<Result<T, KitError>>) =>
    (...args: A): ResultAsync<T, KitError> =>
      new ResultAsync(
        f(...args).catch((error: unknown) =>
          err(kitError.unexpected(`session emulation failed: ${String(error)}`, { cause: error })),
        ),
      );

  return {
    create: wrap(create),
    get: wrap(get),
    list: wrap(list),
    delete: wrap(remove),
    execute: wrap(execute),
    command: wrap(command),
    logs: wrap(logs),
  };
}
