import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDaytonaDriver } from "../../../src/driver/daytona/index.js";
import { runStep } from "../../../src/driver/daytona/prebake.js";
import type { PrebakePlan, SandboxDriver } from "../../../src/driver/types.js";
import { type EmulatedDaytona, startEmulatedDaytona } from "../../support/emulated-daytona.js";

// biome-ignore lint/suspicious/noExplicitAny: JavaScript callers pass anything.
type Loose = any;

let env: EmulatedDaytona;
const extra: SandboxDriver[] = [];
beforeAll(() => {
  env = startEmulatedDaytona({ targets: ["us"] });
});
afterEach(() => env.emulator.reset());
afterAll(async () => {
  for (const driver of extra) await driver.dispose();
  await env.close();
});

/** A second driver (another "process") on the same emulator, with fast polls of another caller's build. */
const anotherDriver = (): SandboxDriver => {
  const driver = createDaytonaDriver({
    clients: env.clients as never,
    targets: ["us"],
    apiKey: env.emulator.clientConfig().apiKey,
    snapshotPollMs: 10,
  });
  extra.push(driver);
  return driver;
};

const plan = (extraFields: Partial<PrebakePlan> = {}): PrebakePlan => ({
  name: "apex-prebaked-0123456789abcdef",
  baseImage: "debian:12-slim",
  commands: ["apt-get install -y git", "echo baked"],
  labels: {},
  ...extraFields,
});

describe("the Daytona driver's prebake against the emulator (real SDK)", () => {
  it("two drivers racing on one plan: one snapshot create succeeds, both get it, sandboxes start from it", async () => {
    const [a, b] = [anotherDriver(), anotherDriver()];
    const logs: string[] = [];
    const [ra, rb] = await Promise.all([
      a.prebake?.(plan(), { timeoutMs: 60_000, onLog: (l) => logs.push(l) }),
      b.prebake?.(plan(), { timeoutMs: 60_000, onLog: (l) => logs.push(l) }),
    ]);
    const images = [ra?._unsafeUnwrap(), rb?._unsafeUnwrap()];
    expect(images.map((i) => i?.built).sort()).toEqual([false, true]);
    expect(images.every((i) => i?.name === plan().name)).toBe(true);
    expect(env.emulator.state.snapshots.size).toBe(1);
    expect([...env.emulator.state.snapshots.values()][0]?.state).toBe("active");
    // Exactly one create succeeded (the other caller found the name, or met the 409 and adopted it).
    const creates = env.emulator.requests.filter((e) => e.route === "POST /snapshots");
    expect(creates.filter((e) => e.status === 200)).toHaveLength(1);
    for (const driver of [a, b]) {
      const image = images[0];
      if (!image) throw new Error("no image");
      const box = (await driver.create({ ...image.createFrom, timeoutMs: 30_000 }))._unsafeUnwrap();
      expect(box.state).toBe("started");
    }
    expect(env.emulator.sandboxes.list().map((s) => s.snapshot)).toEqual([plan().name, plan().name]);
    // A later prebake of the same plan finds it: no build.
    const again = (await a.prebake?.(plan(), { timeoutMs: 60_000 }))?._unsafeUnwrap();
    expect(again?.built).toBe(false);
    expect(env.emulator.count("POST /snapshots")).toBe(creates.length);
  });

  it("a failing build is SandboxFailed whose message ends with the build log's tail", async () => {
    const driver = anotherDriver();
    const bad = plan({ name: "apex-prebaked-failing", commands: ["echo before-the-failure", "exit 3"] });
    const error = (await driver.prebake?.(bad, { timeoutMs: 60_000 }))?._unsafeUnwrapErr();
    expect(error?.kind).toBe("SandboxFailed");
    expect(error).toMatchObject({ state: "build_failed" });
    expect(error?.message).toMatch(/before-the-failure\n[\s\S]*returned a non-zero code: 3$/);
    // The failed name stays failed (delete it to build again), and a sandbox cannot start from it.
    expect((await driver.prebake?.(bad, { timeoutMs: 60_000 }))?._unsafeUnwrapErr().kind).toBe(
      "SandboxFailed",
    );
    expect((await driver.create({ snapshot: bad.name, timeoutMs: 30_000 })).isErr()).toBe(true);
  });

  it("a build that never ends: the deadline is Timeout, an abort is Aborted", async () => {
    const driver = anotherDriver();
    const endless = plan({ name: "apex-prebaked-endless", commands: ["sleep infinity"] });
    const timedOut = await driver.prebake?.(endless, { timeoutMs: 300 });
    expect(timedOut?._unsafeUnwrapErr().kind).toBe("Timeout");
    const controller = new AbortController();
    const pending = driver.prebake?.(endless, { timeoutMs: 60_000, signal: controller.signal });
    controller.abort();
    expect((await pending)?._unsafeUnwrapErr().kind).toBe("Aborted");
  });

  it("lists by prefix (all pages) and deletes; a second delete is NotFound", async () => {
    const driver = anotherDriver();
    await driver.prebake?.(plan(), { timeoutMs: 60_000 });
    await driver.prebake?.(plan({ name: "someone-else" }), { timeoutMs: 60_000 });
    const listed = (await driver.listPrebaked?.("apex-prebaked-"))?._unsafeUnwrap();
    expect(listed?.map((e) => [e.name, e.state])).toEqual([[plan().name, "active"]]);
    expect((await driver.deletePrebaked?.(plan().name))?.isOk()).toBe(true);
    const gone = (await driver.deletePrebaked?.(plan().name))?._unsafeUnwrapErr();
    expect(gone).toMatchObject({ kind: "NotFound", resource: "snapshot" });
    expect((await driver.listPrebaked?.("apex-prebaked-"))?._unsafeUnwrap()).toEqual([]);
  });

  it("adopts a snapshot another process is building (409 on create), waiting until it is active", async () => {
    const driver = anotherDriver();
    // Another process created the name a moment ago: the first lookup misses it, the create meets the 409.
    env.emulator.state.snapshots.set("their-id", {
      id: "their-id",
      name: plan().name,
      imageName: "debian:12-slim",
      state: "pending",
      errorReason: null,
      buildLog: [],
      createdAt: new Date().toISOString(),
    });
    env.emulator.faults.inject("GET /snapshots/:id", { status: 404, times: 1 });
    const result = (await driver.prebake?.(plan(), { timeoutMs: 60_000 }))?._unsafeUnwrap();
    expect(result).toEqual({ name: plan().name, built: false, createFrom: { snapshot: plan().name } });
    const creates = env.emulator.requests.filter((e) => e.route === "POST /snapshots");
    expect(creates.map((e) => e.status)).toEqual([409]);
    expect(env.emulator.state.findSnapshot(plan().name)?.state).toBe("active");
  });

  it("refuses names Daytona refuses and junk from JavaScript callers before any request", async () => {
    const driver = anotherDriver();
    const before = env.emulator.requests.length;
    for (const name of ["", "has space", "a//b", "x".repeat(256), "semi;colon", "new\nline", "ünï"]) {
      const result = await driver.prebake?.(plan({ name }), { timeoutMs: 1_000 });
      expect(result?._unsafeUnwrapErr().kind, name).toBe("InvalidArgument");
    }
    for (const value of [null, undefined, 42, { name: "ok" }] as Loose[]) {
      expect((await driver.prebake?.(value, { timeoutMs: 1_000 }))?._unsafeUnwrapErr().kind).toBe(
        "InvalidArgument",
      );
    }
    expect((await driver.prebake?.(plan(), { timeoutMs: -1 }))?._unsafeUnwrapErr().kind).toBe(
      "InvalidArgument",
    );
    expect((await driver.deletePrebaked?.(null as Loose))?._unsafeUnwrapErr().kind).toBe("InvalidArgument");
    expect(env.emulator.requests.length).toBe(before);
  });

  it("a command that spans lines is one RUN step the Dockerfile can hold", () => {
    const step = runStep("cat > /etc/x <<'EOF'\na\nEOF");
    expect(step).not.toMatch(/\n/);
    expect(step).toMatch(/^printf %s [A-Za-z0-9+/=]+ \| base64 -d \| sh -e$/);
    expect(runStep("apt-get install -y git")).toBe("apt-get install -y git");
  });
});
