/**
 * `createKit` reads its options once (issue 11, "options resolved once"): every later call works from the resolved
 * settings. A caller's options object, wrapped in Proxies that record every property access, sees no access at all
 * once `createKit` has returned, whatever the kit then does.
 */
import { Daytona } from "@daytonaio/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KitOptions } from "../../src/config.js";
import { createKit } from "../../src/kit.js";
import { createDaytonaEmulator, type DaytonaEmulator } from "../../src/testing/index.js";

/** Wraps `value` (and the plain objects inside it, but not `opaque` ones) so each access is logged by its path. */
function recorded<T extends object>(value: T, path: string, log: string[], opaque: ReadonlySet<string>): T {
  return new Proxy(value, {
    get(target, key, receiver) {
      const name = `${path}.${String(key)}`;
      log.push(name);
      const field = Reflect.get(target, key, receiver);
      const nested =
        typeof field === "object" && field !== null && !opaque.has(name) && !Array.isArray(field);
      return nested ? recorded(field, name, log, opaque) : field;
    },
    has(target, key) {
      log.push(`${path}.${String(key)} (in)`);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      log.push(`${path} (keys)`);
      return Reflect.ownKeys(target);
    },
    getOwnPropertyDescriptor(target, key) {
      log.push(`${path}.${String(key)} (descriptor)`);
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
  });
}

describe("createKit reads its options once", () => {
  let emulator: DaytonaEmulator;
  beforeAll(() => {
    emulator = createDaytonaEmulator();
    emulator.listen();
  });
  afterAll(() => emulator.close());

  it("makes no access to the options object after it returns: ensure, fs, exec, list, get, fanOut, delete, dispose", async () => {
    const clients = {
      us: new Daytona(emulator.clientConfig("us")),
      eu: new Daytona(emulator.clientConfig("eu")),
    };
    const reads: string[] = [];
    const options: KitOptions = recorded(
      {
        driver: "daytona",
        apiKey: emulator.clientConfig().apiKey,
        daytonaClients: clients as never,
        targets: ["us", "eu"],
        fallbackOn: ["unavailable"],
        sandboxNamePrefix: "proxy-",
        useDeprecatedPolling: true,
        projectLabel: "test.project",
        root: "/workspace/app",
        uploadCapBytes: 1024 * 1024,
        batch: { maxFiles: 2, concurrency: 2 },
        retry: { attempts: 2, baseDelayMs: 1 },
        throttling: { coldStartConcurrency: 8, retryQuota: { capacity: 100 } },
        timeouts: { ensureMs: 60_000, execMs: 30_000 },
        onDispose: "delete",
        env: {},
      },
      "options",
      reads,
      // The clients are the caller's objects the driver works with, not settings.
      new Set(["options.daytonaClients.us", "options.daytonaClients.eu"]),
    );

    const kit = createKit(options);
    expect(kit.check().isOk()).toBe(true);
    // The Proxies work: resolving read the options, nested objects included.
    expect(reads).toContain("options.root");
    expect(reads).toContain("options.retry.attempts");
    expect(reads).toContain("options.batch.maxFiles");
    reads.length = 0;

    const sandbox = (await kit.ensure({ projectId: "once" }))._unsafeUnwrap();
    expect(sandbox.projectId).toBe("once");
    expect(sandbox.info.name).toBe("proxy-once");
    expect(sandbox.info.labels["test.project"]).toBe("once");
    (await sandbox.fs.writeText("a.txt", "hello"))._unsafeUnwrap();
    const report = (
      await sandbox.fs.writeFiles([
        { path: "b.txt", text: "b" },
        { path: "c.txt", text: "c" },
        { path: "d.txt", text: "d" },
      ])
    )._unsafeUnwrap();
    expect(report.written).toHaveLength(3);
    expect((await sandbox.fs.readText("/workspace/app/a.txt"))._unsafeUnwrap()).toBe("hello");
    expect((await sandbox.fs.writeText("../escape.txt", "x"))._unsafeUnwrapErr().kind).toBe(
      "PathOutsideRoot",
    );
    expect((await sandbox.exec("pwd"))._unsafeUnwrap().output.trim()).toBe("/workspace/app");
    expect((await kit.list({ projectId: "once" }))._unsafeUnwrap().map((s) => s.id)).toEqual([sandbox.id]);
    expect((await kit.get(sandbox.id))._unsafeUnwrap().projectId).toBe("once");
    expect((await kit.ensure({ projectId: "once" }))._unsafeUnwrap().id).toBe(sandbox.id);
    const fanned = await kit.fanOut(["once", "twice"], (box) => box.exec("true").map((r) => r.exitCode), {
      concurrency: 2,
    });
    expect(fanned._unsafeUnwrap().results.map((entry) => entry.result._unsafeUnwrap())).toEqual([0, 0]);
    (await (await kit.ensure({ projectId: "twice" }))._unsafeUnwrap().delete())._unsafeUnwrap();
    await sandbox[Symbol.asyncDispose](); // onDispose "delete", from the options
    expect((await kit.list({ projectId: "once" }))._unsafeUnwrap()).toEqual([]);
    await kit.dispose();

    expect(reads).toEqual([]);
  });
});
