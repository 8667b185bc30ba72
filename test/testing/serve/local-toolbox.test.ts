/**
 * The local Daytona with the real back end: the real `@daytonaio/sdk` (in this process, no msw) against
 * `startLocalDaytona({ toolbox: "local" })`, each Daytona sandbox a real local sandbox under a home of the test's
 * own. Two sandboxes in all (each create takes seconds). Skipped where local sandboxes cannot run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Daytona } from "@daytonaio/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalDriver } from "../../../src/driver/local/index.js";
import { type LocalDaytona, startLocalDaytona } from "../../../src/testing/index.js";
import { IMAGE_BUILD_MS, shareImagesInto, skipReason } from "../../driver/local/helpers.js";

const KEY = "local-toolbox-key";

describe.skipIf(skipReason !== undefined)("local Daytona with the real toolbox back end", () => {
  let home: string;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), "dk-serve-local-"));
    expect(await shareImagesInto(home)).toBe(true);
  }, IMAGE_BUILD_MS);

  afterAll(async () => {
    // Only this test's home: whatever a failed step left there.
    await createLocalDriver({ home }).deleteAll({ timeoutMs: 60_000 });
    rmSync(home, { recursive: true, force: true });
  }, 120_000);

  const serve = async (cleanup = false): Promise<LocalDaytona> => {
    const started = await startLocalDaytona({ apiKey: KEY, toolbox: "local", home, cleanup });
    if (started.isErr()) throw new Error(started.error.message);
    return started.value;
  };
  const get = (server: LocalDaytona, path: string, method = "GET") =>
    fetch(`${server.apiUrl}${path}`, { method, headers: { authorization: `Bearer ${KEY}` } });

  let boxId = "";

  it("runs the SDK's round trip on a real sandbox: upload, python, list, stop, start with the file kept", async () => {
    const server = await serve();
    const daytona = new Daytona({ apiUrl: server.apiUrl, apiKey: KEY, target: server.target });
    try {
      const sandbox = await daytona.create(
        { name: "real-one", labels: { suite: "local-toolbox" } },
        { timeout: 120 },
      );
      boxId = sandbox.id;
      expect(sandbox.id).toMatch(/^lsb-[0-9a-f]{12}$/);
      await sandbox.fs.uploadFile(Buffer.from("print(6*7)\n"), "calc.py");
      expect((await sandbox.process.executeCommand('python3 -c "print(6*7)"')).result.trim()).toBe("42");
      const script = await sandbox.process.executeCommand("python3 calc.py; exit 5");
      expect({ exitCode: script.exitCode, result: script.result.trim() }).toEqual({
        exitCode: 5,
        result: "42",
      });
      const files = await sandbox.fs.listFiles("/workspace");
      expect(files.map((file) => file.name)).toContain("calc.py");

      await sandbox.stop(120);
      expect((await daytona.get(sandbox.id)).state).toBe("stopped");
      await sandbox.start(120);
      expect((await sandbox.fs.downloadFile("/workspace/calc.py")).toString("utf8")).toBe("print(6*7)\n");
      expect(server.emulator.count("POST /toolbox/process/execute")).toBe(2);

      await expect(daytona.create({ image: "ruby:3.3" })).rejects.toThrow(/not available locally/);
      const unknown = await fetch(`${server.apiUrl}/sandbox`, {
        method: "POST",
        headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ snapshot: "no-such-snapshot" }),
      });
      expect(unknown.status).toBe(400);
    } finally {
      await daytona[Symbol.asyncDispose]();
      await server.close();
    }
  }, 300_000);

  it("finds the sandbox after a restart; cleanup deletes only its own run's; delete removes it", async () => {
    expect(boxId).not.toBe("");
    const second = await serve(true);
    const found = await get(second, `/sandbox/${boxId}`);
    expect(found.status).toBe(200);
    expect(await found.json()).toMatchObject({
      id: boxId,
      name: "real-one",
      labels: { suite: "local-toolbox" },
      state: "started",
    });
    const created = await fetch(`${second.apiUrl}/sandbox`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "second-run" }),
    });
    expect(created.status).toBe(200);
    const mine = ((await created.json()) as { id: string }).id;
    expect(await second.close()).toEqual({ deleted: [mine] });
    const local = createLocalDriver({ home });
    expect((await local.get(boxId)).isOk()).toBe(true);
    expect((await local.get(mine)).isErr()).toBe(true);

    const third = await serve();
    try {
      expect((await get(third, `/sandbox/${boxId}`, "DELETE")).status).toBe(200);
      expect((await get(third, `/sandbox/${boxId}`)).status).toBe(404);
      expect((await local.get(boxId))._unsafeUnwrapErr().kind).toBe("NotFound");
    } finally {
      await third.close();
    }
  }, 300_000);
});
