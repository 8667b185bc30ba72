import { Daytona, Image } from "@daytonaio/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDaytonaEmulator, EMULATOR_ROUTES, type EmulatorRoute } from "../../src/testing/index.js";
import { type SdkPackage, violations } from "./support/sdk-models.js";

/**
 * The real SDK is driven through every route the emulator serves, on success and on the errors the emulator
 * produces; every JSON body it receives is checked against the SDK's generated model for that route and status.
 */
const API = "@daytona/api-client";
const TOOLBOX = "@daytona/toolbox-api-client";

/** The SDK model of each route's success body (`null` = an empty body). Arrays are marked with `[]`. */
const SUCCESS_MODELS: Record<Exclude<EmulatorRoute, "GET /socket.io">, [SdkPackage, string] | null> = {
  "POST /sandbox": [API, "Sandbox"],
  "GET /sandbox": [API, "ListSandboxesResponse"],
  "GET /sandbox/:id": [API, "Sandbox"],
  "POST /sandbox/:id/start": [API, "Sandbox"],
  "POST /sandbox/:id/stop": [API, "Sandbox"],
  "DELETE /sandbox/:id": [API, "Sandbox"],
  "PUT /sandbox/:id/labels": [API, "SandboxLabels"],
  "GET /sandbox/:id/ports/:port/preview-url": [API, "PortPreviewUrl"],
  "GET /sandbox/:id/toolbox-proxy-url": [API, "ToolboxProxyUrl"],
  "POST /snapshots": [API, "SnapshotDto"],
  "GET /snapshots": [API, "PaginatedSnapshots"],
  "GET /snapshots/:id": [API, "SnapshotDto"],
  "DELETE /snapshots/:id": null,
  "GET /snapshots/:id/build-logs-url": [API, "Url"],
  "GET /snapshots/:id/build-logs": null, // plain text: checked apart
  "POST /toolbox/files/bulk-upload": null,
  "POST /toolbox/files/bulk-download": null, // multipart: its parts are checked apart
  "GET /toolbox/files": [TOOLBOX, "FileInfo[]"],
  "GET /toolbox/files/info": [TOOLBOX, "FileInfo"],
  "POST /toolbox/files/folder": null,
  "DELETE /toolbox/files": null,
  "POST /toolbox/files/move": null,
  "POST /toolbox/process/execute": [TOOLBOX, "ExecuteResponse"],
  "GET /toolbox/process/session": [TOOLBOX, "Session[]"],
  "POST /toolbox/process/session": null,
  "GET /toolbox/process/session/:sessionId": [TOOLBOX, "Session"],
  "DELETE /toolbox/process/session/:sessionId": null,
  "POST /toolbox/process/session/:sessionId/exec": [TOOLBOX, "SessionExecuteResponse"],
  "GET /toolbox/process/session/:sessionId/command/:commandId": [TOOLBOX, "Command"],
  "GET /toolbox/process/session/:sessionId/command/:commandId/logs": [TOOLBOX, "SessionCommandLogsResponse"],
};

/** The API's error body has no model in the SDK: these fields, exactly (Daytona Cloud's filter). */
const API_ERROR_FIELDS = ["code", "error", "message", "method", "path", "source", "statusCode", "timestamp"];

const emulator = createDaytonaEmulator();
const proxyless = createDaytonaEmulator({
  apiUrl: "https://api2.daytona.test/api",
  toolboxUrl: "https://proxy2.daytona.test/toolbox",
  includeToolboxProxyUrl: false,
});
const slow = createDaytonaEmulator({
  apiUrl: "https://api3.daytona.test/api",
  toolboxUrl: "https://proxy3.daytona.test/toolbox",
  pollsUntilStarted: 1000,
});
const clients: Daytona[] = [];
const client = (config = emulator.clientConfig()) => {
  const daytona = new Daytona(config);
  clients.push(daytona);
  return daytona;
};

interface Captured {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}
const captured: Promise<Captured>[] = [];

beforeAll(() => {
  const server = emulator.listen();
  server.use(...proxyless.handlers, ...slow.handlers);
  server.events.on("response:mocked", ({ request, response }) => {
    if (response.type === "error") return;
    const copy = response.clone();
    captured.push(
      copy.text().then((body) => ({
        method: request.method,
        url: request.url,
        status: response.status,
        contentType: response.headers.get("content-type") ?? "",
        body,
      })),
    );
  });
});
afterAll(async () => {
  for (const daytona of clients) await daytona[Symbol.asyncDispose]();
  emulator.close();
});

/** `POST https://proxy.daytona.test/toolbox/<id>/files/folder` → `POST /toolbox/files/folder`. */
function routeOf(method: string, url: string): EmulatorRoute | undefined {
  const { pathname } = new URL(url);
  const path = pathname.replace(/^\/api/, "").replace(/^\/toolbox\/[^/]+/, "/toolbox");
  return EMULATOR_ROUTES.find((route) => {
    const [routeMethod, pattern] = route.split(" ") as [string, string];
    const regex = new RegExp(`^${pattern.replace(/:[a-zA-Z]+/g, "[^/]+")}$`);
    return routeMethod === method && regex.test(path);
  });
}

/** The violations of one captured response. */
function check(entry: Captured, route: EmulatorRoute): string[] {
  const where = `${route} ${entry.status}`;
  if (entry.status >= 400) {
    if (!entry.contentType.includes("json")) return [`${where}: error body is not JSON`];
    const body = JSON.parse(entry.body) as Record<string, unknown>;
    if (route.includes("/toolbox/")) return violations(TOOLBOX, "ErrorResponse", body, where);
    const keys = Object.keys(body).sort();
    return JSON.stringify(keys) === JSON.stringify(API_ERROR_FIELDS)
      ? []
      : [`${where}: API error fields ${keys.join(",")} ≠ ${API_ERROR_FIELDS.join(",")}`];
  }
  if (route === "POST /toolbox/files/bulk-download") return checkDownloadParts(entry.body, where);
  if (route === "GET /snapshots/:id/build-logs") {
    return entry.contentType.includes("text/plain") ? [] : [`${where}: a build log is plain text`];
  }
  const model = SUCCESS_MODELS[route as keyof typeof SUCCESS_MODELS];
  if (model === null) return entry.body === "" ? [] : [`${where}: expected an empty body, got ${entry.body}`];
  const [pkg, name] = model;
  const body: unknown = JSON.parse(entry.body);
  if (name.endsWith("[]")) {
    if (!Array.isArray(body)) return [`${where}: expected an array`];
    return body.flatMap((item, i) => violations(pkg, name.slice(0, -2), item, `${where}[${i}]`));
  }
  return violations(pkg, name, body, where);
}

/** The JSON `error` parts of a bulk-download reply are the daemon's `ErrorResponse`, naming the file in `path`. */
function checkDownloadParts(body: string, where: string): string[] {
  const parts = body.split("--DAYTONA-FILE-BOUNDARY").filter((p) => p.includes('name="error"'));
  return parts.flatMap((part) => {
    const json = JSON.parse(part.slice(part.indexOf("\r\n\r\n") + 4).trim()) as Record<string, unknown>;
    const found = violations(TOOLBOX, "ErrorResponse", json, `${where} error part`);
    return typeof json.path === "string" && json.path.startsWith("/") && json.path !== new URL("x:/").pathname
      ? found
      : [...found, `${where} error part: path ${String(json.path)} does not name the file`];
  });
}

/** Drives one SDK call that is expected to fail (its error is not what this test checks). */
const failing = (call: Promise<unknown>) =>
  call.then(
    () => {
      throw new Error("expected the call to fail");
    },
    () => undefined,
  );

describe("every body the emulator serves matches the SDK's model for its route and status", () => {
  it("drives the SDK through every served route with 0 violations", async () => {
    const daytona = client();
    const sandbox = await daytona.create({
      image: "node:20-slim",
      labels: { suite: "models" },
      envVars: { A: "1" },
      networkBlockAll: true,
      networkAllowList: "10.0.0.0/8",
    });
    await daytona.create({ snapshot: "daytona-medium", name: "from-snapshot" });
    await failing(daytona.create({ snapshot: "no-such-snapshot" }));
    await daytona.get(sandbox.id);
    await failing(daytona.get("missing-sandbox"));
    for await (const _ of daytona.list({ labels: { suite: "models" }, limit: 1 })) break;
    await failing(daytona.list({ limit: 500 }).next());
    await sandbox.setLabels({ suite: "models", more: "yes" });
    await sandbox.getPreviewLink(3000);
    await failing(sandbox.getPreviewLink(70000));

    const fs = sandbox.fs;
    await fs.uploadFile(Buffer.from("hello"), "/home/daytona/a.txt");
    await fs.downloadFile("/home/daytona/a.txt");
    await failing(fs.downloadFile("/home/daytona/missing.txt"));
    await fs.createFolder("/home/daytona/dir/sub", "755");
    await fs.listFiles("/home/daytona", { depth: 2 });
    await failing(fs.listFiles("/nope"));
    await fs.getFileDetails("/home/daytona/a.txt");
    await failing(fs.getFileDetails("/nope"));
    await fs.moveFiles("/home/daytona/a.txt", "/home/daytona/b.txt");
    await failing(fs.moveFiles("/home/daytona/b.txt", "/home/daytona/dir"));
    await failing(fs.deleteFile("/home/daytona/dir"));
    await fs.deleteFile("/home/daytona/dir", true);

    const process = sandbox.process;
    await process.executeCommand("echo hi");
    await failing(process.executeCommand("   "));
    emulator.onCommand("slow", { exitCode: 0, output: "", durationMs: 5000 });
    await failing(process.executeCommand("slow", undefined, undefined, 1));
    await process.createSession("s1");
    await failing(process.createSession("s1"));
    const sync = await process.executeSessionCommand("s1", { command: "echo sync" });
    const started = await process.executeSessionCommand("s1", { command: "echo async", runAsync: true });
    await process.getSession("s1");
    await failing(process.getSession("nope"));
    await process.listSessions();
    await process.getSessionCommand("s1", sync.cmdId);
    await failing(process.getSessionCommand("s1", "nope"));
    await process.getSessionCommandLogs("s1", started.cmdId);
    await process.deleteSession("s1");

    await sandbox.stop();
    await failing(sandbox.fs.listFiles("/"));
    await failing(sandbox.stop());
    await sandbox.start();
    await sandbox.delete();

    const viaProxyUrl = await client(proxyless.clientConfig()).create();
    await viaProxyUrl.process.executeCommand("true");
    const pending = await client(slow.clientConfig())
      .create({}, { timeout: 0.3 })
      .catch(() => undefined);
    expect(pending).toBeUndefined();
    const [stuck] = slow.sandboxes.list();
    await failing(
      client(slow.clientConfig())
        .get(stuck?.id ?? "")
        .then((s) => s.delete()),
    );

    const snapshot = await daytona.snapshot.create(
      { name: "bodies-snapshot", image: Image.base("debian:12-slim").runCommands("echo hi") },
      { onLogs: () => undefined },
    );
    await failing(daytona.snapshot.create({ name: "bodies-snapshot", image: "debian:12-slim" }));
    await failing(daytona.snapshot.create({ name: "bad name", image: "debian:12-slim" }));
    await daytona.snapshot.list(1, 10);
    await failing(daytona.snapshot.get("nope"));
    await daytona.snapshot.delete(snapshot);

    const entries = await Promise.all(captured);
    const byRoute = new Map<string, number>();
    const found: string[] = [];
    for (const entry of entries) {
      const route = routeOf(entry.method, entry.url);
      if (!route) {
        found.push(`unrouted ${entry.method} ${entry.url}`);
        continue;
      }
      byRoute.set(`${route} ${entry.status}`, (byRoute.get(`${route} ${entry.status}`) ?? 0) + 1);
      found.push(...check(entry, route));
    }
    expect(found).toEqual([]);
    const served = new Set([...byRoute.keys()].map((k) => k.replace(/ \d+$/, "")));
    expect(EMULATOR_ROUTES.filter((r) => r !== "GET /socket.io" && !served.has(r))).toEqual([]);
    // Successes and the errors exercised above: each (route, status) pair checked at least once.
    expect(byRoute.size).toBeGreaterThanOrEqual(50);
    console.info(`bodies checked: ${entries.length}; (route, status) pairs: ${byRoute.size}`);
  });
});

describe("the model check itself", () => {
  it("reports missing required fields, wrong types, unknown fields and enum values", () => {
    expect(
      violations(API, "Sandbox", {
        id: "x",
        organizationId: "o",
        name: "n",
        user: "u",
        env: {},
        labels: { a: 1 },
        public: false,
        networkBlockAll: false,
        target: "us",
        cpu: 1,
        gpu: 0,
        memory: 1,
        disk: 3,
        state: "sleeping",
        buildInfo: { dockerfileContent: "FROM x", createdAt: "2026-01-01T00:00:00.000Z" },
        total: 1,
      }),
    ).toEqual([
      "Sandbox.total: not a field of Sandbox",
      "Sandbox.labels.a: expected a string, got 1",
      expect.stringContaining('Sandbox.state: "sleeping" is not one of SandboxState'),
      "Sandbox.buildInfo.updatedAt: required by BuildInfo, missing",
      "Sandbox.buildInfo.snapshotRef: required by BuildInfo, missing",
      "Sandbox.toolboxProxyUrl: required by Sandbox, missing",
    ]);
  });
});
