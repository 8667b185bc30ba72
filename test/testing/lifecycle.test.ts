import { DaytonaError, DaytonaNotFoundError, DaytonaTimeoutError, SandboxState } from "@daytonaio/sdk";
import { describe, expect, it } from "vitest";
import { useEmulator } from "./fixture.js";

const env = useEmulator();

describe("create", () => {
  it("creates from an image and records the Dockerfile, labels (with the SDK's language label), env and name", async () => {
    const sandbox = await env.client().create({
      image: "python:3.12-slim",
      name: "probe-box",
      envVars: { FOO: "bar" },
      labels: { team: "qa" },
    });
    expect(sandbox.state).toBe("started");
    const record = env.emulator.sandboxes.get(sandbox.id);
    expect(record?.dockerfileContent).toBe("FROM python:3.12-slim\n");
    expect(record?.labels).toEqual({ team: "qa", "code-toolbox-language": "python" });
    expect(record?.env).toEqual({ FOO: "bar" });
    expect(record?.name).toBe("probe-box");
    expect(record?.target).toBe("us");
    expect(env.emulator.count("POST /sandbox")).toBe(1);
    expect(env.emulator.count("GET /sandbox/:id")).toBe(0);
  });

  it("creates from a snapshot and keeps the snapshot name and language label", async () => {
    const emulator = env.withOptions({ knownSnapshots: ["my-snapshot"] });
    const sandbox = await env.client().create({ snapshot: "my-snapshot", language: "typescript" });
    const record = emulator.sandboxes.get(sandbox.id);
    expect(record?.snapshot).toBe("my-snapshot");
    expect(record?.dockerfileContent).toBeUndefined();
    expect(record?.labels["code-toolbox-language"]).toBe("typescript");
  });

  it("answers `creating` for pollsUntilStarted GETs, then `started`", async () => {
    const emulator = env.withOptions({ pollsUntilStarted: 3 });
    const sandbox = await env.client().create();
    expect(sandbox.state).toBe("started");
    // three polls answer `creating`, the fourth answers `started`
    expect(emulator.count("GET /sandbox/:id")).toBe(4);
    expect(emulator.requests.map((r) => r.route)).toEqual([
      "POST /sandbox",
      "GET /sandbox/:id",
      "GET /sandbox/:id",
      "GET /sandbox/:id",
      "GET /sandbox/:id",
    ]);
  });

  it("makes one create end in `error` with its reason, which the SDK reports", async () => {
    env.emulator.sandboxes.onNextCreate({
      finalState: "error",
      errorReason: "disk quota",
      recoverable: true,
      polls: 1,
    });
    const failure = await env
      .client()
      .create()
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DaytonaError);
    expect((failure as Error).message).toMatch(
      /failed to start with status: error, error reason: disk quota/,
    );
    const [record] = env.emulator.sandboxes.list();
    expect(record?.state).toBe("error");
    expect(record?.recoverable).toBe(true);
  });

  it("makes a create end in `build_failed`", async () => {
    env.emulator.sandboxes.onNextCreate({ finalState: "build_failed", errorReason: "bad Dockerfile" });
    await expect(env.client().create({ image: "nope:1" })).rejects.toThrow(
      /build_failed, error reason: bad Dockerfile/,
    );
  });

  it("keeps a stuck create in `creating`: the SDK times out and the sandbox still exists", async () => {
    env.emulator.sandboxes.onNextCreate({ stuck: true });
    const failure = await env
      .client()
      .create({}, { timeout: 1 })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DaytonaTimeoutError);
    expect(env.emulator.sandboxes.list().map((b) => b.state)).toEqual(["creating"]);
    expect(env.emulator.count("DELETE /sandbox/:id")).toBe(0);
  });

  it("answers 409 for a second sandbox with the same name", async () => {
    const daytona = env.client();
    await daytona.create({ name: "twin" });
    await expect(daytona.create({ name: "twin" })).rejects.toMatchObject({ statusCode: 409 });
    expect(env.emulator.sandboxes.list()).toHaveLength(1);
  });
});

describe("get and list", () => {
  it("gets a sandbox by id and by name", async () => {
    const seeded = env.emulator.sandboxes.seed({ name: "named-box", labels: { a: "1" } });
    const daytona = env.client();
    expect((await daytona.get(seeded.id)).name).toBe("named-box");
    expect((await daytona.get("named-box")).id).toBe(seeded.id);
  });

  it("answers 404 with Daytona's body for an unknown id", async () => {
    const failure = await env
      .client()
      .get("missing-id")
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DaytonaNotFoundError);
    expect(failure).toMatchObject({
      statusCode: 404,
      message: "Sandbox with ID or name missing-id not found",
    });
  });

  it("filters by labels (ANDed) and follows cursor pages", async () => {
    const emulator = env.withOptions({ listPageSize: 2 });
    for (let i = 0; i < 5; i++)
      emulator.sandboxes.seed({ name: `p-${i}`, labels: { project: "x", n: String(i % 2) } });
    emulator.sandboxes.seed({ name: "other", labels: { project: "y" } });
    const names: string[] = [];
    for await (const sandbox of env.client().list({ labels: { project: "x" } })) names.push(sandbox.name);
    expect(names.sort()).toEqual(["p-0", "p-1", "p-2", "p-3", "p-4"]);
    expect(emulator.count("GET /sandbox")).toBe(3);

    const odd: string[] = [];
    for await (const sandbox of env.client().list({ labels: { project: "x", n: "1" } }))
      odd.push(sandbox.name);
    expect(odd.sort()).toEqual(["p-1", "p-3"]);
  });

  it("filters by repeated states", async () => {
    env.emulator.sandboxes.seed({ name: "up", state: "started" });
    env.emulator.sandboxes.seed({ name: "down", state: "stopped" });
    env.emulator.sandboxes.seed({ name: "broken", state: "error", errorReason: "oom" });
    const names: string[] = [];
    for await (const s of env.client().list({ states: [SandboxState.STOPPED, SandboxState.ERROR] }))
      names.push(s.name);
    expect(names.sort()).toEqual(["broken", "down"]);
    expect(env.emulator.requests[0]?.url).toContain("states=stopped&states=error");
  });
});

describe("start, stop, delete, labels, preview", () => {
  it("stops and starts a sandbox, with a new preview token after start", async () => {
    const sandbox = await env.client().create();
    const before = await sandbox.getPreviewLink(3000);
    expect(before).toEqual({
      sandboxId: sandbox.id,
      url: `https://3000-${sandbox.id}.proxy.daytona.test`,
      token: env.emulator.sandboxes.get(sandbox.id)?.previewToken,
    });
    await sandbox.stop();
    expect(env.emulator.sandboxes.get(sandbox.id)?.state).toBe("stopped");
    expect(env.emulator.requests.find((r) => r.route === "POST /sandbox/:id/stop")?.url).toContain(
      "force=false",
    );
    await sandbox.start();
    expect(sandbox.state).toBe("started");
    const after = await sandbox.getPreviewLink(3000);
    expect(after.token).not.toBe(before.token);
  });

  it("starts through `starting` polls when pollsUntilStarted is set", async () => {
    const emulator = env.withOptions({ pollsUntilStarted: 2 });
    const seeded = emulator.sandboxes.seed({ state: "stopped" });
    const sandbox = await env.client().get(seeded.id);
    await sandbox.start();
    expect(emulator.sandboxes.get(seeded.id)?.state).toBe("started");
    expect(emulator.count("GET /sandbox/:id")).toBe(1 + 3);
  });

  it("refuses to stop a sandbox that is not started (400)", async () => {
    const seeded = env.emulator.sandboxes.seed({ state: "stopped" });
    const sandbox = await env.client().get(seeded.id);
    await expect(sandbox.stop()).rejects.toMatchObject({
      statusCode: 400,
      message: "Sandbox is not in a stoppable state",
    });
  });

  it("deletes a sandbox: later GETs answer 404 and list skips it", async () => {
    const daytona = env.client();
    const sandbox = await daytona.create({ labels: { k: "v" } });
    await sandbox.delete();
    expect(env.emulator.sandboxes.get(sandbox.id)?.state).toBe("destroyed");
    await expect(daytona.get(sandbox.id)).rejects.toBeInstanceOf(DaytonaNotFoundError);
    const listed: string[] = [];
    for await (const s of daytona.list({ labels: { k: "v" } })) listed.push(s.id);
    expect(listed).toEqual([]);
  });

  it("delete with wait treats the 404 as destroyed", async () => {
    const sandbox = await env.client().create();
    await sandbox.delete(5, true);
    expect(env.emulator.count("DELETE /sandbox/:id")).toBe(1);
  });

  it("replaces all labels", async () => {
    const sandbox = await env.client().create({ labels: { old: "1" } });
    const labels = await sandbox.setLabels({ fresh: "2" });
    expect(labels).toEqual({ fresh: "2" });
    expect(env.emulator.sandboxes.get(sandbox.id)?.labels).toEqual({ fresh: "2" });
  });

  it("answers 400 for an invalid preview port", async () => {
    const sandbox = await env.client().create();
    await expect(sandbox.getPreviewLink(70000)).rejects.toMatchObject({
      statusCode: 400,
      message: "Invalid port",
    });
  });

  it("serves toolbox-proxy-url when DTOs omit toolboxProxyUrl", async () => {
    const emulator = env.withOptions({ includeToolboxProxyUrl: false });
    const sandbox = await env.client().create();
    expect(emulator.count("GET /sandbox/:id/toolbox-proxy-url")).toBe(1);
    await sandbox.fs.uploadFile(Buffer.from("x"), "/tmp/x");
    expect(emulator.sandboxes.get(sandbox.id)?.files.get("/tmp/x")).toEqual(new Uint8Array([120]));
  });
});

describe("state helpers", () => {
  it("setState changes what the API reports", async () => {
    const seeded = env.emulator.sandboxes.seed();
    env.emulator.sandboxes.setState(seeded.id, "error", "runner lost");
    const sandbox = await env.client().get(seeded.id);
    expect(sandbox.state).toBe("error");
    expect(sandbox.errorReason).toBe("runner lost");
  });
});
