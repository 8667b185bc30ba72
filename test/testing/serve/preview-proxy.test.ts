import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { err, ok } from "neverthrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kitError } from "../../../src/errors.js";
import { type PreviewResolver, proxyPreview } from "../../../src/testing/serve/preview-proxy.js";

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}
const portOf = (server: Server) => (server.address() as AddressInfo).port;

describe("proxyPreview: a sandbox port reached through /preview/<id>/<port>/…", () => {
  let echo: Server;
  let hung: Server;
  let closedPort = 0;
  const seen: Record<string, string | undefined>[] = [];

  beforeAll(async () => {
    echo = await listen((req, res) => {
      seen.push({
        method: req.method,
        url: req.url,
        token: String(req.headers["x-daytona-preview-token"]),
        custom: String(req.headers["x-custom"]),
        host: req.headers.host,
      });
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        res.writeHead(req.url?.startsWith("/teapot") ? 418 : 200, { "x-upstream": "yes" });
        res.end(`${req.method} ${req.url} ${Buffer.concat(chunks).toString()}`);
      });
    });
    hung = await listen(() => {
      // never answers
    });
    const closed = await listen(() => undefined);
    closedPort = portOf(closed);
    await new Promise((resolve) => closed.close(resolve));
  });
  afterAll(async () => {
    hung.closeAllConnections();
    await Promise.all([echo, hung].map((s) => new Promise((resolve) => s.close(resolve))));
  });

  const resolver =
    (target: () => number): PreviewResolver =>
    async (id) =>
      id === "box"
        ? ok({ url: `http://127.0.0.1:${target()}`, token: "tok" })
        : err(kitError.notFound("sandbox", id));
  const at = (path: string, init?: RequestInit) => new Request(`http://127.0.0.1:1${path}`, init);

  it("forwards method, path, query, headers and body, and passes the upstream's status and headers back", async () => {
    const response = await proxyPreview(
      at("/preview/box/8080/teapot/a%20b?x=1&y=2", {
        method: "POST",
        body: "payload",
        headers: { "x-custom": "kept", connection: "keep-alive" },
      }),
      resolver(() => portOf(echo)),
    );
    expect(response?.status).toBe(418);
    expect(response?.headers.get("x-upstream")).toBe("yes");
    expect(await response?.text()).toBe("POST /teapot/a%20b?x=1&y=2 payload");
    expect(seen.at(-1)).toMatchObject({ token: "tok", custom: "kept", host: `127.0.0.1:${portOf(echo)}` });
  });

  it("maps the bare port URL to the upstream's root", async () => {
    const response = await proxyPreview(
      at("/preview/box/8080/"),
      resolver(() => portOf(echo)),
    );
    expect(await response?.text()).toBe("GET / ");
  });

  it("answers 404 for an unknown sandbox and 400 for a port that is not one", async () => {
    expect(
      (
        await proxyPreview(
          at("/preview/ghost/8080/"),
          resolver(() => portOf(echo)),
        )
      )?.status,
    ).toBe(404);
    for (const port of ["0", "65536", "http", "-1", "1e3"]) {
      const response = await proxyPreview(
        at(`/preview/box/${port}/`),
        resolver(() => portOf(echo)),
      );
      expect(response?.status).toBe(400);
    }
  });

  it("answers 502 with a clear message when nothing listens on the port", async () => {
    const response = await proxyPreview(
      at("/preview/box/3000/"),
      resolver(() => closedPort),
    );
    expect(response?.status).toBe(502);
    expect(((await response?.json()) as { message?: string } | undefined)?.message).toContain(
      "nothing answers on port 3000 of sandbox box",
    );
  });

  it("answers 504 instead of hanging when the upstream never answers", async () => {
    const response = await proxyPreview(
      at("/preview/box/3000/"),
      resolver(() => portOf(hung)),
      {
        headersTimeoutMs: 200,
      },
    );
    expect(response?.status).toBe(504);
  });

  it("leaves other paths to the route table", async () => {
    expect(
      await proxyPreview(
        at("/api/sandbox"),
        resolver(() => portOf(echo)),
      ),
    ).toBeUndefined();
  });
});
