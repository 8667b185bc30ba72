import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type EmulatedDaytona, startEmulatedDaytona } from "../../support/emulated-daytona.js";

let env: EmulatedDaytona;
beforeAll(() => {
  env = startEmulatedDaytona();
});
afterEach(() => env.emulator.reset());
afterAll(() => env.close());

const bytes = (text: string) => new TextEncoder().encode(text);

describe("the Daytona driver against the emulator", () => {
  it("runs create → upload → download → exec → preview → stop → start → delete with the expected round trips", async () => {
    const { driver, emulator } = env;
    const created = (
      await driver.create({ image: "python:3.12-slim-bookworm", labels: { team: "qa" }, timeoutMs: 30_000 })
    )._unsafeUnwrap();
    expect(created.state).toBe("started");
    expect(created.labels.team).toBe("qa");
    expect(emulator.count("POST /sandbox")).toBe(1);

    expect(
      (await driver.uploadFiles(created.id, [{ path: "/workspace/a.txt", data: bytes("hello") }])).isOk(),
    ).toBe(true);
    const downloaded = (
      await driver.downloadFiles(created.id, ["/workspace/a.txt", "/workspace/missing"])
    )._unsafeUnwrap();
    expect(downloaded[0]).toMatchObject({ ok: true });
    expect(new TextDecoder().decode((downloaded[0] as { data: Uint8Array }).data)).toBe("hello");
    expect(downloaded[1]).toMatchObject({ ok: false, error: { kind: "NotFound", resource: "file" } });

    const ran = (await driver.exec(created.id, { command: "echo hi", timeoutMs: 5_000 }))._unsafeUnwrap();
    expect(ran).toEqual({ exitCode: 0, output: "hi\n" });

    const preview = (await driver.previewLink(created.id, 3000))._unsafeUnwrap();
    expect(preview.url).toContain("3000");
    expect(preview.token.length).toBeGreaterThan(0);

    expect((await driver.stop(created.id, { timeoutMs: 10_000 }))._unsafeUnwrap().state).toBe("stopped");
    expect((await driver.start(created.id, { timeoutMs: 10_000 }))._unsafeUnwrap().state).toBe("started");
    const secondPreview = (await driver.previewLink(created.id, 3000))._unsafeUnwrap();
    expect(secondPreview.token).not.toBe(preview.token);
    expect((await driver.delete(created.id, { timeoutMs: 10_000 })).isOk()).toBe(true);

    // One request per call: the driver reuses the SDK object from create, so no extra GET before toolbox calls.
    expect(emulator.count("POST /toolbox/files/bulk-upload")).toBe(1);
    expect(emulator.count("POST /toolbox/files/bulk-download")).toBe(1);
    expect(emulator.count("POST /toolbox/process/execute")).toBe(1);
    expect(emulator.count("GET /sandbox/:id/ports/:port/preview-url")).toBe(2);
    expect(emulator.count("POST /sandbox/:id/stop")).toBe(1);
    expect(emulator.count("POST /sandbox/:id/start")).toBe(1);
    expect(emulator.count("DELETE /sandbox/:id")).toBe(1);
    expect((await driver.get(created.id))._unsafeUnwrapErr().kind).toBe("NotFound");
  });

  it("sends every upload as bytes, never a string the SDK would read as a local path", async () => {
    const { driver, emulator } = env;
    const { id } = (
      await driver.create({ image: "python:3.12-slim-bookworm", timeoutMs: 30_000 })
    )._unsafeUnwrap();
    const text = "/etc/passwd"; // a string that is also a valid local path: it must arrive as content
    await driver.uploadFiles(id, [{ path: "/workspace/p.txt", data: bytes(text) }]);
    const stored = emulator.state.sandboxes.get(id)?.files.get("/workspace/p.txt");
    expect(stored && new TextDecoder().decode(stored)).toBe("/etc/passwd");
  });

  it("creates in the requested target with that target's client", async () => {
    const info = (await env.driver.create({ image: "x:1", target: "eu", timeoutMs: 30_000 }))._unsafeUnwrap();
    expect(info.target).toBe("eu");
  });

  it("finds sandboxes by labels", async () => {
    const { driver } = env;
    await driver.create({ image: "x:1", labels: { "apex.project": "p1" }, timeoutMs: 30_000 });
    await driver.create({ image: "x:1", labels: { "apex.project": "p2" }, timeoutMs: 30_000 });
    const found = (await driver.list({ labels: { "apex.project": "p2" } }))._unsafeUnwrap();
    expect(found.map((s) => s.labels["apex.project"])).toEqual(["p2"]);
  });

  it("lists, stats, creates folders, moves and deletes files", async () => {
    const { driver } = env;
    const { id } = (await driver.create({ image: "x:1", timeoutMs: 30_000 }))._unsafeUnwrap();
    expect((await driver.createFolder(id, "/workspace/d/e", "755")).isOk()).toBe(true);
    await driver.uploadFiles(id, [{ path: "/workspace/d/f.txt", data: bytes("12345") }]);
    const listed = (await driver.listFiles(id, "/workspace/d"))._unsafeUnwrap();
    // Modes are octal as on every driver ("644"), not the daemon's symbolic "-rw-r--r--".
    expect(listed.map((e) => [e.name, e.isDir, e.mode]).sort()).toEqual([
      ["e", true, "755"],
      ["f.txt", false, "644"],
    ]);
    expect((await driver.fileInfo(id, "/workspace/d/f.txt"))._unsafeUnwrap()).toMatchObject({
      size: 5,
      isDir: false,
      mode: "644",
    });
    expect((await driver.moveFile(id, "/workspace/d/f.txt", "/workspace/g.txt")).isOk()).toBe(true);
    expect((await driver.fileInfo(id, "/workspace/d/f.txt"))._unsafeUnwrapErr().kind).toBe("NotFound");
    expect((await driver.deleteFile(id, "/workspace/g.txt", false)).isOk()).toBe(true);
    expect((await driver.fileInfo(id, "/workspace/g.txt"))._unsafeUnwrapErr().kind).toBe("NotFound");
  });

  it("streams output through a session when onOutput is given", async () => {
    const { driver, emulator } = env;
    const { id } = (await driver.create({ image: "x:1", timeoutMs: 30_000 }))._unsafeUnwrap();
    const chunks: string[] = [];
    const ran = (
      await driver.exec(id, { command: "echo streamed", timeoutMs: 5_000, onOutput: (c) => chunks.push(c) })
    )._unsafeUnwrap();
    expect(ran.exitCode).toBe(0);
    expect(ran.output).toContain("streamed");
    expect(chunks.join("")).toBe(ran.output);
    expect(emulator.count("POST /toolbox/process/execute")).toBe(0);
  });

  it("returns a non-zero exit as data, and a daemon timeout as Timeout", async () => {
    const { driver } = env;
    const { id } = (await driver.create({ image: "x:1", timeoutMs: 30_000 }))._unsafeUnwrap();
    expect((await driver.exec(id, { command: "exit 3", timeoutMs: 5_000 }))._unsafeUnwrap().exitCode).toBe(3);
    const slow = await driver.exec(id, { command: "sleep 5", timeoutMs: 1_000 });
    expect(slow._unsafeUnwrapErr()).toMatchObject({ kind: "Timeout" });
  });

  it("never leaks the API key into an error", async () => {
    const { driver, emulator } = env;
    emulator.faults.inject("POST /sandbox", { status: 500, body: { statusCode: 500, message: "boom" } });
    const failed = (await driver.create({ image: "x:1", timeoutMs: 30_000 }))._unsafeUnwrapErr();
    expect(failed.kind).toBe("Transient");
    expect(JSON.stringify(failed)).not.toContain(emulator.clientConfig().apiKey);
  });
});
