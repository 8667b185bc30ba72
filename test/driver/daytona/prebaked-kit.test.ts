/**
 * The kit's prebake calls on the Daytona driver against the emulator (the real SDK through msw): a spec becomes one
 * snapshot however many kits race for it, sandboxes are created from the snapshot and run only their per-sandbox
 * steps, a failed build is a typed error.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDaytonaDriver } from "../../../src/driver/daytona/index.js";
import { createKit, type Kit } from "../../../src/kit.js";
import { bakedResponder } from "../../support/baked-responder.js";
import { type EmulatedDaytona, startEmulatedDaytona } from "../../support/emulated-daytona.js";

let env: EmulatedDaytona;
const kits: Kit[] = [];
beforeAll(() => {
  env = startEmulatedDaytona({ targets: ["us"] });
});
afterEach(() => env.emulator.reset());
afterAll(async () => {
  for (const kit of kits) await kit.dispose();
  await env.close();
});

/** A kit over a driver of its own (another "process") on the same emulator. */
const anotherKit = (): Kit => {
  const driver = createDaytonaDriver({
    clients: env.clients as never,
    targets: ["us"],
    apiKey: env.emulator.clientConfig().apiKey,
    snapshotPollMs: 10,
    sessionPollMs: 10,
  });
  const kit = createKit({ driver, env: {}, retry: { sleep: async () => undefined } });
  kits.push(kit);
  return kit;
};

const spec = { git: true, postgres: { database: "app" }, redis: true } as const;

describe("prebaked environments on the emulator", () => {
  it("two kits racing on one spec: one snapshot created (one successful POST), both get it", async () => {
    const [a, b] = [anotherKit(), anotherKit()];
    const logs: string[] = [];
    const [ra, rb] = await Promise.all([
      a.prebake(spec, { onLog: (line) => logs.push(line) }),
      b.prebake({ redis: true, postgres: { database: "app" }, git: true }),
    ]);
    const images = [ra._unsafeUnwrap(), rb._unsafeUnwrap()];
    const name = a.prebaked.plan(spec)._unsafeUnwrap().plan.name;
    expect(images.map((i) => i.name)).toEqual([name, name]);
    expect(images.map((i) => i.built).sort()).toEqual([false, true]);
    expect(images[0]?.createFrom).toEqual({ snapshot: name });
    const creates = env.emulator.requests.filter((e) => e.route === "POST /snapshots");
    expect(creates.filter((e) => e.status === 200)).toHaveLength(1);
    expect(env.emulator.state.snapshots.size).toBe(1);
    expect([...env.emulator.state.snapshots.values()][0]?.state).toBe("active");
    // The build ran the compiled install commands on the kit's default image.
    const built = [...env.emulator.state.snapshots.values()][0];
    expect(built?.buildLog[0]).toBe("Step 1/5 : FROM python:3.12-slim-bookworm");
    // A third call builds nothing.
    expect((await a.prebake(spec))._unsafeUnwrap().built).toBe(false);
    expect(env.emulator.count("POST /snapshots")).toBe(creates.length);
    expect((await b.prebaked.list())._unsafeUnwrap().map((e) => [e.name, e.state])).toEqual([
      [name, "active"],
    ]);
  });

  it("ensure({ prebaked }) creates the sandbox from the snapshot and runs only the per-sandbox steps", async () => {
    const baked = bakedResponder();
    env.emulator.onCommand(() => true, baked.responder);
    const kit = anotherKit();
    const sandbox = (await kit.ensure({ projectId: "blog", prebaked: spec }))._unsafeUnwrap();
    const name = kit.prebaked.plan(spec)._unsafeUnwrap().plan.name;
    expect(env.emulator.sandboxes.get(sandbox.id)?.snapshot).toBe(name);
    expect(sandbox.info.labels).toMatchObject({ "apex.project": "blog", "apex.prebaked-from": name });
    expect(sandbox.services.postgres.url).toBe("postgresql://postgres@localhost:5432/app");
    expect(sandbox.services.redis.url).toBe("redis://127.0.0.1:6379");
    expect(baked.ran.filter((c) => /apt-get|dpkg/.test(c))).toEqual([]);
    expect(baked.ran.length).toBe(4);
    // The second ensure of the project finds the sandbox: no create, and everything already runs.
    const creates = env.emulator.count("POST /sandbox");
    const again = (await kit.ensure({ projectId: "blog", prebaked: spec }))._unsafeUnwrap();
    expect(again.id).toBe(sandbox.id);
    expect(env.emulator.count("POST /sandbox")).toBe(creates);
    expect(env.emulator.count("POST /snapshots")).toBe(1);
  });

  it("a failed build is SandboxFailed with Daytona's reason, and no sandbox is created", async () => {
    const kit = anotherKit();
    const name = kit.prebaked.plan(spec)._unsafeUnwrap().plan.name;
    // Another process's build of this spec failed (Daytona keeps the failed snapshot until it is deleted).
    env.emulator.state.snapshots.set("failed-id", {
      id: "failed-id",
      name,
      imageName: "python:3.12-slim-bookworm",
      state: "build_failed",
      errorReason: "The command '/bin/sh -c apt-get install' returned a non-zero code: 100",
      buildLog: ["Step 2/5 : RUN apt-get update", "E: Unable to locate package redis-server"],
      createdAt: new Date().toISOString(),
    });
    const failed = (await kit.ensure({ projectId: "blog", prebaked: spec }))._unsafeUnwrapErr();
    expect(failed).toMatchObject({ kind: "SandboxFailed", state: "build_failed" });
    expect(failed.message).toContain("returned a non-zero code: 100");
    expect(failed.message).toContain(name);
    expect(env.emulator.count("POST /sandbox")).toBe(0);
    // Deleting it lets the next prebake build again.
    expect((await kit.prebaked.delete(name)).isOk()).toBe(true);
    expect((await kit.prebake(spec))._unsafeUnwrap().built).toBe(true);
  });
});
