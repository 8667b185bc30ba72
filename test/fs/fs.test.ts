import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { errAsync } from "neverthrow";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { SandboxDriver } from "../../src/driver/types.js";
import { kitError } from "../../src/errors.js";
import { createExec } from "../../src/exec/exec.js";
import { createSandboxFs } from "../../src/fs/fs.js";
import type { FsContext, SandboxFs } from "../../src/fs/types.js";
import { createMemoryDriver, type MemoryDriver } from "../../src/testing/index.js";

const KiB = 1024;
const MiB = 1024 * KiB;

let driver: MemoryDriver;
let sandboxId: string;
let fs: SandboxFs;

function makeFs(options: Partial<FsContext> = {}): SandboxFs {
  return createSandboxFs({ driver, sandboxId, exec: createExec({ driver, sandboxId }), ...options });
}

/** Every driver method that touches the sandbox, spied. */
function spyAll(target: SandboxDriver) {
  const names = [
    "uploadFiles",
    "uploadLocalFile",
    "downloadFiles",
    "listFiles",
    "fileInfo",
    "createFolder",
    "deleteFile",
    "moveFile",
    "exec",
  ] as const;
  const spies = names.map((name) => vi.spyOn(target, name));
  return { count: () => spies.reduce((sum, spy) => sum + spy.mock.calls.length, 0) };
}

beforeEach(() => {
  driver = createMemoryDriver();
  sandboxId = driver.seed().id;
  fs = makeFs();
});

describe("writeText / readText", () => {
  it("encodes text to UTF-8 bytes: the driver never receives a string body", async () => {
    const upload = vi.spyOn(driver, "uploadFiles");
    await fs.writeText("notes.md", "héllo wörld ✓");
    await fs.writeFiles([
      { path: "a.txt", text: "a" },
      { path: "b.txt", text: "ü" },
    ]);
    await fs.writeJson("c.json", { x: 1 });
    expect(upload).toHaveBeenCalled();
    for (const [, files] of upload.mock.calls) {
      for (const file of files) expect(file.data).toBeInstanceOf(Uint8Array);
    }
    expect(Buffer.from(driver.peek(sandboxId, "/workspace/notes.md")!).toString("hex")).toBe(
      Buffer.from("héllo wörld ✓", "utf8").toString("hex"),
    );
  });

  it("round-trips unicode and empty text", async () => {
    await fs.writeText("u.txt", "日本語 🎉\n");
    await fs.writeText("empty.txt", "");
    expect((await fs.readText("u.txt"))._unsafeUnwrap()).toBe("日本語 🎉\n");
    expect((await fs.readText("empty.txt"))._unsafeUnwrap()).toBe("");
  });

  it("refuses invalid UTF-8 with InvalidArgument naming the file instead of returning U+FFFD", async () => {
    await fs.writeBytes("bad.txt", new Uint8Array([0x68, 0x69, 0xff, 0xfe]));
    const result = await fs.readText("bad.txt");
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "InvalidArgument", argument: "path" });
    expect(result._unsafeUnwrapErr().message).toContain("bad.txt");
    expect((await fs.readBytes("bad.txt"))._unsafeUnwrap()).toEqual(new Uint8Array([0x68, 0x69, 0xff, 0xfe]));
  });

  it("reports a missing file as NotFound", async () => {
    expect((await fs.readText("nope.txt"))._unsafeUnwrapErr()).toMatchObject({
      kind: "NotFound",
      resource: "file",
    });
  });

  it("refuses a non-string text with InvalidArgument and sends nothing", async () => {
    const spies = spyAll(driver);
    const result = await fs.writeText("a.txt", 42 as unknown as string);
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "InvalidArgument", argument: "text" });
    expect(spies.count()).toBe(0);
  });
});

describe("the upload cap", () => {
  it("refuses an oversized write with PayloadTooLarge before any request", async () => {
    const spies = spyAll(driver);
    const result = await makeFs({ uploadCapBytes: 100 }).writeBytes("big.bin", new Uint8Array(101));
    expect(result._unsafeUnwrapErr()).toMatchObject({
      kind: "PayloadTooLarge",
      path: "/workspace/big.bin",
      bytes: 101,
      limit: 100,
    });
    expect(spies.count()).toBe(0);
  });

  it("counts the UTF-8 bytes of text, not its characters", async () => {
    const small = makeFs({ uploadCapBytes: 10 });
    expect((await small.writeText("a.txt", "€€€"))._unsafeUnwrap()).toBeUndefined(); // 9 bytes
    expect((await small.writeText("b.txt", "€€€€"))._unsafeUnwrapErr()).toMatchObject({
      bytes: 12,
      limit: 10,
    });
  });

  it("defaults to 5 MiB", async () => {
    const spies = spyAll(driver);
    const result = await fs.writeBytes("big.bin", new Uint8Array(5 * MiB + 1));
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "PayloadTooLarge", limit: 5 * MiB });
    expect(spies.count()).toBe(0);
    expect((await fs.writeBytes("edge.bin", new Uint8Array(5 * MiB))).isOk()).toBe(true);
  });

  it("refuses a whole batch when one entry is oversized, naming that entry, and sends nothing", async () => {
    const spies = spyAll(driver);
    const result = await makeFs({ uploadCapBytes: 1_000 }).writeFiles([
      { path: "ok1.txt", text: "fine" },
      { path: "huge.bin", bytes: new Uint8Array(1_001) },
      { path: "ok2.txt", text: "fine" },
    ]);
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "PayloadTooLarge", path: "/workspace/huge.bin" });
    expect(spies.count()).toBe(0);
    expect(driver.filePaths(sandboxId)).toEqual([]);
  });

  it("refuses invalid settings on every call instead of throwing", async () => {
    const broken = makeFs({ uploadCapBytes: -1 });
    expect((await broken.writeText("a", "b"))._unsafeUnwrapErr()).toMatchObject({
      argument: "uploadCapBytes",
    });
    expect((await makeFs({ root: "relative" }).exists("a"))._unsafeUnwrapErr()).toMatchObject({
      argument: "root",
    });
  });
});

describe("path refusal", () => {
  it.each(["../../etc/passwd", "/workspace/../etc", "%2e%2e/etc", "a\0b", "", "/workspace"])(
    "refuses %j for writes with no driver call",
    async (path) => {
      const spies = spyAll(driver);
      const result = await fs.writeText(path, "x");
      expect(["PathOutsideRoot", "InvalidArgument"]).toContain(result._unsafeUnwrapErr().kind);
      expect(spies.count()).toBe(0);
    },
  );

  it("refuses escapes for every method with no driver call", async () => {
    const spies = spyAll(driver);
    const bad = "../outside";
    const results = await Promise.all([
      fs.readText(bad),
      fs.readBytes(bad),
      fs.readJson(bad),
      fs.exists(bad),
      fs.list(bad),
      fs.mkdir(bad),
      fs.remove(bad, { recursive: true }),
      fs.move(bad, "in.txt"),
      fs.move("in.txt", bad),
      fs.writeFiles([{ path: bad, text: "x" }]),
      fs.uploadLocalFile("/etc/hostname", bad),
      fs.resolve(bad),
    ]);
    for (const result of results) expect(result._unsafeUnwrapErr().kind).toBe("PathOutsideRoot");
    expect(spies.count()).toBe(0);
  });

  it("allows the root for list, exists and mkdir but not for remove or move", async () => {
    expect((await fs.exists("."))._unsafeUnwrap()).toBe(true);
    expect((await fs.list("/workspace")).isOk()).toBe(true);
    expect((await fs.mkdir(".")).isOk()).toBe(true);
    expect((await fs.resolve("."))._unsafeUnwrap()).toBe("/workspace");
    expect((await fs.remove(".", { recursive: true }))._unsafeUnwrapErr().kind).toBe("InvalidArgument");
    expect((await fs.move(".", "x"))._unsafeUnwrapErr().kind).toBe("InvalidArgument");
  });

  it("never sends a driver call outside the root (1,000 random paths)", async () => {
    const paths: string[] = [];
    const record = (path: string) => paths.push(path);
    const seen = <T>(touched: string[], result: T): T => {
      touched.forEach(record);
      return result;
    };
    const watching: SandboxDriver = {
      ...driver,
      uploadFiles: (id, files, options) => {
        for (const f of files) record(f.path);
        return driver.uploadFiles(id, files, options);
      },
      downloadFiles: (id, list) => {
        list.forEach(record);
        return driver.downloadFiles(id, list);
      },
      fileInfo: (id, path) => seen([path], driver.fileInfo(id, path)),
      listFiles: (id, path) => seen([path], driver.listFiles(id, path)),
      createFolder: (id, path, mode) => seen([path], driver.createFolder(id, path, mode)),
      deleteFile: (id, path, recursive) => seen([path], driver.deleteFile(id, path, recursive)),
      moveFile: (id, from, to) => seen([from, to], driver.moveFile(id, from, to)),
    };
    const watched = createSandboxFs({ driver: watching, sandboxId, exec: createExec({ driver, sandboxId }) });
    const segment = fc.oneof(
      fc.constantFrom(
        "..",
        ".",
        "",
        "%2e%2e",
        "%2E%2e",
        "%2f",
        "%252e%252e",
        "..\\..",
        "\0",
        "workspace",
        "etc",
      ),
      fc.string({ unit: "grapheme", maxLength: 6 }),
    );
    const path = fc
      .tuple(fc.boolean(), fc.array(segment, { maxLength: 6 }))
      .map(([absolute, segments]) => (absolute ? "/" : "") + segments.join("/"));
    await fc.assert(
      fc.asyncProperty(path, path, async (a, b) => {
        await watched.writeText(a, "x");
        await watched.readBytes(a);
        await watched.exists(a);
        await watched.mkdir(a);
        await watched.move(a, b);
        await watched.remove(b, { recursive: true });
      }),
      { numRuns: 1_000 },
    );
    expect(paths.length).toBeGreaterThan(0);
    for (const p of paths) {
      expect(p === "/workspace" || p.startsWith("/workspace/")).toBe(true);
      expect(p.split("/")).not.toContain("..");
    }
  });
});

describe("JSON", () => {
  it("writes pretty JSON with a trailing newline, atomically by default", async () => {
    const upload = vi.spyOn(driver, "uploadFiles");
    const move = vi.spyOn(driver, "moveFile");
    await fs.writeJson("cfg/app.json", { name: "app", list: [1, 2] });
    expect((await fs.readText("cfg/app.json"))._unsafeUnwrap()).toBe(
      '{\n  "name": "app",\n  "list": [\n    1,\n    2\n  ]\n}\n',
    );
    const tempPath = upload.mock.calls[0]?.[1][0]?.path ?? "";
    expect(tempPath).toMatch(/^\/workspace\/cfg\/\.kit-tmp-\d+-[0-9a-f]{12}-app\.json$/);
    expect(move).toHaveBeenCalledWith(sandboxId, tempPath, "/workspace/cfg/app.json", { overwrite: true });
    expect(driver.filePaths(sandboxId)).toEqual(["/workspace/cfg/app.json"]);
  });

  it("writes in place when atomic is turned off", async () => {
    const move = vi.spyOn(driver, "moveFile");
    await fs.writeJson("a.json", [1], { atomic: false });
    expect(move).not.toHaveBeenCalled();
    expect((await fs.readJson<number[]>("a.json"))._unsafeUnwrap()).toEqual([1]);
  });

  it("reports a parse error as InvalidArgument naming the file", async () => {
    await fs.writeText("broken.json", "{ nope");
    const result = await fs.readJson("broken.json");
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "InvalidArgument" });
    expect(result._unsafeUnwrapErr().message).toContain("broken.json");
  });

  it("refuses values JSON cannot hold, sending nothing", async () => {
    const spies = spyAll(driver);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect((await fs.writeJson("a.json", cyclic))._unsafeUnwrapErr()).toMatchObject({ argument: "value" });
    expect((await fs.writeJson("b.json", undefined))._unsafeUnwrapErr()).toMatchObject({ argument: "value" });
    expect((await fs.writeJson("c.json", 10n))._unsafeUnwrapErr()).toMatchObject({ argument: "value" });
    expect(spies.count()).toBe(0);
  });
});

describe("atomic writes", () => {
  it("uploads to a hidden sibling and moves it into place", async () => {
    const calls: string[] = [];
    vi.spyOn(driver, "uploadFiles").mockImplementation((id, files) => {
      calls.push(`upload ${files.map((f) => f.path).join(",")}`);
      return createMemoryUpload(id, files);
    });
    vi.spyOn(driver, "moveFile").mockImplementation((id, from, to) => {
      calls.push(`move ${from} -> ${to}`);
      return realMove(id, from, to);
    });
    await fs.writeText("dir/page.html", "<p>hi</p>", { atomic: true });
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatch(/^upload \/workspace\/dir\/\.kit-tmp-\d+-\w+-page\.html$/);
    expect(calls[1]).toMatch(
      /^move \/workspace\/dir\/\.kit-tmp-\d+-\w+-page\.html -> \/workspace\/dir\/page\.html$/,
    );
  });

  it("removes the temp file and keeps the old content when the move fails", async () => {
    await fs.writeText("keep.txt", "old");
    vi.spyOn(driver, "moveFile").mockReturnValue(
      errAsync(kitError.transient("move failed", { status: 502 })),
    );
    const result = await fs.writeText("keep.txt", "new", { atomic: true });
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "Transient", status: 502 });
    expect(driver.filePaths(sandboxId)).toEqual(["/workspace/keep.txt"]);
    expect((await fs.readText("keep.txt"))._unsafeUnwrap()).toBe("old");
  });
});

// The memory driver's own methods, captured before a test replaces them with spies.
let createMemoryUpload: SandboxDriver["uploadFiles"];
let realMove: SandboxDriver["moveFile"];
beforeEach(() => {
  createMemoryUpload = driver.uploadFiles.bind(driver);
  realMove = driver.moveFile.bind(driver);
});

describe("exists / list / mkdir / remove / move", () => {
  it("exists answers true or false, and keeps other errors as errors", async () => {
    await fs.writeText("here.txt", "x");
    expect((await fs.exists("here.txt"))._unsafeUnwrap()).toBe(true);
    expect((await fs.exists("gone.txt"))._unsafeUnwrap()).toBe(false);
    vi.spyOn(driver, "fileInfo").mockReturnValue(errAsync(kitError.auth("bad key", { status: 401 })));
    expect((await fs.exists("here.txt"))._unsafeUnwrapErr().kind).toBe("Auth");
  });

  it("mkdir creates parents; list shows one level", async () => {
    await fs.mkdir("a/b/c");
    await fs.writeText("a/file.txt", "12345");
    const entries = (await fs.list("a"))._unsafeUnwrap();
    expect(entries.map((e) => [e.name, e.isDir])).toEqual([
      ["b", true],
      ["file.txt", false],
    ]);
    expect(entries.find((e) => e.name === "file.txt")).toMatchObject({
      size: 5,
      path: "/workspace/a/file.txt",
    });
  });

  it("remove needs recursive for a non-empty directory", async () => {
    await fs.writeText("d/x.txt", "x");
    expect((await fs.remove("d")).isErr()).toBe(true);
    expect((await fs.exists("d/x.txt"))._unsafeUnwrap()).toBe(true);
    expect((await fs.remove("d", { recursive: true })).isOk()).toBe(true);
    expect((await fs.exists("d"))._unsafeUnwrap()).toBe(false);
  });

  it("move renames files and directories", async () => {
    await fs.writeText("src/a.txt", "A");
    expect((await fs.move("src/a.txt", "src/b.txt")).isOk()).toBe(true);
    expect((await fs.move("src", "lib")).isOk()).toBe(true);
    expect((await fs.readText("lib/b.txt"))._unsafeUnwrap()).toBe("A");
    expect((await fs.exists("src"))._unsafeUnwrap()).toBe(false);
  });
});

describe("uploadLocalFile", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "kit-fs-"));
    await writeFile(join(dir, "small.txt"), "local content");
    await writeFile(join(dir, "big.bin"), new Uint8Array(2_000));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("uploads an explicit local file", async () => {
    expect((await fs.uploadLocalFile(join(dir, "small.txt"), "up/small.txt")).isOk()).toBe(true);
    expect((await fs.readText("up/small.txt"))._unsafeUnwrap()).toBe("local content");
  });

  it("checks existence and size locally before any request", async () => {
    const spies = spyAll(driver);
    const missing = await fs.uploadLocalFile(join(dir, "missing.txt"), "a.txt");
    expect(missing._unsafeUnwrapErr()).toMatchObject({ kind: "NotFound", resource: "local file" });
    const big = await makeFs({ uploadCapBytes: 1_000 }).uploadLocalFile(join(dir, "big.bin"), "big.bin");
    expect(big._unsafeUnwrapErr()).toMatchObject({ kind: "PayloadTooLarge", bytes: 2_000, limit: 1_000 });
    const directory = await fs.uploadLocalFile(dir, "d");
    expect(directory._unsafeUnwrapErr()).toMatchObject({ kind: "InvalidArgument", argument: "localPath" });
    expect(spies.count()).toBe(0);
  });
});

describe("signals and throwing drivers", () => {
  it("an aborted signal sends nothing and answers Aborted", async () => {
    const spies = spyAll(driver);
    const controller = new AbortController();
    controller.abort();
    const result = await fs.writeText("a.txt", "x", { signal: controller.signal });
    expect(result._unsafeUnwrapErr().kind).toBe("Aborted");
    const batch = await fs.writeFiles([{ path: "b.txt", text: "x" }], { signal: controller.signal });
    expect(batch._unsafeUnwrapErr().kind).toBe("Aborted");
    expect(spies.count()).toBe(0);
  });

  it("a driver that throws becomes Unexpected, never a thrown error", async () => {
    vi.spyOn(driver, "downloadFiles").mockImplementation(() => {
      throw new Error("driver bug");
    });
    vi.spyOn(driver, "fileInfo").mockImplementation(
      () => Promise.reject(new Error("async bug")) as unknown as ReturnType<SandboxDriver["fileInfo"]>,
    );
    expect((await fs.readText("a.txt"))._unsafeUnwrapErr().kind).toBe("Unexpected");
    expect((await fs.exists("a.txt"))._unsafeUnwrapErr().kind).toBe("Unexpected");
  });
});
