import {
  DaytonaConnectionError,
  DaytonaInternalServerError,
  DaytonaRateLimitError,
  DaytonaServiceUnavailableError,
  DaytonaTimeoutError,
} from "@daytonaio/sdk";
import { describe, expect, it } from "vitest";
import { createDaytonaEmulator, type Fault } from "../../src/testing/index.js";
import { useEmulator } from "./fixture.js";

const env = useEmulator();

describe("status faults", () => {
  it("answers an injected 429 once, with Retry-After headers visible on the SDK error", async () => {
    env.emulator.faults.inject("POST /sandbox", {
      status: 429,
      headers: { "Retry-After": "3", "Retry-After-sandbox-create": "7" },
    });
    const daytona = env.client();
    const failure = await daytona.create().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DaytonaRateLimitError);
    const headers = (failure as DaytonaRateLimitError).headers as Record<string, string>;
    expect(headers["retry-after"]).toBe("3");
    expect(headers["retry-after-sandbox-create"]).toBe("7");
    expect(failure).toMatchObject({ statusCode: 429, message: "Rate limit exceeded" });
    expect(env.emulator.sandboxes.list()).toEqual([]);
    // the fault is used up: the next create succeeds
    await daytona.create();
    expect(env.emulator.requests.map((r) => [r.status, r.fault])).toEqual([
      [429, "status"],
      [200, undefined],
    ]);
  });

  it("fails the next `times` calls, then answers normally", async () => {
    const seeded = env.emulator.sandboxes.seed();
    env.emulator.faults.inject("GET /sandbox/:id", { status: 503, times: 2 });
    const daytona = env.client();
    await expect(daytona.get(seeded.id)).rejects.toBeInstanceOf(DaytonaServiceUnavailableError);
    await expect(daytona.get(seeded.id)).rejects.toBeInstanceOf(DaytonaServiceUnavailableError);
    expect((await daytona.get(seeded.id)).id).toBe(seeded.id);
    expect(env.emulator.requests.map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it("sends a custom body as given", async () => {
    env.emulator.faults.inject("POST /sandbox", { status: 500, body: { message: "boom", code: "X" } });
    const failure = await env
      .client()
      .create()
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DaytonaInternalServerError);
    expect(failure).toMatchObject({ message: "boom", code: "X" });
  });

  it("injects faults on toolbox routes", async () => {
    const sandbox = await env.client().create();
    env.emulator.faults.inject("POST /toolbox/process/execute", {
      status: 502,
      body: "<html>502 Bad Gateway</html>",
    });
    await expect(sandbox.process.executeCommand("echo hi")).rejects.toMatchObject({
      statusCode: 502,
      message: "<html>502 Bad Gateway</html>",
    });
    expect(env.emulator.commands(sandbox.id)).toEqual([]);
  });
});

describe("connection errors and latency", () => {
  it("answers a network error once; the SDK raises DaytonaConnectionError and does not retry it", async () => {
    const seeded = env.emulator.sandboxes.seed();
    env.emulator.faults.inject("GET /sandbox/:id", { connectionError: true });
    await expect(env.client().get(seeded.id)).rejects.toBeInstanceOf(DaytonaConnectionError);
    expect(env.emulator.requests).toEqual([
      expect.objectContaining({ route: "GET /sandbox/:id", status: 0, fault: "connection" }),
    ]);
  });

  it("delays a request: it stays in flight meanwhile, and a client deadline shorter than the latency fires", async () => {
    const seeded = env.emulator.sandboxes.seed();
    env.emulator.faults.inject("GET /sandbox/:id", { latencyMs: 300 });
    const slow = env.client(undefined, { requestTimeoutMs: 30 }).get(seeded.id);
    const failure = await slow.catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DaytonaTimeoutError);
    expect(env.emulator.inFlight("GET /sandbox/:id")).toBe(1);
    await expect.poll(() => env.emulator.inFlight("GET /sandbox/:id")).toBe(0);
    expect(env.emulator.requests[0]).toMatchObject({ status: 200, fault: "latency" });
  });

  it("applyFirst performs the create, then answers the fault: the sandbox exists although the client saw 504", async () => {
    env.emulator.faults.inject("POST /sandbox", { status: 504, applyFirst: true });
    const daytona = env.client();
    const failure = await daytona.create({ labels: { project: "p1" } }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DaytonaTimeoutError);
    const found: string[] = [];
    for await (const s of daytona.list({ labels: { project: "p1" } })) found.push(s.id);
    expect(found).toHaveLength(1);
    expect(env.emulator.sandboxes.list()).toHaveLength(1);
  });

  it("applyFirst with latency only: the effect happens, then the answer arrives after the client gave up", async () => {
    env.emulator.faults.inject("POST /sandbox", { latencyMs: 300, applyFirst: true });
    const failure = await env
      .client()
      // create's own deadline (seconds) applies to its POST
      .create({}, { timeout: 0.05 })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DaytonaTimeoutError);
    expect(env.emulator.sandboxes.list()).toHaveLength(1);
  });

  it("counts concurrency per route with the global latency option", async () => {
    const emulator = env.withOptions({ latencyMs: 40 });
    const seeded = emulator.sandboxes.seed();
    const daytona = env.client();
    await Promise.all(Array.from({ length: 5 }, () => daytona.get(seeded.id)));
    expect(emulator.maxInFlight("GET /sandbox/:id")).toBe(5);
    expect(emulator.maxInFlight("POST /sandbox")).toBe(0);
    expect(emulator.inFlight()).toBe(0);
    expect(emulator.count("GET /sandbox/:id")).toBe(5);
  });
});

describe("random faults", () => {
  const kinds: Fault[] = [{ status: 503 }, { status: 500 }];

  function run(seed: number): number[] {
    const emulator = createDaytonaEmulator();
    emulator.faults.random({ rate: 0.5, seed, kinds });
    return Array.from({ length: 40 }, () => emulator.faults.take("GET /sandbox/:id")?.status ?? 200);
  }

  it("is deterministic for a seed and draws from the given kinds at roughly the given rate", () => {
    const first = run(7);
    expect(run(7)).toEqual(first);
    expect(run(8)).not.toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 500, 503]));
    const faulted = first.filter((s) => s !== 200).length;
    expect(faulted).toBeGreaterThan(8);
    expect(faulted).toBeLessThan(32);
  });

  it("shapes real SDK calls and is cleared by faults.clear()", async () => {
    const seeded = env.emulator.sandboxes.seed();
    env.emulator.faults.random({ rate: 1, seed: 3, kinds: [{ status: 503 }], routes: ["GET /sandbox/:id"] });
    const daytona = env.client();
    await expect(daytona.get(seeded.id)).rejects.toMatchObject({ statusCode: 503 });
    env.emulator.faults.clear();
    expect((await daytona.get(seeded.id)).id).toBe(seeded.id);
  });
});

describe("request log", () => {
  it("logs every round trip of a create → upload → exec → preview → stop → delete flow", async () => {
    const daytona = env.client();
    const sandbox = await daytona.create();
    await sandbox.fs.uploadFile(Buffer.from("x"), "/w/x");
    await sandbox.process.executeCommand("true");
    await sandbox.getPreviewLink(8080);
    await sandbox.stop();
    await sandbox.delete();
    expect(env.emulator.requests.map((r) => `${r.route} ${r.status}`)).toEqual([
      "POST /sandbox 200",
      "POST /toolbox/files/bulk-upload 200",
      "POST /toolbox/process/execute 200",
      "GET /sandbox/:id/ports/:port/preview-url 200",
      "POST /sandbox/:id/stop 200",
      "GET /sandbox/:id 200",
      "DELETE /sandbox/:id 200",
    ]);
    expect(env.emulator.requests.slice(1).every((r) => r.sandboxId === sandbox.id)).toBe(true);
    expect(env.emulator.count()).toBe(7);
  });

  it("reset() forgets sandboxes, requests, faults and rules", async () => {
    env.emulator.sandboxes.seed();
    env.emulator.faults.inject("POST /sandbox", { status: 500, times: 3 });
    env.emulator.onCommand(/x/, { exitCode: 9, output: "" });
    await env
      .client()
      .create()
      .catch(() => undefined);
    env.emulator.reset();
    expect(env.emulator.sandboxes.list()).toEqual([]);
    expect(env.emulator.requests).toEqual([]);
    expect(env.emulator.faults.pending("POST /sandbox")).toBe(0);
  });
});
