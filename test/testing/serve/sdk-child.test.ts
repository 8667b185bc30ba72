/**
 * A separate Node process running the real `@daytonaio/sdk` (no msw there) against a local Daytona server in this
 * process: create → upload → download → execute → list → stop → start → delete, each step checked by what it
 * returned, and each call found in the server's request log.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalDaytona, startLocalDaytona } from "../../../src/testing/index.js";

const CHILD = fileURLToPath(new URL("./sdk-round-trip-child.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
let local: LocalDaytona;

beforeAll(async () => {
  local = (await startLocalDaytona())._unsafeUnwrap();
});
afterAll(async () => {
  await local?.close();
});

/** Runs the child with the server's environment; its exit code, its report and its stderr. */
function runChild(
  env: Record<string, string>,
): Promise<{ code: number | null; report: Record<string, unknown>; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NODE_OPTIONS: "", ...env },
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

describe("a Daytona SDK in another process against startLocalDaytona", () => {
  it("runs the round trip, and the server's request log shows every call", async () => {
    const started = Date.now();
    const { code, report, stderr } = await runChild(local.env());
    console.info(`SDK child round trip (process start included): ${Date.now() - started} ms`);
    expect(report.crashed, stderr).toBeUndefined();
    expect(code).toBe(0);
    const id = (report.created as { id: string }).id;
    expect(report).toEqual({
      created: { id, state: "started" },
      downloaded: "from the child\n",
      executed: { exitCode: 0, result: "hi\n" },
      listed: [id],
      stopped: "stopped",
      started: "started",
      keptFile: "from the child\n",
      afterDelete: 404,
    });

    const routes = local.emulator.requests
      .filter((r) => r.route !== "GET /socket.io")
      .map((r) => `${r.route} ${r.status}`);
    // Each step's own call, in order (the SDK may add state polls between them).
    const expected = [
      "POST /sandbox 200",
      "POST /toolbox/files/bulk-upload 200",
      "POST /toolbox/files/bulk-download 200",
      "POST /toolbox/process/execute 200",
      "GET /sandbox 200",
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
    expect(local.emulator.requests.every((r) => r.sandboxId === undefined || r.sandboxId === id)).toBe(true);
    expect(local.emulator.inFlight()).toBe(0);
  }, 120_000);
});
