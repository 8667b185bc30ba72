/**
 * `kit.prebake`, `kit.ensure({ prebaked })` and `kit.prebaked.*` on the in-memory driver (the emulator's snapshot
 * model): the image is built once, sandboxes start from it and run only their per-sandbox steps.
 */
import { describe, expect, it } from "vitest";
import type { SandboxDriver } from "../../src/driver/types.js";
import { createKit } from "../../src/kit.js";
import type { ProvisionEvent } from "../../src/provision/types.js";
import { createMemoryDriver } from "../../src/testing/index.js";
import { bakedResponder } from "../support/baked-responder.js";

// biome-ignore lint/suspicious/noExplicitAny: JavaScript callers pass anything.
type Loose = any;

const spec = { git: true, postgres: { database: "app" }, redis: true, apt: ["curl"] } as const;

function setup() {
  const baked = bakedResponder();
  const driver = createMemoryDriver({ commandResponder: baked.responder });
  const kit = createKit({ driver, env: {} });
  return { baked, driver, kit };
}

describe("prebaked environments on the memory driver", () => {
  it("ensure({ prebaked }) builds the image once, creates from it and runs only the per-sandbox steps", async () => {
    const { baked, driver, kit } = setup();
    const events: ProvisionEvent[] = [];
    const sandbox = (
      await kit.ensure({ projectId: "blog", prebaked: spec, onEvent: (e) => events.push(e) })
    )._unsafeUnwrap();
    const started = events.flatMap((e) => (e.type === "step-start" ? [e.step] : []));
    expect(started).toEqual(["git.config", "postgres.start", "postgres.database", "redis.start"]);
    // Typed like provision.all's result: no `?.` needed for the services the spec asked for.
    expect(sandbox.services.postgres.url).toBe("postgresql://postgres@localhost:5432/app");
    expect(sandbox.services.redis.url).toBe("redis://127.0.0.1:6379");
    expect(sandbox.services.git.email).toBe("apex@apex.dev");
    const name = kit.prebaked.plan(spec)._unsafeUnwrap().plan.name;
    expect([...driver.state.snapshots.values()].map((s) => s.name)).toEqual([name]);
    expect(sandbox.info.labels["apex.prebaked-from"]).toBe(name);
    expect(driver.state.sandboxes.get(sandbox.id)?.snapshot).toBe(name);
    expect(baked.ran.filter((c) => /apt-get|dpkg/.test(c))).toEqual([]);
    expect(baked.ran).toHaveLength(4); // git.config, postgres.start, postgres.database, redis.start

    // A second project reuses the image: no second build.
    const other = (await kit.ensure({ projectId: "shop", prebaked: spec }))._unsafeUnwrap();
    expect(other.id).not.toBe(sandbox.id);
    expect(driver.state.snapshots.size).toBe(1);
    expect((await kit.prebake(spec))._unsafeUnwrap()).toMatchObject({ name, built: false });
    await kit.dispose();
  });

  it("a project's sandbox made without the image gets the whole recipe (its packages installed)", async () => {
    const { baked, kit } = setup();
    const plain = (await kit.ensure({ projectId: "old" }))._unsafeUnwrap();
    const events: ProvisionEvent[] = [];
    const again = (
      await kit.ensure({ projectId: "old", prebaked: spec, onEvent: (e) => events.push(e) })
    )._unsafeUnwrap();
    expect(again.id).toBe(plain.id);
    expect(events.filter((e) => e.type === "step-start").map((e) => e.step)).toContain("apt.install");
    expect(baked.ran.filter((c) => c.includes("apt-get install"))).toHaveLength(1);
    expect(again.services.redis.url).toBe("redis://127.0.0.1:6379");
    await kit.dispose();
  });

  it("concurrent identical ensures share one call; list and delete the kit's images only", async () => {
    const { baked, driver, kit } = setup();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => kit.ensure({ projectId: "blog", prebaked: spec })),
    );
    expect(new Set(results.map((r) => r._unsafeUnwrap().id)).size).toBe(1);
    expect(baked.ran).toHaveLength(4);
    const name = kit.prebaked.plan(spec)._unsafeUnwrap().plan.name;
    await driver.prebake?.(
      { name: "someone-elses", baseImage: "debian:12-slim", commands: ["true"], labels: {} },
      { timeoutMs: 1_000 },
    );
    expect((await kit.prebaked.list())._unsafeUnwrap().map((e) => e.name)).toEqual([name]);
    const refused = await kit.prebaked.delete("someone-elses");
    expect(refused._unsafeUnwrapErr().kind).toBe("InvalidArgument");
    expect(driver.state.snapshots.size).toBe(2);
    expect((await kit.prebaked.delete(name)).isOk()).toBe(true);
    expect((await kit.prebaked.delete(name))._unsafeUnwrapErr().kind).toBe("NotFound");
    await kit.dispose();
  });

  it("a failing build is a typed error and creates no sandbox", async () => {
    const { driver, kit } = setup();
    // The memory model fails a build whose step the shell would fail; a spec cannot say `exit 3`, so the plan's
    // name is made to fail by an earlier failed build of the same name (the name stays failed until deleted).
    const name = kit.prebaked.plan(spec)._unsafeUnwrap().plan.name;
    await driver.prebake?.(
      { name, baseImage: "debian:12-slim", commands: ["echo broken", "exit 3"], labels: {} },
      { timeoutMs: 1_000 },
    );
    const failed = await kit.ensure({ projectId: "blog", prebaked: spec });
    expect(failed._unsafeUnwrapErr()).toMatchObject({ kind: "SandboxFailed", state: "build_failed" });
    expect(driver.state.sandboxes.size).toBe(0);
    expect((await kit.prebake(spec))._unsafeUnwrapErr().message).toMatch(/broken/);
    await kit.dispose();
  });

  it("a driver without prebake answers Unsupported, sending nothing", async () => {
    const full = createMemoryDriver();
    const { prebake: _p, listPrebaked: _l, deletePrebaked: _d, ...rest } = full;
    const calls: string[] = [];
    const bare: SandboxDriver = new Proxy(rest as SandboxDriver, {
      get: (target, key) => {
        const value = Reflect.get(target, key);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          calls.push(String(key));
          return value.apply(target, args);
        };
      },
    });
    const kit = createKit({ driver: bare, env: {} });
    expect((await kit.prebake(spec))._unsafeUnwrapErr().kind).toBe("Unsupported");
    expect((await kit.prebaked.list())._unsafeUnwrapErr().kind).toBe("Unsupported");
    expect((await kit.ensure({ projectId: "x", prebaked: spec }))._unsafeUnwrapErr().kind).toBe(
      "Unsupported",
    );
    expect(calls).toEqual([]);
    await kit.dispose();
  });

  it("refuses hostile arguments with InvalidArgument before any driver call", async () => {
    const calls: string[] = [];
    const driver = createMemoryDriver({
      onCall: (call) => {
        calls.push(call.method);
        return undefined;
      },
    });
    const kit = createKit({ driver, env: {} });
    const k = kit as Loose;
    const refused = [
      await k.prebake(null),
      await k.prebake({}),
      await k.prebake({ apt: ["a b"] }),
      await k.prebake(spec, null),
      await k.prebake(spec, { timeoutMs: 1e12 }),
      await k.prebake(spec, { onLog: "x" }),
      await k.prebake(spec, { timeoutMS: 5 }),
      await k.ensure({ projectId: "x", prebaked: null }),
      await k.ensure({ projectId: "x", prebaked: { apt: "curl" } }),
      await k.ensure({ projectId: "x", prebaked: spec, image: "debian:12-slim" }),
      await k.ensure({ projectId: "../x", prebaked: spec }),
      await k.ensure({ projectId: "x", prebaked: spec, onEvent: "log" }),
      await k.prebaked.delete("../apex-prebaked-0123456789abcdef"),
      await k.prebaked.delete(undefined),
    ];
    for (const result of refused) expect(result._unsafeUnwrapErr().kind).toBe("InvalidArgument");
    expect(k.prebaked.plan({ git: true, baseImage: "x/../y" })._unsafeUnwrapErr().kind).toBe(
      "InvalidArgument",
    );
    expect(calls).toEqual([]);
    await kit.dispose();
  });
});
