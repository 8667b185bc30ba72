/** The shared types of the mini shell and its programs. */
import type { SandboxRecord } from "./types.js";

/** What a shell keeps between commands: its working directory and its variables. */
export interface ShellState {
  cwd: string;
  /** Variables set with `export`/`NAME=value` (a session keeps them for its next commands). */
  readonly vars: Record<string, string>;
}

/** What a program of the mini shell can use while it runs. */
export interface ProgramIo {
  readonly box: SandboxRecord;
  readonly state: ShellState;
  /** The environment the program sees (base environment, shell variables, per-command assignments). */
  readonly env: Readonly<Record<string, string>>;
  /** Its standard input (a here-document or a `<` file), `undefined` when none. */
  readonly stdin: string | undefined;
  /** The shell's name and line, for `sh: LINE: …` messages. */
  readonly where: string;
  /** The status of the previous command (`$?`). */
  readonly lastStatus: number;
  /** Writes to standard output: text (UTF-8) or raw bytes (`cat` of a binary file stays byte-exact). */
  out(data: string | Uint8Array): void;
  err(text: string): void;
  /** Resolves a path against the shell's working directory. */
  resolve(path: string): string;
  /** Adds emulated run time. */
  spend(ms: number): void;
  /** Runs a script in a child shell (own cwd and variables, copied from this one); returns its status. */
  child(script: string, extraEnv: Record<string, string>): number;
  /** Stops the script after this command (`exit`). */
  exit(): void;
}
