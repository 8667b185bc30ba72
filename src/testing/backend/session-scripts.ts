/**
 * The shell text that emulates one Daytona session command on a sandbox that only runs one-shot commands. A
 * session's state lives in files inside the sandbox (its working directory in `cwd`, its exported variables in
 * `env` as `export -p` prints them); each command starts from them and a synchronous command writes them back.
 * The command's text is never part of these scripts: it sits in its own file (`command`) and is sourced, so any
 * text (several lines, heredocs, quotes, `exit N`) runs as the user wrote it.
 * @module
 */
import { shellQuote } from "../../shell/quote.js";

/** The files of one command, under its session's directory. */
export interface CommandPaths {
  /** The session's directory (holds `cwd` and `env`). */
  readonly session: string;
  /** The command's directory (holds `command`, `output`, `exit_code`, `pid`). */
  readonly command: string;
}

/** Enters the session's directory and loads its variables; both fail quietly (a removed directory stays put). */
const restore = (p: CommandPaths) =>
  [
    `__dk_s=${shellQuote(p.session)}; __dk_c=${shellQuote(p.command)}`,
    `cd -- "$(cat "$__dk_s/cwd" 2>/dev/null)" 2>/dev/null || :`,
    `. "$__dk_s/env" >/dev/null 2>&1`,
  ].join("\n");

/** Writes `$1`'s text to `$2` through a temporary file and a rename, so a reader never sees half of it. */
const writeAtomically = (what: string, file: string) =>
  `${what} > "${file}.new" 2>/dev/null && mv -f "${file}.new" "${file}"`;

/** Sources the command with its output (stdout and stderr merged, in order) into `output`, stdin empty. */
const run = `. "$__dk_c/command" > "$__dk_c/output" 2>&1 < /dev/null`;

/**
 * A synchronous command: restore, run, and on the way out (a plain end or an `exit N` inside the command, both
 * reach the EXIT trap) save the working directory, the exported variables and the exit code, then exit with it.
 */
export function syncScript(p: CommandPaths): string {
  const save = [
    "__dk_rc=$?",
    "trap - EXIT",
    writeAtomically("pwd", "$__dk_s/cwd"),
    writeAtomically("export -p", "$__dk_s/env"),
    writeAtomically('echo "$__dk_rc"', "$__dk_c/exit_code"),
    'exit "$__dk_rc"',
  ].join("; ");
  return `${restore(p)}\ntrap ${shellQuote(save)} EXIT\n${run}\n`;
}

/**
 * The body of an asynchronous command (a file the launcher runs): restore, run, record the exit code. It does not
 * write the session's state back: it may end long after later commands changed it.
 */
export function asyncRunner(p: CommandPaths): string {
  const save = [
    "__dk_rc=$?",
    "trap - EXIT",
    writeAtomically('echo "$__dk_rc"', "$__dk_c/exit_code"),
    'exit "$__dk_rc"',
  ].join("; ");
  return `${restore(p)}\ntrap ${shellQuote(save)} EXIT\n${run}\n`;
}

/**
 * Starts the runner in the background, in a session and process group of its own where `setsid` exists (so
 * deleting the session can end it and its children), and records its pid. Returns at once.
 */
export function launchScript(p: CommandPaths): string {
  const c = shellQuote(p.command);
  const start = `"\${BASH:-/bin/sh}" ${c}/run < /dev/null > /dev/null 2>&1 &`;
  return [
    `if command -v setsid > /dev/null 2>&1; then setsid ${start} else ${start} fi`,
    `echo "$!" > ${c}/pid`,
  ].join("\n");
}

/** Ends every still-running asynchronous command of a session (its whole process group), then removes its files. */
export function deleteScript(sessionDir: string): string {
  const d = shellQuote(sessionDir);
  return [
    `for __dk_p in ${d}/commands/*/pid; do`,
    `  [ -f "$__dk_p" ] || continue`,
    `  [ -f "\${__dk_p%/pid}/exit_code" ] && continue`,
    `  __dk_n=$(cat "$__dk_p")`,
    `  kill -KILL -- "-$__dk_n" 2>/dev/null || kill -KILL "$__dk_n" 2>/dev/null || :`,
    "done",
    `rm -rf -- ${d}`,
  ].join("\n");
}
