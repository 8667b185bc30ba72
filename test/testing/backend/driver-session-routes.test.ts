import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalDriver } from "../../../src/driver/local/index.js";
import { driverSessionRoutes } from "../../../src/testing/backend/driver-session-routes.js";
import type { SessionRoute } from "../../../src/testing/backend/toolbox-backend.js";
import type { SandboxRecord } from "../../../src/testing/types.js";
import { IMAGE_BUILD_MS, shareImagesInto, skipReason } from "../../driver/local/helpers.js";

describe.skipIf(skipReason !== undefined)("session routes answered by a local sandbox", () => {
  const home = mkdtempSync(join(tmpdir(), "dk-session-routes-"));
  const driver = createLocalDriver({ home });
  const routes = driverSessionRoutes(driver);
  let box = { id: "" } as SandboxRecord;

  beforeAll(async () => {
    expect(await shareImagesInto(home)).toBe(true);
    const created = await driver.create({ timeoutMs: 60_000 });
    if (created.isErr()) throw new Error(created.error.message);
    box = { id: created.value.id } as SandboxRecord;
  }, IMAGE_BUILD_MS);
  afterAll(async () => {
    if (box.id) await driver.delete(box.id, { timeoutMs: 60_000 });
    await driver.dispose();
    rmSync(home, { recursive: true, force: true });
  }, 120_000);

  const call = async (route: SessionRoute, params: Record<string, string> = {}, body?: unknown) => {
    const method = route.split(" ")[0] as string;
    const request = new Request(`http://127.0.0.1:1/toolbox/${box.id}/process/session`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
    });
    const response = await routes(route, { request, params, url: new URL(request.url) }, box);
    const text = await response.text();
    return { status: response.status, body: text === "" ? undefined : JSON.parse(text) };
  };

  it("creates, runs (sync and async), reports and deletes a session with the in-memory path's bodies", async () => {
    expect(await call("POST /toolbox/process/session", {}, { sessionId: "s" })).toEqual({
      status: 201,
      body: undefined,
    });
    const duplicate = await call("POST /toolbox/process/session", {}, { sessionId: "s" });
    expect(duplicate).toMatchObject({
      status: 409,
      body: { message: "conflict: session already exists", code: "CONFLICT" },
    });
    expect(await call("POST /toolbox/process/session", {}, {})).toMatchObject({
      status: 400,
      body: { code: "INVALID_REQUEST_BODY" },
    });
    const exec = "POST /toolbox/process/session/:sessionId/exec";
    await call(exec, { sessionId: "s" }, { command: "export FOO=BAR" });
    const sync = await call(exec, { sessionId: "s" }, { command: "echo $FOO" });
    expect(sync).toMatchObject({
      status: 200,
      body: { output: "BAR\n", stdout: "BAR\n", stderr: "", exitCode: 0 },
    });
    expect(await call(exec, { sessionId: "s" }, { command: "  " })).toMatchObject({ status: 400 });

    const started = await call(exec, { sessionId: "s" }, { command: "echo later; exit 2", runAsync: true });
    expect(started.status).toBe(202);
    const cmdId = String(started.body.cmdId);
    const commandRoute = "GET /toolbox/process/session/:sessionId/command/:commandId";
    let command = await call(commandRoute, { sessionId: "s", commandId: cmdId });
    for (let i = 0; i < 600 && command.body.exitCode === undefined; i++) {
      await sleep(100);
      command = await call(commandRoute, { sessionId: "s", commandId: cmdId });
    }
    expect(command).toEqual({ status: 200, body: { id: cmdId, command: "echo later; exit 2", exitCode: 2 } });
    expect(
      await call("GET /toolbox/process/session/:sessionId/command/:commandId/logs", {
        sessionId: "s",
        commandId: cmdId,
      }),
    ).toEqual({ status: 200, body: { output: "later\n", stdout: "later\n", stderr: "" } });

    const listed = await call("GET /toolbox/process/session");
    expect(listed.body.map((s: { sessionId: string }) => s.sessionId)).toEqual(["s"]);
    expect(
      (await call("GET /toolbox/process/session/:sessionId", { sessionId: "s" })).body.commands,
    ).toHaveLength(3);
    expect(await call("DELETE /toolbox/process/session/:sessionId", { sessionId: "s" })).toEqual({
      status: 204,
      body: undefined,
    });
    expect(await call("GET /toolbox/process/session/:sessionId", { sessionId: "s" })).toMatchObject({
      status: 404,
      body: { message: "not found: session not found", code: "NOT_FOUND", source: "DAYTONA_DAEMON" },
    });
    expect(await call(commandRoute, { sessionId: "s", commandId: cmdId })).toMatchObject({ status: 404 });
  }, 240_000);
});
