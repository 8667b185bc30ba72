import { describe, expect, it } from "vitest";
import type { ExecRequest } from "../../src/driver/types.js";
import { kitError } from "../../src/errors.js";
import { createKit } from "../../src/kit.js";
import { createMemoryDriver, type MemoryDriverCall } from "../../src/testing/index.js";

// biome-ignore lint/suspicious/noExplicitAny: JavaScript callers pass anything.
type Loose = any;

const run = (command: string, extra: Partial<ExecRequest> = {}): ExecRequest => ({
  command,
  cwd: "/workspace",
  timeoutMs: 10_000,
  ...extra,
});

describe("createMemoryDriver: lifecycle (the emulator's rules)", () => {
  it("creates started sandboxes, lists them by label and refuses a taken name", async () => {
    const driver = createMemoryDriver();
    const a = (await driver.create({ name: "a", labels: { p: "1" }, timeoutMs: 1_000 }))._unsafeUnwrap();
    await driver.create({ labels: { p: "2" }, timeoutMs: 1_000 });
    expect(a).toMatchObject({ name: "a", state: "started", target: "memory", labels: { p: "1" } });
    expect((await driver.list({ labels: { p: "1" } }))._unsafeUnwrap().map((s) => s.id)).toEqual([a.id]);
    expect((await driver.list())._unsafeUnwrap()).toHaveLength(2);
    const taken = await driver.create({ name: "a", timeoutMs: 1_000 });
    expect(taken._unsafeUnwrapErr().kind).toBe("Conflict");
  });

  it("stops, starts and deletes; a deleted sandbox is NotFound everywhere", async () => {
    const driver = createMemoryDriver();
    const id = driver.seed().id;
    const wait = { timeoutMs: 1_000 };
    expect((await driver.stop(id, wait))._unsafeUnwrap().state).toBe("stopped");
    // Stopping a stopped sandbox: the API's 400 "not in a stoppable state", a Conflict on every driver.
    expect((await driver.stop(id, wait))._unsafeUnwrapErr().kind).toBe("Conflict");
    expect((await driver.start(id, wait))._unsafeUnwrap().state).toBe("started");
    expect((await driver.start(id, wait))._unsafeUnwrap().state).toBe("started");
    expect((await driver.delete(id, wait)).isOk()).toBe(true);
    for (const result of await Promise.all([
      driver.get(id),
      driver.start(id, wait),
      driver.stop(id, wait),
      driver.delete(id, wait),
      driver.exec(id, run("true")),
      driver.downloadFiles(id, ["/workspace/a"]),
    ])) {
      expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "NotFound", resource: "sandbox" });
    }
    expect((await driver.list())._unsafeUnwrap()).toEqual([]);
    expect(driver.state.sandboxes.get(id)?.state).toBe("destroyed");
  });

  it("refuses files and exec on a stopped sandbox, and starting an errored one", async () => {
    const driver = createMemoryDriver();
    const stopped = driver.seed({ state: "stopped" }).id;
    expect((await driver.exec(stopped, run("true")))._unsafeUnwrapErr().kind).toBe("Conflict");
    expect(
      (
        await driver.uploadFiles(stopped, [{ path: "/workspace/a", data: new Uint8Array([1]) }])
      )._unsafeUnwrapErr().kind,
    ).toBe("Conflict");
    const errored = driver.seed({ state: "error", errorReason: "disk" }).id;
    expect((await driver.start(errored, { timeoutMs: 1_000 }))._unsafeUnwrapErr()).toMatchObject({
      kind: "InvalidArgument",
      status: 400,
    });
    expect((await driver.get(errored))._unsafeUnwrap()).toMatchObject({
      state: "error",
      errorReason: "disk",
    });
  });

  it("answers Conflict for a change in progress, as the API's 409", async () => {
    const driver = createMemoryDriver();
    const box = driver.seed();
    box.pending = { intermediate: "starting", final: "started", remainingPolls: Number.POSITIVE_INFINITY };
    expect((await driver.delete(box.id, { timeoutMs: 1_000 }))._unsafeUnwrapErr().kind).toBe("Conflict");
  });
});

describe("createMemoryDriver: files (the daemon's rules)", () => {
  it("uploads with parents, downloads per path, lists, moves without overwriting, deletes dirs only recursively", async () => {
    const driver = createMemoryDriver();
    const id = driver.seed().id;
    const bytes = new Uint8Array([0, 255, 1]);
    expect((await driver.uploadFiles(id, [{ path: "/workspace/d/e/f.bin", data: bytes }])).isOk()).toBe(true);
    bytes[0] = 9; // the driver kept a copy
    const [file, missing, dir] = (
      await driver.downloadFiles(id, ["/workspace/d/e/f.bin", "/workspace/none", "/workspace/d"])
    )._unsafeUnwrap();
    expect(file).toMatchObject({ ok: true, data: new Uint8Array([0, 255, 1]) });
    expect(missing).toMatchObject({ ok: false, error: { kind: "NotFound" } });
    expect(dir).toMatchObject({ ok: false, error: { kind: "InvalidArgument" } });
    expect((await driver.listFiles(id, "/workspace/d"))._unsafeUnwrap()).toEqual([
      expect.objectContaining({ name: "e", isDir: true, mode: "755" }),
    ]);
    await driver.uploadFiles(id, [{ path: "/workspace/other", data: new Uint8Array() }]);
    expect(
      (await driver.moveFile(id, "/workspace/other", "/workspace/d/e/f.bin"))._unsafeUnwrapErr().kind,
    ).toBe("Conflict");
    expect((await driver.deleteFile(id, "/workspace/d", false))._unsafeUnwrapErr().kind).toBe(
      "InvalidArgument",
    );
    expect((await driver.deleteFile(id, "/workspace/d", true)).isOk()).toBe(true);
    expect(driver.filePaths(id)).toEqual(["/workspace/other"]);
  });

  it("seeds files and shows them to exec, byte-exactly through cat and sha256sum", async () => {
    const driver = createMemoryDriver();
    const id = driver.seed({ files: { "/workspace/a.bin": new Uint8Array([0xff, 0xfe]) } }).id;
    const outcome = (
      await driver.exec(id, run("cat a.bin a.bin > b.bin && sha256sum b.bin"))
    )._unsafeUnwrap();
    expect(outcome.exitCode).toBe(0);
    expect(driver.peek(id, "/workspace/b.bin")).toEqual(new Uint8Array([0xff, 0xfe, 0xff, 0xfe]));
    expect(outcome.output).toMatch(/^[0-9a-f]{64} {2}b\.bin\n$/);
  });
});

describe("createMemoryDriver: exec", () => {
  it("runs the mini shell with cwd and env, and a commandResponder first", async () => {
    const driver = createMemoryDriver({
      commandResponder: ({ command }) =>
        command === "npm test" ? { exitCode: 0, output: "ok\n" } : undefined,
    });
    const id = driver.seed().id;
    expect((await driver.exec(id, run("pwd; echo $X", { env: { X: "y" } })))._unsafeUnwrap()).toEqual({
      exitCode: 0,
      output: "/workspace\ny\n",
    });
    expect((await driver.exec(id, run("npm test")))._unsafeUnwrap().output).toBe("ok\n");
    expect((await driver.exec(id, run("npx x")))._unsafeUnwrap().exitCode).toBe(127);
    expect(driver.state.commands(id).map((c) => c.command)).toEqual(["pwd; echo $X", "npm test", "npx x"]);
  });

  it("streams output to onOutput and keeps only the tail past maxOutputBytes", async () => {
    const driver = createMemoryDriver();
    const id = driver.seed().id;
    const chunks: string[] = [];
    const outcome = (
      await driver.exec(id, run("echo héllo", { onOutput: (c) => chunks.push(c), maxOutputBytes: 4 }))
    )._unsafeUnwrap();
    expect(chunks.join("")).toBe("héllo\n");
    expect(outcome).toEqual({ exitCode: 0, output: "llo\n", truncated: true });
  });

  it("answers Timeout past the deadline and Aborted for a fired signal", async () => {
    const driver = createMemoryDriver();
    const id = driver.seed().id;
    expect((await driver.exec(id, run("sleep 60", { timeoutMs: 20 })))._unsafeUnwrapErr().kind).toBe(
      "Timeout",
    );
    const controller = new AbortController();
    const pending = driver.exec(id, run("sleep 60", { timeoutMs: 120_000, signal: controller.signal }));
    controller.abort();
    expect((await pending)._unsafeUnwrapErr().kind).toBe("Aborted");
  });

  it("answers Conflict when the sandbox is deleted while a command runs; the delete itself succeeds", async () => {
    const driver = createMemoryDriver();
    const id = driver.seed().id;
    const running = driver.exec(id, run("echo started > f; sleep 60", { timeoutMs: 120_000 }));
    expect((await driver.delete(id, { timeoutMs: 1_000 })).isOk()).toBe(true);
    expect((await running)._unsafeUnwrapErr().kind).toBe("Conflict");
  });

  it("answers Conflict when the sandbox is stopped while a command runs", async () => {
    const driver = createMemoryDriver();
    const id = driver.seed().id;
    const running = driver.exec(id, run("sleep 60", { timeoutMs: 120_000 }));
    expect((await driver.stop(id, { timeoutMs: 1_000 })).isOk()).toBe(true);
    expect((await running)._unsafeUnwrapErr().kind).toBe("Conflict");
  });
});

describe("createMemoryDriver: concurrent operations on one sandbox", () => {
  it("keeps every write of concurrent uploads, execs and moves, with latency widening the windows", async () => {
    const driver = createMemoryDriver({ latencyMs: 2 });
    const id = driver.seed().id;
    const writes = Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0
        ? driver.uploadFiles(id, [{ path: `/workspace/c/u${i}`, data: new TextEncoder().encode(`${i}`) }])
        : driver.exec(id, run(`mkdir -p c && printf '%d' ${i} > c/e${i}`)),
    );
    const results = await Promise.all(writes);
    expect(results.every((r) => r.isOk())).toBe(true);
    expect(driver.filePaths(id)).toHaveLength(40);
    const moves = await Promise.all(
      [1, 2, 3].map(() => driver.moveFile(id, "/workspace/c/u0", "/workspace/c/moved")),
    );
    // Exactly one move wins; the others find the source gone or the destination taken.
    expect(moves.filter((m) => m.isOk())).toHaveLength(1);
    expect(new TextDecoder().decode(driver.peek(id, "/workspace/c/moved"))).toBe("0");
  });

  it("starts once when many start a stopped sandbox at the same time", async () => {
    const driver = createMemoryDriver();
    const id = driver.seed({ state: "stopped" }).id;
    const results = await Promise.all(
      Array.from({ length: 10 }, () => driver.start(id, { timeoutMs: 1_000 })),
    );
    expect(results.map((r) => r._unsafeUnwrap().state)).toEqual(Array(10).fill("started"));
  });
});

describe("createMemoryDriver: hostile arguments from JavaScript callers", () => {
  const ids: Loose[] = [undefined, null, 0, 1e308, Number.NaN, "", {}, []];
  const paths: Loose[] = [...ids, "a\0b"];
  const durations: Loose[] = [undefined, null, Number.NaN, Number.POSITIVE_INFINITY, -1, "5", {}];
  const records: Loose[] = [undefined, null, 0, "x", [], { a: 1 }];
  const flags: Loose[] = [undefined, null, "yes", 1];
  const ports: Loose[] = [undefined, null, 0, 65_536, 1.5, Number.NaN, "80"];
  const bodies: Loose[] = [undefined, null, "text", [1, 2]];

  it("answers InvalidArgument (never a throw, never an effect) for every mistyped argument", async () => {
    const driver = createMemoryDriver();
    const id = driver.seed().id;
    const d = driver as Loose;
    const wait = { timeoutMs: 1_000 };
    const cases: [string, Loose[], (bad: Loose) => Promise<Loose>][] = [
      ["get", ids, (bad) => d.get(bad)],
      ["start", ids, (bad) => d.start(bad, wait)],
      ["stop", ids, (bad) => d.stop(bad, wait)],
      ["delete", ids, (bad) => d.delete(bad, wait)],
      ["create", [undefined, null, "x", []], (bad) => d.create(bad)],
      ["create timeoutMs", durations, (bad) => d.create({ timeoutMs: bad })],
      ["create labels", records.slice(1), (bad) => d.create({ timeoutMs: 1, labels: bad })],
      ["list labels", records.slice(1), (bad) => d.list({ labels: bad })],
      ["setLabels", records, (bad) => d.setLabels(id, bad)],
      ["uploadFiles", [undefined, null, "x", {}], (bad) => d.uploadFiles(id, bad)],
      ["upload path", ids, (bad) => d.uploadFiles(id, [{ path: bad, data: new Uint8Array() }])],
      ["upload data", bodies, (bad) => d.uploadFiles(id, [{ path: "/workspace/x", data: bad }])],
      ["downloadFiles", [undefined, null, "x", [1], [null]], (bad) => d.downloadFiles(id, bad)],
      ["listFiles", paths, (bad) => d.listFiles(id, bad)],
      ["fileInfo", paths, (bad) => d.fileInfo(id, bad)],
      ["createFolder", paths, (bad) => d.createFolder(id, bad, "755")],
      ["deleteFile recursive", flags, (bad) => d.deleteFile(id, "/workspace", bad)],
      ["moveFile", paths, (bad) => d.moveFile(id, "/workspace/a", bad)],
      ["exec request", [undefined, null, "echo", []], (bad) => d.exec(id, bad)],
      ["exec timeoutMs", durations, (bad) => d.exec(id, { command: "true", timeoutMs: bad })],
      ["exec command", [undefined, null, "", "   ", 5], (bad) => d.exec(id, { command: bad, timeoutMs: 1 })],
      ["exec env", records.slice(1), (bad) => d.exec(id, { command: "true", timeoutMs: 1, env: bad })],
      ["previewLink", ports, (bad) => d.previewLink(id, bad)],
    ];
    for (const [name, values, call] of cases) {
      for (const bad of values) {
        const result = await call(bad);
        expect({ name, bad, kind: result.isErr() ? result.error.kind : "ok" }).toEqual({
          name,
          bad,
          kind: "InvalidArgument",
        });
      }
    }
    // Nothing was written, deleted or created by any of it.
    expect(driver.filePaths(id)).toEqual([]);
    expect(driver.dirPaths(id)).toContain("/workspace");
    expect((await driver.list())._unsafeUnwrap()).toHaveLength(1);
  });

  it("waits no longer than the deadline for a huge sleep and a huge but valid timeout", async () => {
    const driver = createMemoryDriver();
    const id = driver.seed().id;
    expect((await driver.exec(id, run("sleep 999999999", { timeoutMs: 10 })))._unsafeUnwrapErr().kind).toBe(
      "Timeout",
    );
    // A valid huge timeout: the command itself takes no time, so it answers at once.
    expect((await driver.exec(id, run("echo hi", { timeoutMs: 1e308 })))._unsafeUnwrap().output).toBe("hi\n");
  });

  it("turns a throwing commandResponder or onOutput into Unexpected", async () => {
    const driver = createMemoryDriver({
      commandResponder: ({ command }) => {
        if (command === "boom") throw new Error("bug");
        return undefined;
      },
    });
    const id = driver.seed().id;
    expect((await driver.exec(id, run("boom")))._unsafeUnwrapErr().kind).toBe("Unexpected");
    const onOutput = () => {
      throw new Error("bug");
    };
    expect((await driver.exec(id, run("echo x", { onOutput })))._unsafeUnwrapErr().kind).toBe("Unexpected");
  });

  it("refuses options of the wrong type at construction", () => {
    for (const options of [{ latencyMs: -1 }, { latencyMs: Number.NaN }, { onCall: 1 }, { dirs: ["rel"] }]) {
      expect(() => createMemoryDriver(options as Loose)).toThrow(TypeError);
    }
  });
});

describe("createMemoryDriver: the onCall seam", () => {
  it("sees every port call and injects a fault without effect", async () => {
    const seen: MemoryDriverCall[] = [];
    const driver = createMemoryDriver({
      onCall: (call) => {
        seen.push(call);
        return call.method === "uploadFiles" ? kitError.transient("injected", { status: 503 }) : undefined;
      },
    });
    const kit = createKit({ driver, env: {} });
    const sandbox = (await kit.ensure({ projectId: "p" }))._unsafeUnwrap();
    const before = seen.length;
    expect((await sandbox.fs.writeText("a.txt", "x"))._unsafeUnwrapErr().kind).toBe("Transient");
    expect(seen.slice(before).map((c) => c.method)).toContain("uploadFiles");
    expect(driver.filePaths(sandbox.id)).toEqual([]);
    expect(seen[0]?.method).toBeDefined();
  });
});
