/**
 * One sandbox per project across processes, on the Daytona path: deterministic names, the 409 adoption, a name still
 * held by a sandbox being destroyed, and two kits that share nothing but the server racing 50 times.
 */
import { Daytona } from "@daytonaio/sdk";
import { okAsync } from "neverthrow";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDaytonaDriver } from "../../src/driver/daytona/index.js";
import type { SandboxDriver } from "../../src/driver/types.js";
import { createKitWithSeams } from "../../src/kit.js";
import { beginTransition } from "../../src/testing/state.js";
import type { RequestLogEntry } from "../../src/testing/types.js";
import { type EmulatedDaytona, startEmulatedDaytona } from "../support/emulated-daytona.js";
import { emulatedKit } from "../support/emulated-kit.js";
import { type EmulatorHttpServer, startEmulatorHttpServer } from "../support/emulator-http-server.js";
import { fakeClock } from "../support/fake-clock.js";

/** The create requests the emulator answered so far. */
const creates = (holder: { emulator: { requests: readonly RequestLogEntry[] } }) =>
  holder.emulator.requests.filter((r) => r.route === "POST /sandbox");

describe("sandbox names (emulator)", () => {
  let env: EmulatedDaytona;
  beforeAll(() => {
    env = startEmulatedDaytona();
  });
  afterEach(() => env.emulator.reset());
  afterAll(() => env.close());

  const live = (projectId: string) =>
    [...env.emulator.state.sandboxes.values()].filter(
      (s) => s.labels["apex.project"] === projectId && s.state !== "destroyed",
    );

  /** A kit over `driver` with a fake clock (sleeps return at once). */
  const kitOver = (
    driver: SandboxDriver,
    options: { ensureMs?: number; sandboxNamePrefix?: string } = {},
  ) => {
    const clock = fakeClock();
    return createKitWithSeams(
      {
        driver,
        retry: { now: clock.now, sleep: clock.sleep, random: () => 0.5 },
        timeouts: { ensureMs: options.ensureMs ?? 60_000 },
        env: {},
        ...(options.sandboxNamePrefix === undefined ? {} : { sandboxNamePrefix: options.sandboxNamePrefix }),
      },
      { clock, pollMs: 50 },
    );
  };

  it("creates the project's sandbox under <prefix><projectId>", async () => {
    const { kit } = emulatedKit(env);
    const sandbox = (await kit.ensure({ projectId: "blog" }))._unsafeUnwrap();
    expect(env.emulator.state.sandboxes.get(sandbox.id)?.name).toBe("apex-blog");
    const custom = kitOver(env.driver, { sandboxNamePrefix: "team1-" });
    const other = (await custom.ensure({ projectId: "docs" }))._unsafeUnwrap();
    expect(env.emulator.state.sandboxes.get(other.id)?.name).toBe("team1-docs");
  });

  it("finds a sandbox made by 0.1.0 (no name, label only) by its label and creates nothing", async () => {
    const old = env.emulator.sandboxes.seed({ labels: { "apex.project": "legacy" }, state: "stopped" });
    expect(old.name).toBe(old.id);
    const { kit } = emulatedKit(env);
    const sandbox = (await kit.ensure({ projectId: "legacy" }))._unsafeUnwrap();
    expect(sandbox.id).toBe(old.id);
    expect(sandbox.state).toBe("started");
    expect(env.emulator.count("POST /sandbox")).toBe(0);
  });

  it("after a 409 adopts the winner's sandbox (starting it if stopped) and never creates again", async () => {
    const winner = env.emulator.sandboxes.seed({
      name: "apex-race",
      labels: { "apex.project": "race" },
      state: "stopped",
    });
    // The lookup happened before the other process's create landed: it saw nothing.
    const kit = kitOver({ ...env.driver, list: () => okAsync([]) });
    const sandbox = (await kit.ensure({ projectId: "race" }))._unsafeUnwrap();
    expect(sandbox.id).toBe(winner.id);
    expect(sandbox.state).toBe("started");
    expect(env.emulator.count("POST /sandbox")).toBe(1);
    expect(live("race")).toHaveLength(1);
  });

  it("adopts through a hashed name too (a UUID-shaped project id with an empty prefix)", async () => {
    const projectId = "0b9a4d1e-3f2c-4b8a-9c7d-1e2f3a4b5c6d";
    const first = kitOver(env.driver, { sandboxNamePrefix: "" });
    const created = (await first.ensure({ projectId }))._unsafeUnwrap();
    const name = env.emulator.state.sandboxes.get(created.id)?.name ?? "";
    expect(name).toMatch(new RegExp(`^${projectId}~[0-9a-f]{12}$`));
    expect(name).not.toBe(projectId);
    // Another process whose lookup missed it: its create answers 409, and the GET by the hashed name adopts it.
    const second = kitOver({ ...env.driver, list: () => okAsync([]) }, { sandboxNamePrefix: "" });
    expect((await second.ensure({ projectId }))._unsafeUnwrap().id).toBe(created.id);
    expect(creates(env).map((r) => r.status)).toEqual([200, 409]);
    expect(live(projectId)).toHaveLength(1);
  });

  it("waits out a name held by a sandbox being destroyed, then creates (one live sandbox, a new one)", async () => {
    const dying = env.emulator.sandboxes.seed({
      name: "apex-phoenix",
      labels: { "apex.project": "phoenix" },
    });
    beginTransition(dying, "destroying", "destroyed", 3);
    const kit = kitOver(env.driver);
    const sandbox = (await kit.ensure({ projectId: "phoenix" }))._unsafeUnwrap();
    expect(sandbox.id).not.toBe(dying.id);
    expect(dying.state).toBe("destroyed");
    expect(dying.name).toMatch(/^DESTROYED_apex-phoenix_\d+$/);
    expect(env.emulator.state.sandboxes.get(sandbox.id)?.name).toBe("apex-phoenix");
    expect(live("phoenix").map((s) => s.id)).toEqual([sandbox.id]);
    // Every create before the name was free answered 409; exactly one succeeded.
    const answered = creates(env);
    expect(answered.filter((r) => r.status === 200)).toHaveLength(1);
    expect(answered.filter((r) => r.status === 409).length).toBeGreaterThanOrEqual(1);
  });

  it("ends in Timeout at the deadline when the name is never freed, and creates nothing", async () => {
    const stuck = env.emulator.sandboxes.seed({ name: "apex-stuck", labels: { "apex.project": "stuck" } });
    beginTransition(stuck, "destroying", "destroyed", Number.POSITIVE_INFINITY);
    const kit = kitOver(env.driver, { ensureMs: 10_000 });
    const failed = (await kit.ensure({ projectId: "stuck" }))._unsafeUnwrapErr();
    expect(failed.kind).toBe("Timeout");
    expect(creates(env).every((r) => r.status === 409)).toBe(true);
    expect(live("stuck").map((s) => s.id)).toEqual([stuck.id]);
  });
});

describe("two kits sharing nothing but the server", () => {
  let server: EmulatorHttpServer;
  beforeAll(async () => {
    server = await startEmulatorHttpServer({ keepAliveMs: 1_000 });
  });
  afterAll(() => server.close());

  /** A kit with its own SDK client and driver, as a separate process would have. */
  const separateKit = () => {
    const client = new Daytona({ apiKey: server.apiKey, apiUrl: server.apiUrl, target: "us" });
    const driver = createDaytonaDriver({ clients: { us: client as never }, targets: ["us"] });
    return createKitWithSeams(
      { driver, env: {}, targets: ["us"], timeouts: { ensureMs: 60_000 } },
      { pollMs: 10 },
    );
  };

  it("50 rounds of simultaneous ensure of a new project: one sandbox per project, both kits get it", async () => {
    const a = separateKit();
    const b = separateKit();
    let conflicts = 0;
    try {
      for (let round = 0; round < 50; round += 1) {
        const projectId = `shared-${round}`;
        const before = creates(server).length;
        const [left, right] = await Promise.all([a.ensure({ projectId }), b.ensure({ projectId })]);
        expect(left._unsafeUnwrap().id).toBe(right._unsafeUnwrap().id);
        conflicts += creates(server)
          .slice(before)
          .filter((r) => r.status === 409).length;
        const boxes = [...server.emulator.state.sandboxes.values()].filter(
          (s) => s.labels["apex.project"] === projectId && s.state !== "destroyed",
        );
        expect(boxes).toHaveLength(1);
      }
    } finally {
      await a.dispose();
      await b.dispose();
    }
    console.log(`[names] 50 rounds, 0 duplicates; ${conflicts} creates lost the race (409) and adopted`);
  }, 120_000);
});
