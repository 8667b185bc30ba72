/**
 * What a route asks a back end to run, and what comes back (apart from `commands.ts`, so back ends can name them
 * without a cycle).
 * @module
 */
import type { CommandReply, SessionRecord } from "./types.js";

/** What a handler asks the emulated daemon to run. */
export interface CommandRequest {
  readonly command: string;
  readonly cwd: string | undefined;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number | undefined;
  readonly sessionId?: string;
  /** The session the command runs in (its shell state carries over). */
  readonly session?: SessionRecord;
}

/** The reply (with defaults applied) and whether the emulated run exceeded the timeout. */
export interface CommandOutcome {
  readonly reply: Required<CommandReply>;
  readonly timedOut: boolean;
}
