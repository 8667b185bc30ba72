/**
 * The driver toolbox back end over HTTP, with the memory driver standing in for real sandboxes (fast, no root): the
 * server's routes drive the driver, the records adopt the driver's ids and follow its state, the Daytona-side fields
 * live in the driver's labels (so a new server on the same driver finds every sandbox again), and cleanup deletes
 * only what its own run created. The same back end over real local sandboxes: serve/local-toolbox.test.ts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { RESERVED_LABEL_PREFIX } from "../../../src/testing/backend/daytona-labels.js";
import {
  createDaytonaEmulator,
  createMemoryDriver,
  type LocalDaytona,
  type MemoryDriver,
  startLocalDaytona,
} from "../../../src/testing/index.js";

const KEY = "driver-backend-key";
const open: LocalDaytona[] = [];

afterEach(async () => {
  for (const server of open.splice(0)) await server.close();
});

async function serve(driver: MemoryDriver, cleanup = false): Promise<LocalDaytona> {
  const started = await startLocalDaytona({ apiKey: KEY, toolbox: driver, cleanup });
  if (started.isErr()) throw new Error(started.error.message);
  open.push(started.value);
  return started.value;
}

/** A parsed JSON body, read loosely by the assertions. */
// biome-ignore lint/suspicious/noExplicitAny: the assertions check the shape
type Body = any;

/** One JSON call; the parsed body (or text) and the status. */
async function call(
  server: LocalDaytona,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Body }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${KEY}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    // multipart or plain text
  }
  return { status: response.status, body: parsed };
}

async function upload(server: LocalDaytona, id: string, path: string, text: string): Promise<number> {
  const form = new FormData();
  form.append("files[0].path", path);
  form.append("files[0].file", new Blob([text]), "file");
  const response = await fetch(`${server.toolboxUrl}/${id}/files/bulk-upload`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}` },
    body: form,
  });
  await response.arrayBuffer();
  return response.status;
}

const labelsIn = (driver: MemoryDriver, id: string) => driver.state.sandboxes.get(id)?.labels ?? {};

describe("the driver toolbox back end (memory driver behind the server)", () => {
  it("creates through the driver: the record adopts its id, the Daytona fields ride in its labels", async () => {
    const driver = createMemoryDriver();
    const server = await serve(driver);
    const created = await call(server, "POST", "/api/sandbox", { name: "alpha", labels: { team: "a" } });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      name: "alpha",
      labels: { team: "a" },
      state: "started",
      target: "us",
    });
    const id: string = created.body.id;
    expect(driver.state.sandboxes.get(id)?.state).toBe("started");
    expect(labelsIn(driver, id)).toMatchObject({
      team: "a",
      [`${RESERVED_LABEL_PREFIX}name`]: "alpha",
      [`${RESERVED_LABEL_PREFIX}target`]: "us",
      [`${RESERVED_LABEL_PREFIX}snapshot`]: "python:3.12-slim-bookworm",
    });
    expect(labelsIn(driver, id)[`${RESERVED_LABEL_PREFIX}created-by`]).toMatch(/^run-[0-9a-f]{12}$/);
    expect(server.emulator.count("POST /sandbox")).toBe(1);
  });

  it("refuses what it cannot make, creating nothing: unknown snapshot or image, reserved labels, a taken name", async () => {
    const driver = createMemoryDriver();
    const server = await serve(driver);
    const snapshot = await call(server, "POST", "/api/sandbox", { snapshot: "daytona-medium" });
    expect(snapshot).toMatchObject({
      status: 400,
      body: { message: "Snapshot daytona-medium not found. Did you add it through the Daytona Dashboard?" },
    });
    const image = await call(server, "POST", "/api/sandbox", {
      buildInfo: { dockerfileContent: "FROM ruby:3\n" },
    });
    expect(image.status).toBe(400);
    expect(image.body.message).toContain("Image ruby:3 is not available locally");
    const reserved = await call(server, "POST", "/api/sandbox", {
      labels: { [`${RESERVED_LABEL_PREFIX}name`]: "x" },
    });
    expect(reserved.status).toBe(400);
    expect(driver.state.live()).toHaveLength(0);
    expect((await call(server, "POST", "/api/sandbox", { name: "taken" })).status).toBe(200);
    const twice = await call(server, "POST", "/api/sandbox", { name: "taken" });
    expect(twice).toMatchObject({ status: 409, body: { message: "Sandbox with name taken already exists" } });
    expect(driver.state.live()).toHaveLength(1);
  });

  it("makes one sandbox when two creates race for one name: the other answers 409", async () => {
    const driver = createMemoryDriver();
    const server = await serve(driver);
    const answers = await Promise.all([
      call(server, "POST", "/api/sandbox", { name: "race" }),
      call(server, "POST", "/api/sandbox", { name: "race" }),
      call(server, "POST", "/api/sandbox", { name: "race" }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);
    expect(driver.state.live()).toHaveLength(1);
  });

  it("serves files and execute through the driver, with the daemon's codes for its failures", async () => {
    const driver = createMemoryDriver();
    const server = await serve(driver);
    const id: string = (await call(server, "POST", "/api/sandbox", {})).body.id;
    expect(await upload(server, id, "notes/a.txt", "hello\n")).toBe(200);
    // Relative paths start at /workspace, the local sandboxes' working directory.
    expect(driver.peek(id, "/workspace/notes/a.txt")).toEqual(new TextEncoder().encode("hello\n"));
    const run = await call(server, "POST", `/toolbox/${id}/process/execute`, { command: "cat notes/a.txt" });
    expect(run).toEqual({ status: 200, body: { exitCode: 0, result: "hello\n" } });
    const failing = await call(server, "POST", `/toolbox/${id}/process/execute`, { command: "exit 3" });
    expect(failing.body.exitCode).toBe(3);
    expect(server.emulator.commands(id).map((c) => c.command)).toEqual(["cat notes/a.txt", "exit 3"]);

    const listed = await call(server, "GET", `/toolbox/${id}/files?path=notes`);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([
      expect.objectContaining({ name: "a.txt", path: "/workspace/notes/a.txt", isDir: false, size: 6 }),
    ]);
    const info = await call(server, "GET", `/toolbox/${id}/files/info?path=/workspace/notes`);
    expect(info.body).toMatchObject({ name: "notes", isDir: true, mode: expect.stringMatching(/^d/) });
    const missing = await call(server, "GET", `/toolbox/${id}/files/info?path=/workspace/nope`);
    expect(missing).toMatchObject({
      status: 404,
      body: { code: "FILE_NOT_FOUND", source: "DAYTONA_DAEMON" },
    });
    expect(
      (await call(server, "POST", `/toolbox/${id}/files/folder?path=/workspace/d&mode=755`)).status,
    ).toBe(201);
    expect(
      (await call(server, "POST", `/toolbox/${id}/files/move?source=notes/a.txt&destination=d/b.txt`)).status,
    ).toBe(200);
    expect(driver.peek(id, "/workspace/d/b.txt")).toBeDefined();
    expect(await upload(server, id, "/workspace/d/c.txt", "c")).toBe(200);
    const conflict = await call(
      server,
      "POST",
      `/toolbox/${id}/files/move?source=d/b.txt&destination=d/c.txt`,
    );
    expect(conflict).toMatchObject({ status: 409, body: { code: "CONFLICT" } });
    expect((await call(server, "DELETE", `/toolbox/${id}/files?path=/workspace/d/c.txt`)).status).toBe(204);
    expect(driver.peek(id, "/workspace/d/c.txt")).toBeUndefined();

    const download = await fetch(`${server.toolboxUrl}/${id}/files/bulk-download`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ paths: ["d/b.txt", "d/gone.txt"] }),
    });
    const multipart = await download.text();
    expect(multipart).toContain("hello\n");
    expect(multipart).toContain('"code":"FILE_NOT_FOUND"');
    expect(multipart).toContain("file not found: d/gone.txt");
  });

  it("passes cwd, envs and timeout to the driver: a driver timeout is the daemon's 408", async () => {
    const server = await serve(createMemoryDriver());
    const id: string = (await call(server, "POST", "/api/sandbox", {})).body.id;
    await upload(server, id, "sub/x.txt", "x");
    const run = (body: Record<string, unknown>) =>
      call(server, "POST", `/toolbox/${id}/process/execute`, body);
    expect((await run({ command: "pwd", cwd: "sub" })).body).toEqual({
      exitCode: 0,
      result: "/workspace/sub\n",
    });
    expect((await run({ command: "echo $GREETING", envs: { GREETING: "hi" } })).body.result).toBe("hi\n");
    // Huge timeouts from JavaScript callers are capped, not passed on as an instant timer.
    expect((await run({ command: "echo ok", timeout: 1e12 })).body).toEqual({ exitCode: 0, result: "ok\n" });
    const late = await run({ command: "sleep 30", timeout: 1 });
    expect(late).toMatchObject({
      status: 408,
      body: { code: "REQUEST_TIMEOUT", message: "command execution timeout", source: "DAYTONA_DAEMON" },
    });
    expect(server.emulator.commands(id).at(-1)).toMatchObject({ command: "sleep 30", timedOut: true });
  });

  it("answers the session routes 501 naming the route (sessions are not wired to the driver here)", async () => {
    const server = await serve(createMemoryDriver());
    const id: string = (await call(server, "POST", "/api/sandbox", {})).body.id;
    const session = await call(server, "POST", `/toolbox/${id}/process/session`, { sessionId: "s" });
    expect(session.status).toBe(501);
    expect(session.body.message).toContain("POST /toolbox/process/session");
  });

  it("drives stop, start, labels and delete through the driver, and follows changes made outside", async () => {
    const driver = createMemoryDriver();
    const server = await serve(driver);
    const id: string = (await call(server, "POST", "/api/sandbox", { name: "life", labels: { a: "1" } })).body
      .id;
    await upload(server, id, "kept.txt", "kept");
    expect((await call(server, "POST", `/api/sandbox/${id}/stop`)).status).toBe(200);
    expect((await call(server, "GET", `/api/sandbox/${id}`)).body.state).toBe("stopped");
    expect(driver.state.sandboxes.get(id)?.state).toBe("stopped");
    const refused = await call(server, "POST", `/toolbox/${id}/process/execute`, { command: "true" });
    expect(refused.status).toBe(400);
    expect((await call(server, "POST", `/api/sandbox/${id}/start`)).body.state).toBe("started");
    expect(driver.peek(id, "/workspace/kept.txt")).toEqual(new TextEncoder().encode("kept"));

    const labelled = await call(server, "PUT", `/api/sandbox/${id}/labels`, { labels: { b: "2" } });
    expect(labelled).toEqual({ status: 200, body: { labels: { b: "2" } } });
    expect(labelsIn(driver, id)).toMatchObject({ b: "2", [`${RESERVED_LABEL_PREFIX}name`]: "life" });
    expect(labelsIn(driver, id).a).toBeUndefined();
    const reserved = await call(server, "PUT", `/api/sandbox/${id}/labels`, {
      labels: { [`${RESERVED_LABEL_PREFIX}target`]: "eu" },
    });
    expect(reserved.status).toBe(400);

    // Changed behind the server's back: the next GET reads the driver.
    await driver.stop(id, { timeoutMs: 1000 });
    expect((await call(server, "GET", `/api/sandbox/${id}`)).body.state).toBe("stopped");
    await driver.start(id, { timeoutMs: 1000 });
    expect((await call(server, "DELETE", `/api/sandbox/${id}`)).status).toBe(200);
    expect(driver.state.live()).toHaveLength(0);
    expect((await call(server, "GET", `/api/sandbox/${id}`)).status).toBe(404);

    const other: string = (await call(server, "POST", "/api/sandbox", {})).body.id;
    await driver.delete(other, { timeoutMs: 1000 });
    expect((await call(server, "GET", `/api/sandbox/${other}`)).status).toBe(404);
  });

  it("finds its sandboxes again after a restart, and cleanup deletes only what its own run created", async () => {
    const driver = createMemoryDriver();
    const first = await serve(driver);
    const kept = (await call(first, "POST", "/api/sandbox", { name: "kept", labels: { k: "v" } })).body;
    await first.close();
    // A sandbox the driver holds that the server never made stays out of its list.
    driver.seed({ labels: { foreign: "yes" } });

    const second = await serve(driver, true);
    expect(second.emulator.sandboxes.list().map((box) => box.name)).toEqual(["kept"]);
    expect((await call(second, "GET", `/api/sandbox/${kept.id}`)).body).toMatchObject({
      id: kept.id,
      name: "kept",
      labels: { k: "v" },
      target: "us",
      state: "started",
      snapshot: "python:3.12-slim-bookworm",
    });
    const mine = (await call(second, "POST", "/api/sandbox", { name: "mine" })).body;
    const listed = await call(second, "GET", "/api/sandbox");
    expect(listed.body.items.map((item: { name: string }) => item.name).sort()).toEqual(["kept", "mine"]);
    expect((await call(second, "POST", "/api/sandbox", { name: "kept" })).status).toBe(409);
    expect(await second.close()).toEqual({ deleted: [mine.id] });
    expect(driver.state.live().map((box) => box.id)).toContain(kept.id);
    expect(driver.state.live().map((box) => box.id)).not.toContain(mine.id);
  });
});

describe("toolbox options from JavaScript callers", () => {
  it("refuses bad toolbox and home values with InvalidArgument, before listening", async () => {
    const cases: unknown[] = [
      { toolbox: "cloud" },
      { toolbox: 42 },
      { toolbox: null },
      { toolbox: {} },
      { toolbox: { create: () => undefined } },
      {
        toolbox: new Proxy(
          {},
          {
            get() {
              throw new Error("hostile getter");
            },
          },
        ),
      },
      { toolbox: "local", home: 5 },
      { toolbox: "local", home: "" },
      { toolbox: "local", home: "a\0b" },
      { home: "/tmp/somewhere" },
      { toolbox: "memory", home: "/tmp/somewhere" },
    ];
    for (const [index, options] of cases.entries()) {
      const started = await startLocalDaytona(options as never);
      expect(started.isErr(), `case ${index}`).toBe(true);
      expect(started._unsafeUnwrapErr().kind).toBe("InvalidArgument");
    }
  });

  it("throws a TypeError from createDaytonaEmulator for a bad toolbox (a test's setup bug)", () => {
    expect(() => createDaytonaEmulator({ toolbox: "cloud" as never })).toThrow(TypeError);
    expect(() => createDaytonaEmulator({ home: "/tmp/x" })).toThrow(/toolbox "local"/);
    expect(createDaytonaEmulator({ toolbox: "memory" }).handlers.length).toBeGreaterThan(0);
  });
});
