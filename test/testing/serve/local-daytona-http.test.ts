/**
 * The local Daytona server seen from outside, with `fetch` alone (no SDK): it answers what the emulator answers in
 * msw mode, byte for byte but the timestamp, because both run the same route table. The msw side is the emulator's
 * handlers called through msw's `getResponse` (no interception of this process's `fetch`).
 */
import { request as httpRequest } from "node:http";
import { getResponse } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDaytonaEmulator, type LocalDaytona, startLocalDaytona } from "../../../src/testing/index.js";

const API_KEY = "http-test-key";
let local: LocalDaytona;
const msw = createDaytonaEmulator({ apiKey: API_KEY });

beforeAll(async () => {
  local = (await startLocalDaytona({ apiKey: API_KEY }))._unsafeUnwrap();
});
afterAll(async () => {
  await local?.close();
});

interface Call {
  method: string;
  /** Path under the origin, e.g. `/api/sandbox`. */
  path: string;
  key?: string | null;
  body?: unknown;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

const init = (call: Call): RequestInit => ({
  method: call.method,
  headers: {
    ...(call.key === null ? {} : { authorization: `Bearer ${call.key ?? API_KEY}` }),
    ...(call.body === undefined ? {} : { "content-type": "application/json" }),
  },
  ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
});

/** The answer minus what differs between two answers by nature (the time, the ids it made). */
async function read(response: Response): Promise<Answer> {
  const text = await response.text();
  const body = text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
  delete body.timestamp;
  return { status: response.status, body };
}

/** The same call to the server (over TCP) and to the msw handlers; both answers. */
async function both(call: Call): Promise<{ server: Answer; msw: Answer }> {
  const server = await read(await fetch(new URL(call.path, local.url), init(call)));
  const origin = new URL(call.path.startsWith("/toolbox") ? msw.toolboxUrl : msw.apiUrl).origin;
  const mswResponse = await getResponse(msw.handlers, new Request(new URL(call.path, origin), init(call)));
  if (!mswResponse) throw new Error(`msw mode answered nothing for ${call.method} ${call.path}`);
  return { server, msw: await read(mswResponse) };
}

describe("startLocalDaytona over HTTP (fetch only)", () => {
  it("binds 127.0.0.1 and names its URLs on that origin", () => {
    expect(new URL(local.url).hostname).toBe("127.0.0.1");
    expect(Number(new URL(local.url).port)).toBeGreaterThan(0);
    expect(local.apiUrl).toBe(`${local.url}/api`);
    expect(local.env()).toEqual({
      DAYTONA_API_URL: `${local.url}/api`,
      DAYTONA_API_KEY: API_KEY,
      DAYTONA_TARGET: "us",
    });
  });

  it("answers 401 without a key and with a wrong one, as msw mode does", async () => {
    for (const key of [null, "wrong-key"]) {
      const { server, msw: inProcess } = await both({ method: "GET", path: "/api/sandbox", key });
      expect(server.status).toBe(401);
      expect(server.body).toMatchObject({ statusCode: 401, error: "Unauthorized", message: "Unauthorized" });
      expect(server).toEqual(inProcess);
    }
  });

  it("answers an unknown sandbox with the API's 404 body, and the toolbox proxy's 404, as msw mode does", async () => {
    const api = await both({ method: "GET", path: "/api/sandbox/no-such-box" });
    expect(api.server).toEqual({
      status: 404,
      body: {
        path: "/api/sandbox/no-such-box",
        statusCode: 404,
        error: "Not Found",
        message: "Sandbox with ID or name no-such-box not found",
        code: "NOT_FOUND",
        source: "DAYTONA_API",
        method: "GET",
      },
    });
    expect(api.server).toEqual(api.msw);
    const toolbox = await both({
      method: "POST",
      path: "/toolbox/no-such-box/process/execute",
      body: { command: "echo hi" },
    });
    expect(toolbox.server.status).toBe(404);
    expect(toolbox.server.body.message).toBe("Sandbox with ID no-such-box not found");
    expect(toolbox.server).toEqual(toolbox.msw);
  });

  it("answers a second sandbox with a taken name 409, as msw mode does", async () => {
    const create = { method: "POST", path: "/api/sandbox", body: { name: "http-dup" } };
    const first = await both(create);
    expect([first.server.status, first.msw.status]).toEqual([200, 200]);
    expect(first.server.body.name).toBe("http-dup");
    const second = await both(create);
    expect(second.server.status).toBe(409);
    expect(second.server.body).toMatchObject({
      statusCode: 409,
      error: "Conflict",
      message: "Sandbox with name http-dup already exists",
    });
    expect(second.server).toEqual(second.msw);
  });

  it("answers routes it does not serve 501 naming the route, in both modes; auth still comes first", async () => {
    const calls: Call[] = [
      { method: "GET", path: "/api/volumes" },
      { method: "POST", path: "/api/sandbox/some-id/archive" },
      { method: "PATCH", path: "/api/sandbox" },
      { method: "POST", path: "/toolbox/some-id/git/status" },
    ];
    for (const call of calls) {
      const { server, msw: inProcess } = await both(call);
      expect(server.status).toBe(501);
      expect(server.body).toMatchObject({ statusCode: 501, error: "Not Implemented", method: call.method });
      expect(server.body.message).toContain(`${call.method} ${call.path} is not served`);
      expect(server).toEqual(inProcess);
    }
    const anonymous = await both({ method: "GET", path: "/api/volumes", key: null });
    expect(anonymous.server.status).toBe(401);
    expect(anonymous.server).toEqual(anonymous.msw);
  });

  it("answers a path outside Daytona's routes 404 naming it", async () => {
    const response = await fetch(new URL("/nothing/here", local.url));
    expect(response.status).toBe(404);
    expect(((await response.json()) as { message: string }).message).toContain("GET /nothing/here");
  });

  it("hands out toolbox and preview URLs on its own origin; a preview answers 502 (no processes in memory)", async () => {
    const created = await fetch(
      new URL("/api/sandbox", local.url),
      init({ method: "POST", path: "", body: {} }),
    );
    const box = (await created.json()) as { id: string; toolboxProxyUrl: string };
    expect(box.toolboxProxyUrl).toBe(local.toolboxUrl);
    const executed = await fetch(
      `${box.toolboxProxyUrl}/${box.id}/process/execute`,
      init({ method: "POST", path: "", body: { command: "echo hi" } }),
    );
    expect(await executed.json()).toEqual({ exitCode: 0, result: "hi\n" });

    const preview = await fetch(
      new URL(`/api/sandbox/${box.id}/ports/3000/preview-url`, local.url),
      init({ method: "GET", path: "" }),
    );
    const { url } = (await preview.json()) as { url: string };
    expect(url).toBe(`${local.url}/preview/${box.id}/3000/`);
    const page = await fetch(url);
    expect(page.status).toBe(502);
    expect(((await page.json()) as { message: string }).message).toContain("nothing listens on port 3000");
    expect((await fetch(`${local.url}/preview/no-such-box/3000/`)).status).toBe(404);
  });

  it("logs each request in the emulator's request log, with its route and status", async () => {
    const before = local.emulator.requests.length;
    await fetch(new URL("/api/sandbox/logged-missing", local.url), init({ method: "GET", path: "" }));
    expect(local.emulator.requests.slice(before).map((r) => `${r.method} ${r.route} ${r.status}`)).toEqual([
      "GET GET /sandbox/:id 404",
    ]);
  });

  it("drops the connection for an injected connection error, then serves the next request", async () => {
    local.emulator.faults.inject("GET /sandbox", { connectionError: true });
    await expect(
      fetch(new URL("/api/sandbox", local.url), init({ method: "GET", path: "" })),
    ).rejects.toThrow();
    const next = await fetch(new URL("/api/sandbox", local.url), init({ method: "GET", path: "" }));
    expect(next.status).toBe(200);
  });
});

/** A raw POST: `declared` goes in Content-Length (or chunked when undefined); `chunks` MiB of zeros are written. */
function rawPost(url: string, declared: number | undefined, chunks: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${API_KEY}`,
        ...(declared === undefined ? {} : { "content-length": String(declared) }),
      },
    });
    request.on("response", (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    // Once answered, the server may close the connection while the rest is still being written: that is fine.
    let answered = false;
    request.on("response", () => {
      answered = true;
    });
    request.on("error", (error) => {
      if (!answered) reject(error);
    });
    const mib = Buffer.alloc(1024 * 1024);
    let written = 0;
    const writeMore = () => {
      while (written < chunks) {
        written += 1;
        if (!request.write(mib)) return void request.once("drain", writeMore);
      }
      request.end();
    };
    writeMore();
  });
}

describe("startLocalDaytona: the pipeline's faults, and bodies it will not buffer", () => {
  it("answers an injected status fault with its status and headers", async () => {
    local.emulator.faults.inject("GET /sandbox", { status: 503, headers: { "Retry-After": "3" } });
    const response = await fetch(new URL("/api/sandbox", local.url), init({ method: "GET", path: "" }));
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("3");
    expect(((await response.json()) as { message: string }).message).toBe("Injected fault: HTTP 503");
  });

  it("answers 413 to a body declared or streamed past 64 MiB, then serves the next request", async () => {
    const url = `${local.apiUrl}/sandbox`;
    expect(await rawPost(url, 1024 * 1024 * 1024, 0)).toBe(413);
    expect(await rawPost(url, undefined, 65)).toBe(413);
    const after = await fetch(url, init({ method: "GET", path: "" }));
    expect(after.status).toBe(200);
  }, 60_000);
});

describe("startLocalDaytona: hostile options and closing", () => {
  it("refuses any host but 127.0.0.1, bad ports and bad keys with InvalidArgument (nothing listens)", async () => {
    const cases: [unknown, string][] = [
      [{ host: "0.0.0.0" }, "host"],
      [{ host: "localhost" }, "host"],
      [{ host: "::1" }, "host"],
      [{ port: 70000 }, "port"],
      [{ port: -1 }, "port"],
      [{ port: 1.5 }, "port"],
      [{ port: "8080" }, "port"],
      [{ port: Number.NaN }, "port"],
      [{ apiKey: "" }, "apiKey"],
      [{ apiKey: "with space" }, "apiKey"],
      [{ cleanup: "yes" }, "cleanup"],
      [null, "options"],
      ["fast", "options"],
    ];
    for (const [options, argument] of cases) {
      const result = await startLocalDaytona(options as never);
      expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "InvalidArgument", argument });
    }
  });

  it("refuses a port in use with InvalidArgument", async () => {
    const port = Number(new URL(local.url).port);
    const result = await startLocalDaytona({ port });
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "InvalidArgument", argument: "port" });
    expect(result._unsafeUnwrapErr().message).toContain("EADDRINUSE");
  });

  it("generates a key when none is given", async () => {
    const other = (await startLocalDaytona())._unsafeUnwrap();
    try {
      expect(other.apiKey).toMatch(/^local-[0-9a-f]{32}$/);
      expect(other.apiKey).not.toBe(local.apiKey);
    } finally {
      await other.close();
    }
  });

  it("closes idempotently; with cleanup it deletes the sandboxes created through it, not seeded ones", async () => {
    const other = (await startLocalDaytona({ cleanup: true, apiKey: "k" }))._unsafeUnwrap();
    const seeded = other.emulator.sandboxes.seed({ name: "seeded" });
    const created = await fetch(`${other.apiUrl}/sandbox`, {
      method: "POST",
      headers: { authorization: "Bearer k", "content-type": "application/json" },
      body: "{}",
    });
    const { id } = (await created.json()) as { id: string };
    const [first, second] = await Promise.all([other.close(), other.close()]);
    expect(first.deleted).toEqual([id]);
    expect(second).toBe(first);
    expect(other.emulator.sandboxes.get(id)?.state).toBe("destroyed");
    expect(other.emulator.sandboxes.get(seeded.id)?.state).toBe("started");
    await expect(fetch(`${other.apiUrl}/sandbox`)).rejects.toThrow();
  });

  it("without cleanup, closing leaves the sandboxes as they are", async () => {
    const other = (await startLocalDaytona({ apiKey: "k" }))._unsafeUnwrap();
    await fetch(`${other.apiUrl}/sandbox`, {
      method: "POST",
      headers: { authorization: "Bearer k", "content-type": "application/json" },
      body: "{}",
    });
    expect((await other.close()).deleted).toEqual([]);
    expect(other.emulator.sandboxes.list().map((b) => b.state)).toEqual(["started"]);
  });
});
