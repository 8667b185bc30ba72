import { DaytonaFileNotFoundError, DaytonaValidationError, type Sandbox } from "@daytonaio/sdk";
import { describe, expect, it } from "vitest";
import { useEmulator } from "./fixture.js";

const env = useEmulator();

async function started(): Promise<Sandbox> {
  return env.client().create();
}

const text = (bytes: Uint8Array | undefined) => (bytes ? new TextDecoder().decode(bytes) : undefined);

describe("upload and download", () => {
  it("uploads bytes into the emulated fs and creates parent directories", async () => {
    const sandbox = await started();
    await sandbox.fs.uploadFile(Buffer.from("hello world"), "/workspace/app/src/hello.txt");
    const record = env.emulator.sandboxes.get(sandbox.id);
    expect(text(record?.files.get("/workspace/app/src/hello.txt"))).toBe("hello world");
    expect(record?.dirs.has("/workspace/app/src")).toBe(true);
    expect(record?.dirs.has("/workspace/app")).toBe(true);
  });

  it("uploads several files in one request", async () => {
    const sandbox = await started();
    await sandbox.fs.uploadFiles([
      { source: Buffer.from("a"), destination: "/w/a.json" },
      { source: Buffer.from([0, 255, 1]), destination: "/w/b.bin" },
    ]);
    const record = env.emulator.sandboxes.get(sandbox.id);
    expect(text(record?.files.get("/w/a.json"))).toBe("a");
    expect(record?.files.get("/w/b.bin")).toEqual(new Uint8Array([0, 255, 1]));
    expect(env.emulator.count("POST /toolbox/files/bulk-upload")).toBe(1);
  });

  it("resolves relative paths against /home/daytona", async () => {
    const sandbox = await started();
    await sandbox.fs.uploadFile(Buffer.from("rel"), "notes/r.txt");
    expect(text(env.emulator.sandboxes.get(sandbox.id)?.files.get("/home/daytona/notes/r.txt"))).toBe("rel");
    expect((await sandbox.fs.downloadFile("notes/r.txt")).toString()).toBe("rel");
  });

  it("downloads the exact bytes of a seeded file", async () => {
    const seeded = env.emulator.sandboxes.seed({
      files: { "/data/blob.bin": new Uint8Array([1, 2, 3, 250]) },
    });
    const sandbox = await env.client().get(seeded.id);
    const bytes = await sandbox.fs.downloadFile("/data/blob.bin");
    expect([...bytes]).toEqual([1, 2, 3, 250]);
  });

  it("reports a missing file as DaytonaFileNotFoundError from a multipart error part", async () => {
    const sandbox = await started();
    const failure = await sandbox.fs.downloadFile("/nope/missing.txt").catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DaytonaFileNotFoundError);
    expect(failure).toMatchObject({ statusCode: 404, code: "FILE_NOT_FOUND", source: "DAYTONA_DAEMON" });
    const entry = env.emulator.requests.at(-1);
    expect(entry).toMatchObject({ route: "POST /toolbox/files/bulk-download", status: 200 });
  });

  it("downloads found and missing files in one bulk call", async () => {
    const seeded = env.emulator.sandboxes.seed({ files: { "/w/here.txt": "present" } });
    const sandbox = await env.client().get(seeded.id);
    const results = await sandbox.fs.downloadFiles([{ source: "/w/here.txt" }, { source: "/w/gone.txt" }]);
    expect(results[0]?.result?.toString()).toBe("present");
    expect(results[0]?.error).toBeUndefined();
    expect(results[1]?.error).toBe("file not found: /w/gone.txt");
    expect(results[1]?.errorDetails).toMatchObject({ statusCode: 404, code: "FILE_NOT_FOUND" });
  });

  it("answers 400 when the file parts exceed the upload limit, and writes nothing", async () => {
    const sandbox = await started();
    const big = Buffer.alloc(5 * 1024 * 1024 + 1, 97);
    const failure = await sandbox.fs.uploadFile(big, "/w/big.txt").catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DaytonaValidationError);
    expect(failure).toMatchObject({ statusCode: 400 });
    expect(env.emulator.sandboxes.get(sandbox.id)?.files.has("/w/big.txt")).toBe(false);
  });

  it("accepts an upload of exactly the limit", async () => {
    const emulator = env.withOptions({ uploadLimitBytes: 1024 });
    const sandbox = await started();
    await sandbox.fs.uploadFile(Buffer.alloc(1024, 98), "/w/edge.bin");
    expect(emulator.sandboxes.get(sandbox.id)?.files.get("/w/edge.bin")?.byteLength).toBe(1024);
  });
});

describe("list, info, folder, delete, move", () => {
  it("lists a directory's direct children with FileInfo fields", async () => {
    const seeded = env.emulator.sandboxes.seed({ files: { "/w/a.txt": "aa", "/w/sub/b.txt": "b" } });
    const sandbox = await env.client().get(seeded.id);
    const entries = await sandbox.fs.listFiles("/w");
    expect(entries.map((e) => [e.name, e.isDir, e.size])).toEqual([
      ["a.txt", false, 2],
      ["sub", true, 4096],
    ]);
  });

  it("gives file details, and 404 FILE_NOT_FOUND for a missing path", async () => {
    const seeded = env.emulator.sandboxes.seed({ files: { "/w/a.txt": "abc" } });
    const sandbox = await env.client().get(seeded.id);
    expect(await sandbox.fs.getFileDetails("/w/a.txt")).toMatchObject({
      name: "a.txt",
      isDir: false,
      size: 3,
    });
    await expect(sandbox.fs.getFileDetails("/w/none")).rejects.toBeInstanceOf(DaytonaFileNotFoundError);
  });

  it("creates folders with their parents", async () => {
    const sandbox = await started();
    await sandbox.fs.createFolder("/w/x/y/z", "755");
    const record = env.emulator.sandboxes.get(sandbox.id);
    expect(["/w", "/w/x", "/w/x/y", "/w/x/y/z"].every((d) => record?.dirs.has(d))).toBe(true);
  });

  it("deletes files, refuses a non-empty directory without recursive (400), deletes it with recursive", async () => {
    const seeded = env.emulator.sandboxes.seed({ files: { "/w/a.txt": "a", "/w/d/b.txt": "b" } });
    const sandbox = await env.client().get(seeded.id);
    await sandbox.fs.deleteFile("/w/a.txt");
    expect(seeded.files.has("/w/a.txt")).toBe(false);
    await expect(sandbox.fs.deleteFile("/w/d")).rejects.toMatchObject({ statusCode: 400 });
    expect(seeded.files.has("/w/d/b.txt")).toBe(true);
    await sandbox.fs.deleteFile("/w/d", true);
    expect(seeded.files.has("/w/d/b.txt")).toBe(false);
    expect(seeded.dirs.has("/w/d")).toBe(false);
    await expect(sandbox.fs.deleteFile("/w/d")).rejects.toBeInstanceOf(DaytonaFileNotFoundError);
  });

  it("moves a file and a directory tree", async () => {
    const seeded = env.emulator.sandboxes.seed({ files: { "/w/a.txt": "a", "/w/d/b.txt": "b" } });
    const sandbox = await env.client().get(seeded.id);
    await sandbox.fs.moveFiles("/w/a.txt", "/w/renamed.txt");
    await sandbox.fs.moveFiles("/w/d", "/w/e");
    expect([...seeded.files.keys()].sort()).toEqual(["/w/e/b.txt", "/w/renamed.txt"]);
    expect(seeded.dirs.has("/w/d")).toBe(false);
    await expect(sandbox.fs.moveFiles("/w/missing", "/w/x")).rejects.toBeInstanceOf(DaytonaFileNotFoundError);
  });

  it("refuses toolbox calls to a stopped sandbox with 400", async () => {
    const seeded = env.emulator.sandboxes.seed({ state: "started" });
    const sandbox = await env.client().get(seeded.id);
    env.emulator.sandboxes.setState(seeded.id, "stopped");
    await expect(sandbox.fs.listFiles("/")).rejects.toMatchObject({ statusCode: 400 });
  });
});
