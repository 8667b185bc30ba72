/**
 * A command responder for the emulator and the memory driver that behaves like a Debian sandbox with the services
 * installed: it answers the provisioning engine's probe, report and one-trip scripts (checks fail, so each step runs once;
 * reports read like bookworm's), answers every other command with exit 0, and records those commands.
 */
import type { CommandResponder } from "../../src/testing/index.js";
import { answerOneTrip, answerProbe, BOOKWORM_REPORTS, isOneTripScript } from "../provision/fake-exec.js";

export interface BakedResponder {
  readonly responder: CommandResponder;
  /** The commands that were not probe or report scripts, in order. */
  readonly ran: string[];
}

/** Builds one. */
export function bakedResponder(): BakedResponder {
  const ran: string[] = [];
  const reports = { report: (name: string) => ({ output: BOOKWORM_REPORTS[name] ?? "" }) };
  const responder: CommandResponder = ({ command }) => {
    if (isOneTripScript(command)) {
      const answered = answerOneTrip(command, reports);
      ran.push(...answered.ran);
      return { exitCode: 0, output: answered.output };
    }
    if (command.includes(" report-begin ") || / check \d+ \$\?"/.test(command)) {
      return {
        exitCode: 0,
        output: answerProbe(command, reports),
      };
    }
    ran.push(command);
    return { exitCode: 0, output: "" };
  };
  return { responder, ran };
}
