import { describe, expect, it } from "vitest";
import type { PrebakePlan } from "../../src/driver/types.js";
import { createMemoryDriver } from "../../src/testing/index.js";

// biome-ignore lint/suspicious/noExplicitAny: JavaScript callers pass anything.
type Loose = any;

const plan = (extra: Partial<PrebakePlan> = {}): PrebakePlan => ({
  name: "apex-prebaked-0123456789abcdef",
  baseImage: "debian:12-slim",
  commands: ["apt-get install -y git", "echo installed"],
  labels: { "apex.kit": "prebaked" },
  ...extra,
});

describe("createMemoryDriver: prebake (the emulator's snapshot model)", () => {
  it("builds once, then finds the image again (built: false), and creates sandboxes from it", async () => {
    const driver = createMemoryDriver();
    const lines: string[] = [];
    const first = (
      await driver.prebake?.(plan(), { timeoutMs: 1_000, onLog: (l) => lines.push(l) })
    )?._unsafeUnwrap();
    expect(first).toEqual({ name: plan().name, built: true, createFrom: { snapshot: plan().name } });
    expect(lines).toContain("installed");
    const again = (await driver.prebake?.(plan(), { timeoutMs: 1_000 }))?._unsafeUnwrap();
    expect(again?.built).toBe(false);
    expect(driver.state.snapshots.size).toBe(1);
    const box = (await driver.create({ snapshot: plan().name, timeoutMs: 1_000 }))._unsafeUnwrap();
    expect(box.state).toBe("started");
  });

  it("a failing step is SandboxFailed whose message ends with the build log's tail; the name stays failed", async () => {
    const driver = createMemoryDriver();
    const bad = plan({ commands: ["echo before-the-failure", "exit 3"] });
    const error = (await driver.prebake?.(bad, { timeoutMs: 1_000 }))?._unsafeUnwrapErr();
    expect(error?.kind).toBe("SandboxFailed");
    expect(error?.message).toMatch(/before-the-failure\n[\s\S]*returned a non-zero code: 3$/);
    const again = (await driver.prebake?.(bad, { timeoutMs: 1_000 }))?._unsafeUnwrapErr();
    expect(again?.kind).toBe("SandboxFailed");
    const create = await driver.create({ snapshot: bad.name, timeoutMs: 1_000 });
    expect(create._unsafeUnwrapErr().kind).toBe("InvalidArgument");
  });

  it("lists by prefix and deletes; deleting twice is NotFound", async () => {
    const driver = createMemoryDriver();
    await driver.prebake?.(plan(), { timeoutMs: 1_000 });
    await driver.prebake?.(plan({ name: "other-1" }), { timeoutMs: 1_000 });
    const listed = (await driver.listPrebaked?.("apex-prebaked-"))?._unsafeUnwrap();
    expect(listed?.map((e) => [e.name, e.state])).toEqual([[plan().name, "active"]]);
    expect((await driver.deletePrebaked?.(plan().name))?.isOk()).toBe(true);
    expect((await driver.deletePrebaked?.(plan().name))?._unsafeUnwrapErr().kind).toBe("NotFound");
    expect((await driver.listPrebaked?.("apex-prebaked-"))?._unsafeUnwrap()).toEqual([]);
  });

  it("refuses names Daytona refuses and junk from JavaScript callers, without throwing", async () => {
    const driver = createMemoryDriver();
    for (const name of ["", "has space", "a//b", "x".repeat(256), "semi;colon", "new\nline"]) {
      const result = await driver.prebake?.(plan({ name }), { timeoutMs: 1_000 });
      expect(result?._unsafeUnwrapErr().kind, name).toBe("InvalidArgument");
    }
    const junk: Loose[] = [null, undefined, 42, { name: "ok" }, plan({ commands: [1 as Loose] })];
    for (const value of junk) {
      expect((await driver.prebake?.(value, { timeoutMs: 1_000 }))?._unsafeUnwrapErr().kind).toBe(
        "InvalidArgument",
      );
    }
    expect((await driver.prebake?.(plan(), null as Loose))?._unsafeUnwrapErr().kind).toBe("InvalidArgument");
    expect((await driver.prebake?.(plan(), { timeoutMs: Number.NaN }))?._unsafeUnwrapErr().kind).toBe(
      "InvalidArgument",
    );
    expect(driver.state.snapshots.size).toBe(0);
  });

  it("an aborted signal is Aborted and builds nothing", async () => {
    const driver = createMemoryDriver();
    const result = await driver.prebake?.(plan(), { timeoutMs: 1_000, signal: AbortSignal.abort() });
    expect(result?._unsafeUnwrapErr().kind).toBe("Aborted");
    expect(driver.state.snapshots.size).toBe(0);
  });
});
