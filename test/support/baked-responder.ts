/**
 * A command responder for the emulator and the memory driver that behaves like a Debian sandbox with the services
 * installed: it answers the provisioning engine's probe and report scripts (checks fail, so each step runs once;
 * reports read like bookworm's), answers every other command with exit 0, and records those commands.
 */
import type { CommandResponder } from "../../src/testing/index.js";
import { answerProbe, BOOKWORM_REPORTS } from "../provision/fake-exec.js";

export interface BakedResponder {
  readonly responder: CommandResponder;
  /** The commands that were not probe or report scripts, in order. */
  readonly ran: string[];
}

/** Builds one. */
export function bakedResponder(): BakedResponder {
  const ran: string[] = [];
  const responder: CommandResponder = ({ command }) => {
    if (command.includes(" report-begin ") || / check \d+ \$\?"/.test(command)) {
      return {
        exitCode: 0,
        output: answerProbe(command, { report: (name) => ({ output: BOOKWORM_REPORTS[name] ?? "" }) }),
      };
    }
    ran.push(command);
    return { exitCode: 0, output: "" };
  };
  return { responder, ran };
}
