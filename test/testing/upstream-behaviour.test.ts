import { createHash } from "node:crypto";
import {
  DaytonaConflictError,
  DaytonaFileNotFoundError,
  DaytonaNotFoundError,
  DaytonaValidationError,
} from "@daytonaio/sdk";
import { describe, expect, it } from "vitest";
import { useEmulator } from "./fixture.js";

/**
 * One test per difference the emulator had with Daytona's server (issue 12): each asserts the upstream status,
 * the SDK error class it raises and the upstream message, or the upstream body.
 */
const env = useEmulator();

/** A raw API call (the SDK hides some fields and statuses). */
async function raw(
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: unknown; text: string }> {
  const emulator = env.emulator;
  const url = path.startsWith("https://") ? path : `${emulator.apiUrl}${path}`;
  const response = await fetch(url, {
    ...init,
    headers: {
      authorization: `Bearer ${emulator.apiKey}`,
      "content-type": "application/json",
      ...init.headers,
    },
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text };
}

const failureOf = (call: Promise<unknown>) =>
  call.then(
    () => undefined,
    (e: unknown) => e,
  );

describe("schema", () => {
  it("serves buildInfo with snapshotRef (sha256 of the Dockerfile) and updatedAt for a sandbox from an image", async () => {
    const sandbox = await env.client().create({ image: "node:20-slim" });
    const { body } = await raw(`/sandbox/${sandbox.id}`);
    const dockerfile = "FROM node:20-slim\n";
    const hash = createHash("sha256").update(dockerfile).digest("hex");
    expect((body as { buildInfo: unknown }).buildInfo).toEqual({
      dockerfileContent: dockerfile,
      contextHashes: [],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      snapshotRef: `daytona-${hash}:daytona`,
    });
  });

  it("keeps toolboxProxyUrl in the DTO and list items (empty) when told not to serve it; the SDK asks for it", async () => {
    const emulator = env.withOptions({ includeToolboxProxyUrl: false });
    const sandbox = await env.client().create();
    expect(((await raw(`/sandbox/${sandbox.id}`)).body as { toolboxProxyUrl: unknown }).toolboxProxyUrl).toBe(
      "",
    );
    const list = (await raw("/sandbox")).body as { items: { toolboxProxyUrl: unknown }[] };
    expect(list.items.map((i) => i.toolboxProxyUrl)).toEqual([""]);
    expect((await sandbox.process.executeCommand("echo ok")).result).toBe("ok\n");
    expect(emulator.count("GET /sandbox/:id/toolbox-proxy-url")).toBe(1);
  });

  it("gives the toolbox proxy's errors a path and timestamp (404 unknown sandbox, 400 not running)", async () => {
    const stopped = env.emulator.sandboxes.seed({ state: "stopped" });
    const unknown = await raw(`${env.emulator.toolboxUrl}/no-such-box/files?path=/`);
    const notRunning = await raw(`${env.emulator.toolboxUrl}/${stopped.id}/files?path=/`);
    expect(unknown).toMatchObject({
      status: 404,
      body: {
        statusCode: 404,
        message: "Sandbox with ID no-such-box not found",
        path: "/toolbox/no-such-box/files",
      },
    });
    expect(notRunning).toMatchObject({
      status: 400,
      body: { statusCode: 400, message: "Sandbox is not running (state: stopped)" },
    });
    for (const { body } of [unknown, notRunning]) {
      expect(Date.parse((body as { timestamp: string }).timestamp)).not.toBeNaN();
    }
  });

  it("gives API errors path, timestamp, statusCode, error and message", async () => {
    const { status, body } = await raw("/sandbox/nope?x=1");
    expect(status).toBe(404);
    expect(body).toMatchObject({
      path: "/api/sandbox/nope?x=1",
      statusCode: 404,
      error: "Not Found",
      message: "Sandbox with ID or name nope not found",
    });
    expect(Date.parse((body as { timestamp: string }).timestamp)).not.toBeNaN();
  });

  it("names the missing file in a bulk-download error part's path", async () => {
    const sandbox = await env.client().create();
    const response = await raw(`${env.emulator.toolboxUrl}/${sandbox.id}/files/bulk-download`, {
      method: "POST",
      body: JSON.stringify({ paths: ["/home/daytona/gone.txt"] }),
    });
    const part = response.text.slice(response.text.indexOf("{"), response.text.lastIndexOf("}") + 1);
    expect(JSON.parse(part)).toMatchObject({
      statusCode: 404,
      code: "FILE_NOT_FOUND",
      source: "DAYTONA_DAEMON",
      path: "/home/daytona/gone.txt",
      message: "file not found: /home/daytona/gone.txt",
    });
    await expect(sandbox.fs.downloadFile("/home/daytona/gone.txt")).rejects.toBeInstanceOf(
      DaytonaFileNotFoundError,
    );
  });
});

describe("status codes and conflicts", () => {
  it("answers 201 for a new folder and 204 for a deleted file", async () => {
    const sandbox = await env.client().create();
    await sandbox.fs.createFolder("/home/daytona/new", "755");
    await sandbox.fs.uploadFile(Buffer.from("x"), "/home/daytona/new/f.txt");
    await sandbox.fs.deleteFile("/home/daytona/new/f.txt");
    const statuses = env.emulator.requests.map((r) => `${r.route} ${r.status}`);
    expect(statuses).toContain("POST /toolbox/files/folder 201");
    expect(statuses).toContain("DELETE /toolbox/files 204");
  });

  it("answers 409 'Sandbox state change in progress' to start, stop and delete while a change is pending", async () => {
    const emulator = env.withOptions({ pollsUntilStarted: 1000 });
    const daytona = env.client();
    await failureOf(daytona.create({}, { timeout: 0.3 }));
    const [pending] = emulator.sandboxes.list();
    const sandbox = await daytona.get(pending?.id ?? "");
    for (const call of [() => sandbox.start(), () => sandbox.stop(), () => sandbox.delete()]) {
      const failure = await failureOf(call());
      expect(failure).toBeInstanceOf(DaytonaConflictError);
      expect(failure).toMatchObject({ statusCode: 409, message: "Sandbox state change in progress" });
    }
    expect(emulator.sandboxes.get(pending?.id ?? "")?.state).toBe("creating");
  });

  it("refuses to move onto an existing path (409) and to delete a directory without recursive (400)", async () => {
    const sandbox = await env.client().create();
    await sandbox.fs.uploadFile(Buffer.from("a"), "/home/daytona/a.txt");
    await sandbox.fs.uploadFile(Buffer.from("b"), "/home/daytona/b.txt");
    await sandbox.fs.createFolder("/home/daytona/empty", "755");
    const move = await failureOf(sandbox.fs.moveFiles("/home/daytona/a.txt", "/home/daytona/b.txt"));
    expect(move).toBeInstanceOf(DaytonaConflictError);
    expect(move).toMatchObject({ statusCode: 409, message: "destination already exists" });
    const remove = await failureOf(sandbox.fs.deleteFile("/home/daytona/empty"));
    expect(remove).toBeInstanceOf(DaytonaValidationError);
    expect(remove).toMatchObject({
      statusCode: 400,
      message: "cannot delete directory without recursive flag",
    });
    const box = env.emulator.sandboxes.get(sandbox.id);
    expect(new TextDecoder().decode(box?.files.get("/home/daytona/b.txt"))).toBe("b");
    expect(box?.dirs.has("/home/daytona/empty")).toBe(true);
  });

  it("answers 400 to a whitespace-only command", async () => {
    const sandbox = await env.client().create();
    const failure = await failureOf(sandbox.process.executeCommand(" \n\t "));
    expect(failure).toBeInstanceOf(DaytonaValidationError);
    expect(failure).toMatchObject({
      statusCode: 400,
      message: "bad request: command cannot be empty or whitespace-only",
    });
    expect(env.emulator.commands()).toEqual([]);
  });

  it("refuses resources without an image and unknown snapshots (400)", async () => {
    const daytona = env.client();
    // The SDK's types forbid it; a JavaScript caller (or the kit) can still send it.
    const resources = await failureOf(daytona.create({ resources: { cpu: 2, memory: 4 } } as never));
    expect(resources).toBeInstanceOf(DaytonaValidationError);
    expect(resources).toMatchObject({
      statusCode: 400,
      message: "Cannot specify Sandbox resources when using a snapshot",
    });
    const snapshot = await failureOf(daytona.create({ snapshot: "made-up" }));
    expect(snapshot).toBeInstanceOf(DaytonaValidationError);
    expect(snapshot).toMatchObject({
      statusCode: 400,
      message: "Snapshot made-up not found. Did you add it through the Daytona Dashboard?",
    });
    expect(env.emulator.sandboxes.list()).toEqual([]);
    const medium = await daytona.create({ snapshot: "daytona-medium" });
    expect([medium.cpu, medium.memory, medium.disk]).toEqual([2, 4, 8]);
    const fromImage = await daytona.create({ image: "node:20-slim", resources: { cpu: 2, memory: 4 } });
    expect([fromImage.cpu, fromImage.memory]).toEqual([2, 4]);
  });

  it("refuses to start or stop an errored sandbox with 'Sandbox is in an errored state'", async () => {
    const seeded = env.emulator.sandboxes.seed({ state: "error", errorReason: "disk" });
    const sandbox = await env.client().get(seeded.id);
    for (const call of [() => sandbox.start(), () => sandbox.stop()]) {
      const failure = await failureOf(call());
      expect(failure).toBeInstanceOf(DaytonaValidationError);
      expect(failure).toMatchObject({ statusCode: 400, message: "Sandbox is in an errored state" });
    }
  });

  it("deletes an ephemeral sandbox when it is stopped", async () => {
    const daytona = env.client();
    const sandbox = await daytona.create({ ephemeral: true });
    expect(sandbox.autoDeleteInterval).toBe(0);
    await failureOf(sandbox.stop());
    expect(env.emulator.sandboxes.get(sandbox.id)?.state).toBe("destroyed");
    await expect(daytona.get(sandbox.id)).rejects.toBeInstanceOf(DaytonaNotFoundError);
  });
});

describe("lists", () => {
  const names = async (query: Record<string, unknown>) => {
    const found: string[] = [];
    for await (const s of env.client().list(query as never)) found.push(s.name);
    return found;
  };

  it("filters by case-insensitive name prefix and case-insensitive id prefix", async () => {
    env.emulator.sandboxes.seed({ name: "Alpha-one" });
    env.emulator.sandboxes.seed({ name: "beta-alpha" });
    const idBox = env.emulator.sandboxes.seed({ id: "abcdef-0001", name: "by-id" });
    expect(await names({ name: "ALPHA" })).toEqual(["Alpha-one"]);
    expect(await names({ id: "ABCDEF" })).toEqual([idBox.name]);
  });

  it("sorts by lastActivityAt desc by default, and by sort/order when asked", async () => {
    const daytona = env.client();
    const first = await daytona.create({ name: "b-first" });
    await daytona.create({ name: "c-second" });
    await daytona.create({ name: "a-third" });
    expect(await names({})).toEqual(["a-third", "c-second", "b-first"]);
    await first.process.executeCommand("true"); // toolbox traffic is activity
    expect(await names({})).toEqual(["b-first", "a-third", "c-second"]);
    expect(await names({ sort: "name", order: "asc" })).toEqual(["a-third", "b-first", "c-second"]);
    expect(await names({ sort: "createdAt", order: "asc" })).toEqual(["b-first", "c-second", "a-third"]);
  });

  it("answers 400 for limit > 200, an unknown sort field and invalid labels JSON", async () => {
    const limit = await failureOf(names({ limit: 500 }));
    expect(limit).toBeInstanceOf(DaytonaValidationError);
    expect(limit).toMatchObject({ statusCode: 400, message: "limit must not be greater than 200" });
    const sort = await raw("/sandbox?sort=size");
    expect(sort.body).toMatchObject({
      statusCode: 400,
      message:
        "sort must be one of the following values: name, cpu, memoryGib, diskGib, lastActivityAt, createdAt",
    });
    const labels = await raw(`/sandbox?labels=${encodeURIComponent("{bad")}`);
    expect(labels.body).toMatchObject({ statusCode: 400, message: "Invalid labels JSON format" });
  });

  it("pages with a cursor that never repeats or skips while sandboxes are created and deleted between pages", async () => {
    const originals = Array.from({ length: 7 }, (_, i) => env.emulator.sandboxes.seed({ name: `s${i}` }));
    const seen: string[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const query = `/sandbox?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const body = (await raw(query)).body as { items: { name: string }[]; nextCursor: string | null };
      seen.push(...body.items.map((i) => i.name));
      cursor = body.nextCursor;
      // Between pages: a new sandbox (newest activity: it sorts before the cursor) and, once, a deletion of the
      // oldest sandbox (not served yet).
      env.emulator.sandboxes.seed({ name: `new${page}` });
      if (page === 0) env.emulator.sandboxes.setState(originals[0]?.id ?? "", "destroyed");
      page += 1;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(["s6", "s5", "s4", "s3", "s2", "s1"]);
    expect(page).toBe(3);
  });
});

describe("echoed create fields", () => {
  it("returns networkBlockAll, networkAllowList, domainAllowList, volumes and linkedSandboxId as sent", async () => {
    const daytona = env.client();
    const parent = await daytona.create({ name: "parent" });
    const sandbox = await daytona.create({
      networkBlockAll: true,
      networkAllowList: "10.0.0.0/8",
      domainAllowList: "example.com",
      volumes: [{ volumeId: "vol-1", mountPath: "/data" }],
      linkedSandbox: parent.id,
      ephemeral: true,
    });
    const { body } = await raw(`/sandbox/${sandbox.id}`);
    expect(body).toMatchObject({
      networkBlockAll: true,
      networkAllowList: "10.0.0.0/8",
      domainAllowList: "example.com",
      volumes: [{ volumeId: "vol-1", mountPath: "/data" }],
      linkedSandboxId: parent.id,
      autoDeleteInterval: 0,
    });
    const notEphemeral = await failureOf(daytona.create({ linkedSandbox: parent.id }));
    expect(notEphemeral).toMatchObject({
      statusCode: 400,
      message: "Linked sandboxes must be ephemeral (set autoDeleteInterval to 0)",
    });
  });
});
