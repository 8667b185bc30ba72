/**
 * The kit's own use of Daytona sessions (exec with `onOutput` runs in a session and polls its logs) through a local
 * Daytona server on real sandboxes: the streamed output is the command's real output, and a command past its
 * deadline is ended when the kit deletes its session (nothing keeps running in the sandbox).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Daytona } from "@daytonaio/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDaytonaDriver } from "../../../src/driver/daytona/index.js";
import type { SandboxDriver } from "../../../src/driver/types.js";
import {
  REAL_SERVER_SETUP_MS,
  type RealServer,
  realServerSkipReason,
  startRealServer,
} from "./real-server.js";

describe.skipIf(realServerSkipReason !== undefined)(
  "the Daytona driver's session exec on real sandboxes",
  () => {
    let server: RealServer | undefined;
    let driver: SandboxDriver | undefined;
    let id = "";

    beforeAll(async () => {
      server = await startRealServer("driver-sessions-real");
      const { local } = server;
      const client = new Daytona({
        apiUrl: local.apiUrl,
        apiKey: local.apiKey,
        target: local.target,
        useDeprecatedPolling: true,
      });
      driver = createDaytonaDriver({
        clients: { [local.target]: client } as never,
        targets: [local.target],
        apiKey: local.apiKey,
        sessionPollMs: 50,
      });
      id = (await driver.create({ timeoutMs: 120_000 }))._unsafeUnwrap().id;
    }, REAL_SERVER_SETUP_MS);
    afterAll(async () => {
      await driver?.dispose();
      await server?.close();
    }, 240_000);

    const run = (command: string, timeoutMs = 120_000) =>
      (driver as SandboxDriver).exec(id, { command, timeoutMs });

    it("streams the real output of a command with cwd and env through a session", async () => {
      const chunks: string[] = [];
      const outcome = await (driver as SandboxDriver).exec(id, {
        command: 'echo "$GREETING from $(pwd)"; sleep 0.3; echo done >&2; exit 3',
        cwd: "/tmp",
        env: { GREETING: "hello" },
        timeoutMs: 120_000,
        onOutput: (chunk) => chunks.push(chunk),
      });
      expect(outcome._unsafeUnwrap()).toMatchObject({ exitCode: 3, output: "hello from /tmp\ndone\n" });
      expect(chunks.join("")).toBe("hello from /tmp\ndone\n");
    });

    it("ends a command past its deadline: Timeout, and the session's deletion kills it in the sandbox", async () => {
      const timedOut = await (driver as SandboxDriver).exec(id, {
        command: "sleep 913",
        timeoutMs: 1_500,
        onOutput: () => undefined,
      });
      expect(timedOut._unsafeUnwrapErr().kind).toBe("Timeout");
      const count =
        "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < $f 2>/dev/null; echo; done | grep -c '^sleep 913 '";
      let left = "";
      for (let i = 0; i < 600; i++) {
        left = (await run(count))._unsafeUnwrap().output.trim();
        if (left === "0") break;
        await sleep(100);
      }
      expect(left).toBe("0");
      const sessions = (await run("ls /tmp/.daytona-kit-sessions | wc -l"))._unsafeUnwrap().output.trim();
      expect(sessions).toBe("0");
    }, 240_000);
  },
);
