/**
 * Deadlines against real sockets (no msw in this file): a server that accepts and never answers, and one that
 * answers 500 forever. The SDK's own request timeout is 24 h; only the kit's deadline can end these calls.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createKit, type Kit } from "../../../src/kit.js";
import { alwaysFailing, blackHole, type HostileServer } from "../../support/hostile-servers.js";

// The SDK is imported lazily on first use; a cold import blocks the event loop for a while under load, which
// would blur the deadline measured here.
beforeAll(async () => {
  await import("@daytonaio/sdk");
});

let server: HostileServer | undefined;
let kit: Kit | undefined;
afterEach(async () => {
  await kit?.dispose();
  await server?.close();
  kit = undefined;
  server = undefined;
});

function daytonaKit(apiUrl: string, retry = {}): Kit {
  return createKit({
    driver: "daytona",
    apiKey: "test-key",
    apiUrl,
    env: {},
    targets: ["us"],
    useDeprecatedPolling: true,
    retry,
  });
}

describe("one deadline per public call, down to each request", () => {
  it("ensure against a black hole ends Timeout within its deadline + 1 s, naming the real budget", async () => {
    server = await blackHole();
    kit = daytonaKit(server.url);
    const started = Date.now();
    const result = await kit.ensure({ projectId: "black-hole", timeoutMs: 1_500 });
    const elapsed = Date.now() - started;
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "Timeout", afterMs: 1_500 });
    expect(result._unsafeUnwrapErr().message).toContain("after 1500 ms");
    expect(elapsed).toBeGreaterThanOrEqual(1_400);
    // Far below what the call would take without its deadline (the SDK's own timeout is 24 h); wide for load.
    expect(elapsed).toBeLessThan(10_000);
    expect(server.requests()).toBeGreaterThan(0);
  });

  it("ensure({ timeoutMs: 5 }) reports 5 ms", async () => {
    server = await blackHole();
    kit = daytonaKit(server.url);
    const result = await kit.ensure({ projectId: "tiny", timeoutMs: 5 });
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "Timeout", afterMs: 5 });
    expect(result._unsafeUnwrapErr().message).toContain("after 5 ms");
  });

  it("list and get against a black hole end at the lifecycle deadline", async () => {
    server = await blackHole();
    kit = createKit({
      driver: "daytona",
      apiKey: "test-key",
      apiUrl: server.url,
      env: {},
      targets: ["us"],
      useDeprecatedPolling: true,
      timeouts: { lifecycleMs: 800 },
    });
    const started = Date.now();
    const [listed, got] = await Promise.all([kit.list(), kit.get("some-id")]);
    expect(listed._unsafeUnwrapErr()).toMatchObject({ kind: "Timeout", afterMs: 800 });
    expect(got._unsafeUnwrapErr()).toMatchObject({ kind: "Timeout", afterMs: 800 });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("retry.attempts 20 with a persistent 500 gives a typed Err within the deadline", async () => {
    server = await alwaysFailing(500);
    kit = daytonaKit(server.url, { attempts: 20, baseDelayMs: 200, maxDelayMs: 2_000 });
    const started = Date.now();
    const result = await kit.ensure({ projectId: "always-500", timeoutMs: 2_000 });
    const elapsed = Date.now() - started;
    expect(["Transient", "Timeout"]).toContain(result._unsafeUnwrapErr().kind);
    // 20 attempts without the deadline would wait ~33 s between them alone.
    expect(elapsed).toBeLessThan(15_000);
    expect(server.requests()).toBeGreaterThan(1);
  });
});
