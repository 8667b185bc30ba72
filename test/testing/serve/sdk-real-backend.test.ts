/**
 * Acceptance of the real toolbox back end: a separate Node process running the real `@daytonaio/sdk` (no msw there)
 * against `startLocalDaytona({ toolbox: "local" })`: create from the default image → upload → a real `python3` →
 * a session where `export` carries over → listFiles → a page served from inside the sandbox, fetched through the
 * preview URL → stop → start (files kept) → delete; then the server's request log shows every call.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  REAL_SERVER_SETUP_MS,
  type RealServer,
  realServerSkipReason,
  startRealServer,
} from "./real-server.js";

const CHILD = fileURLToPath(new URL("./sdk-real-child.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** Runs the child with the server's environment; its exit code, its report and its stderr. */
function runChild(
  env: Record<string, string>,
): Promise<{ code: number | null; report: Record<string, unknown>; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NODE_OPTIONS: "", DAYTONA_USE_DEPRECATED_POLLING: "true", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const line = stdout.trim().split("\n").at(-1) ?? "";
      try {
        resolve({ code, report: JSON.parse(line) as Record<string, unknown>, stderr });
      } catch {
        reject(new Error(`child printed no report (exit ${code}): ${stdout}\n${stderr}`));
      }
    });
  });
}

describe.skipIf(realServerSkipReason !== undefined)(
  "a Daytona SDK in another process against real sandboxes",
  () => {
    let server: RealServer | undefined;
    beforeAll(async () => {
      server = await startRealServer("sdk-real");
    }, REAL_SERVER_SETUP_MS);
    afterAll(async () => {
      await server?.close();
    }, 240_000);

    it("runs the round trip on a real sandbox, and the request log shows every call", async () => {
      const local = (server as RealServer).local;
      const { code, report, stderr } = await runChild(local.env());
      expect(report.crashed, stderr).toBeUndefined();
      expect(code).toBe(0);
      const id = (report.created as { id: string }).id;
      expect(report).toEqual({
        created: { id, state: "started" },
        executed: { exitCode: 0, result: "42" },
        session: { exitCode: 0, stdout: "BAR\n" },
        listed: ["hello.txt"],
        serverStarted: true,
        preview: { status: 200, body: "<h1>served from inside the sandbox</h1>\n" },
        stopped: "stopped",
        started: "started",
        keptFile: "from the child\n",
        afterDelete: 404,
      });

      const routes = local.emulator.requests
        .filter((r) => r.route !== "GET /socket.io")
        .map((r) => `${r.route} ${r.status}`);
      // Each step's own call, in order (the SDK adds state polls between them).
      const expected = [
        "POST /sandbox 200",
        "POST /toolbox/files/bulk-upload 200",
        "POST /toolbox/files/bulk-upload 200",
        "POST /toolbox/process/execute 200",
        "POST /toolbox/process/session 201",
        "POST /toolbox/process/session/:sessionId/exec 200",
        "POST /toolbox/process/session/:sessionId/exec 200",
        "GET /toolbox/files 200",
        "POST /toolbox/process/session 201",
        "POST /toolbox/process/session/:sessionId/exec 202",
        "GET /sandbox/:id/ports/:port/preview-url 200",
        "POST /sandbox/:id/stop 200",
        "POST /sandbox/:id/start 200",
        "POST /toolbox/files/bulk-download 200",
        "DELETE /sandbox/:id 200",
        "GET /sandbox/:id 404",
      ];
      let at = 0;
      for (const step of expected) {
        const found = routes.indexOf(step, at);
        expect(found, `${step} after position ${at} in ${routes.join(", ")}`).toBeGreaterThanOrEqual(0);
        at = found + 1;
      }
      expect(local.emulator.requests.every((r) => r.sandboxId === undefined || r.sandboxId === id)).toBe(
        true,
      );
    }, 600_000);
  },
);
