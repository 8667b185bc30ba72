/**
 * Preview URLs of the real back end over plain HTTP (no SDK): a page served inside the sandbox comes back through
 * `/preview/<id>/<port>/`, a port nothing listens on answers 502, a sandbox the server did not create 404, and a
 * restarted server serves the preview of an earlier run's sandbox before any API call.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalDriver } from "../../../src/driver/local/index.js";
import { startLocalDaytona } from "../../../src/testing/index.js";
import {
  REAL_SERVER_SETUP_MS,
  type RealServer,
  realServerSkipReason,
  startRealServer,
} from "./real-server.js";

describe.skipIf(realServerSkipReason !== undefined)("preview URLs proxied to real sandboxes", () => {
  let server: RealServer | undefined;
  beforeAll(async () => {
    server = await startRealServer("preview-real");
  }, REAL_SERVER_SETUP_MS);
  afterAll(async () => {
    await server?.close();
  }, 240_000);

  const api = async (base: string, key: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };

  /** GETs `url` until it answers 200 (a server inside takes a moment to start); the last answer. */
  const page = async (url: string) => {
    let last = { status: 0, text: "" };
    for (let i = 0; i < 600; i++) {
      const response = await fetch(url).catch(() => undefined);
      if (response) last = { status: response.status, text: await response.text() };
      if (last.status === 200) break;
      await sleep(100);
    }
    return last;
  };

  it("serves a page from inside, 502 on an idle port, 404 for others' sandboxes, and again after a restart", async () => {
    const { local, home } = server as RealServer;
    const created = await api(local.apiUrl, local.apiKey, "POST", "/sandbox", {});
    expect(created.status).toBe(200);
    const id = String(created.body.id);
    const toolbox = `${local.toolboxUrl}/${id}`;
    const started = await api(toolbox, local.apiKey, "POST", "/process/execute", {
      command:
        "mkdir -p /srv/site && echo 'inside' > /srv/site/index.html && " +
        "(nohup python3 -m http.server 8000 --bind 127.0.0.1 --directory /srv/site > /dev/null 2>&1 &)",
    });
    expect(started).toMatchObject({ status: 200, body: { exitCode: 0 } });
    const link = await api(local.apiUrl, local.apiKey, "GET", `/sandbox/${id}/ports/8000/preview-url`);
    const url = String(link.body.url);
    expect(url).toBe(`${local.url}/preview/${id}/8000/`);
    expect(await page(`${url}index.html?x=1`)).toEqual({ status: 200, text: "inside\n" });

    const idle = await fetch(`${local.url}/preview/${id}/8001/`);
    expect(idle.status).toBe(502);
    expect(((await idle.json()) as { message: string }).message).toContain(
      `nothing answers on port 8001 of sandbox ${id}`,
    );

    const driver = createLocalDriver({ home });
    const outsider = (await driver.create({ timeoutMs: 120_000 }))._unsafeUnwrap();
    expect((await fetch(`${local.url}/preview/${outsider.id}/8000/`)).status).toBe(404);
    expect((await fetch(`${local.url}/preview/lsb-000000000000/8000/`)).status).toBe(404);
    await driver.delete(outsider.id, { timeoutMs: 60_000 });
    await driver.dispose();

    await local.close();
    const again = (await startLocalDaytona({ toolbox: "local", home }))._unsafeUnwrap();
    try {
      expect(await page(`${again.url}/preview/${id}/8000/`)).toEqual({ status: 200, text: "inside\n" });
    } finally {
      await again.close();
    }
  }, 600_000);
});
