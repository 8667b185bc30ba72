/**
 * The behaviours chosen on purpose (docs/errors.md "Hostile arguments"): null options, timeouts of 2^31 ms and
 * more, trailing slashes, lone surrogates, a leading BOM. Each on the memory driver, driver calls counted.
 */
import { describe, expect, it } from "vitest";
import { createKit } from "../../src/kit.js";
import type { KitSandbox } from "../../src/sandbox/handle.js";
import { createMemoryDriver, type MemoryDriver } from "../../src/testing/index.js";

// biome-ignore lint/suspicious/noExplicitAny: JavaScript callers pass anything.
type Loose = any;

async function sandbox(): Promise<{ driver: MemoryDriver; box: KitSandbox; calls: () => number }> {
  let calls = 0;
  const driver = createMemoryDriver({
    onCall: () => {
      calls += 1;
      return undefined;
    },
  });
  const kit = createKit({ driver, env: {} });
  const box = (await kit.ensure({ projectId: "p" }))._unsafeUnwrap();
  calls = 0;
  return { driver, box, calls: () => calls };
}

describe("deliberate behaviours", () => {
  it("refuses a trailing slash on a file path: writeText('x/') writes nothing", async () => {
    const { driver, box, calls } = await sandbox();
    for (const path of ["x/", "x/.", "dir/x/..", "/workspace/x/"]) {
      const result = await box.fs.writeText(path, "hi");
      expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "InvalidArgument", argument: "path" });
      expect((await box.fs.readText(path))._unsafeUnwrapErr().kind).toBe("InvalidArgument");
    }
    expect(calls()).toBe(0);
    expect(driver.filePaths(box.id)).toEqual([]);
    // Directory calls keep accepting it.
    expect((await box.fs.mkdir("made/"))._unsafeUnwrap()).toBeUndefined();
    expect((await box.fs.exists("made/"))._unsafeUnwrap()).toBe(true);
  });

  it("refuses lone surrogates instead of letting two names collide", async () => {
    const { driver, box, calls } = await sandbox();
    const first = await box.fs.writeText("sur\uD800", "first");
    const second = await box.fs.writeText("sur\uDBFF", "second");
    expect(first._unsafeUnwrapErr()).toMatchObject({ kind: "InvalidArgument", argument: "path" });
    expect(second._unsafeUnwrapErr()).toMatchObject({ kind: "InvalidArgument", argument: "path" });
    expect((await box.fs.readText("sur\uD800"))._unsafeUnwrapErr().kind).toBe("InvalidArgument");
    expect((await box.fs.writeText("ok.txt", "text \uDC00"))._unsafeUnwrapErr()).toMatchObject({
      argument: "text",
    });
    expect((await box.exec("echo \uD800"))._unsafeUnwrapErr()).toMatchObject({ argument: "command" });
    expect(calls()).toBe(0);
    expect(driver.filePaths(box.id)).toEqual([]);
    // A well-formed pair is an ordinary character.
    expect((await box.fs.writeText("emoji-\uD83D\uDE00", "\uD83D\uDE00"))._unsafeUnwrap()).toBeUndefined();
    expect((await box.fs.readText("emoji-😀"))._unsafeUnwrap()).toBe("😀");
  });

  it("keeps a leading BOM: read-then-write gives back the same bytes; readJson skips it", async () => {
    const { driver, box } = await sandbox();
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d, 0x0a]); // BOM + "{}\n"
    (await box.fs.writeBytes("bom.json", bytes))._unsafeUnwrap();
    const text = (await box.fs.readText("bom.json"))._unsafeUnwrap();
    expect(text).toBe("\uFEFF{}\n");
    (await box.fs.writeText("copy.json", text))._unsafeUnwrap();
    expect([...(driver.peek(box.id, "/workspace/copy.json") ?? [])]).toEqual([...bytes]);
    expect((await box.fs.readJson("bom.json"))._unsafeUnwrap()).toEqual({});
  });

  it("treats null options as a mistake (InvalidArgument), undefined as absent", async () => {
    const { box, calls } = await sandbox();
    const nulls = [
      box.exec("true", null as Loose),
      box.fs.writeText("a", "b", null as Loose),
      box.fs.writeBytes("a", new Uint8Array(1), null as Loose),
      box.fs.writeJson("a", {}, null as Loose),
      box.fs.writeFiles([], null as Loose),
      box.fs.remove("a", null as Loose),
      box.provision.apt(["git"], null as Loose),
      box.provision.git(null as Loose),
      box.provision.postgres(null as Loose),
      box.provision.redis(null as Loose),
      box.provision.mongo(null as Loose),
      box.provision.all(null as Loose),
      box.provision.node.install("app", null as Loose),
      box.provision.node.build("app", null as Loose),
      box.provision.node.serveStatic("app", null as Loose),
    ];
    for (const result of await Promise.all(nulls)) {
      expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "InvalidArgument", argument: "options" });
    }
    expect(box.provision.plan.git(null as Loose)._unsafeUnwrapErr().kind).toBe("InvalidArgument");
    expect(calls()).toBe(0);
    expect((await box.exec("true", undefined))._unsafeUnwrap().exitCode).toBe(0);
  });

  it("refuses timeouts of 2^31 ms and more instead of timing out at once; 2^31-1 runs", async () => {
    const { box, calls } = await sandbox();
    for (const timeoutMs of [2 ** 31, 30 * 24 * 3600e3, Number.POSITIVE_INFINITY, Number.NaN, 0, -1, "5"]) {
      const result = await box.exec("true", { timeoutMs: timeoutMs as Loose });
      expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "InvalidArgument", argument: "timeoutMs" });
      expect(box.provision.plan.apt(["git"], { timeoutMs: timeoutMs as Loose }).isErr()).toBe(true);
    }
    expect(calls()).toBe(0);
    const longest = await box.exec("true", { timeoutMs: 2 ** 31 - 1 });
    expect(longest._unsafeUnwrap().exitCode).toBe(0);
  });

  it("refuses prototype names as label and env keys, and odd image names come back typed", async () => {
    const driver = createMemoryDriver();
    const kit = createKit({ driver, env: {} });
    const proto = JSON.parse('{"__proto__": "x"}');
    expect((await kit.ensure({ projectId: "p", labels: proto }))._unsafeUnwrapErr()).toMatchObject({
      kind: "InvalidArgument",
      argument: "labels",
    });
    expect(
      (await kit.ensure({ projectId: "p", envVars: { constructor: "x" } }))._unsafeUnwrapErr(),
    ).toMatchObject({ kind: "InvalidArgument", argument: "envVars" });
    expect((await driver.list())._unsafeUnwrap()).toHaveLength(0);
  });
});

describe("prototype names as image names", () => {
  it("the local driver's image table answers Unsupported for constructor, toString, __proto__", async () => {
    const { resolveImage } = await import("../../src/driver/local/images.js");
    for (const image of ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"]) {
      expect(resolveImage(image)._unsafeUnwrapErr().kind).toBe("Unsupported");
    }
    expect(resolveImage("python:3.12-slim-bookworm").isOk()).toBe(true);
  });
});
