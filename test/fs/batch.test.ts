import { errAsync, ResultAsync } from "neverthrow";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { UploadEntry } from "../../src/driver/types.js";
import { kitError } from "../../src/errors.js";
import { createExec } from "../../src/exec/exec.js";
import { planBatches } from "../../src/fs/batch.js";
import { createSandboxFs } from "../../src/fs/fs.js";
import type { FsContext, WriteFileEntry } from "../../src/fs/types.js";
import { createMemoryDriver, type MemoryDriver } from "../../src/testing/index.js";

const sized = (...sizes: number[]) => sizes.map((n, i) => ({ path: `/f${i}`, data: new Uint8Array(n) }));

describe("planBatches", () => {
  it("packs 250 small files into 5 requests of 50", () => {
    const batches = planBatches(sized(...Array(250).fill(1_024)), {
      maxFiles: 50,
      maxBytes: 5 * 1024 * 1024,
    });
    expect(batches.map((b) => b.length)).toEqual([50, 50, 50, 50, 50]);
  });

  it("closes a batch before the byte limit is exceeded, keeping input order", () => {
    const batches = planBatches(sized(40, 40, 40, 100, 10), { maxFiles: 50, maxBytes: 100 });
    expect(batches.map((b) => b.map((e) => e.path))).toEqual([["/f0", "/f1"], ["/f2"], ["/f3"], ["/f4"]]);
  });

  it("returns no batch for no entries", () => {
    expect(planBatches([], { maxFiles: 50, maxBytes: 100 })).toEqual([]);
  });
});

describe("writeFiles", () => {
  let driver: MemoryDriver;
  let sandboxId: string;
  const makeFs = (options: Partial<FsContext> = {}) =>
    createSandboxFs({ driver, sandboxId, exec: createExec({ driver, sandboxId }), ...options });
  const files = (n: number, prefix = "f"): WriteFileEntry[] =>
    Array.from({ length: n }, (_, i) => ({ path: `${prefix}/${i}.txt`, text: `file ${i}` }));

  beforeEach(() => {
    driver = createMemoryDriver();
    sandboxId = driver.seed().id;
  });

  it("writes 250 small files in 5 bulk requests and reports them all", async () => {
    const upload = vi.spyOn(driver, "uploadFiles");
    const report = (await makeFs().writeFiles(files(250)))._unsafeUnwrap();
    expect(upload).toHaveBeenCalledTimes(5);
    expect(report).toMatchObject({ complete: true, failed: [], requests: 5 });
    expect(report.written).toHaveLength(250);
    expect(report.written[0]).toBe("/workspace/f/0.txt");
    expect(driver.filePaths(sandboxId)).toHaveLength(250);
  });

  it("mixes text and bytes entries", async () => {
    const fs = makeFs();
    await fs.writeFiles([
      { path: "t.txt", text: "ä" },
      { path: "b.bin", bytes: new Uint8Array([0, 255]) },
    ]);
    expect((await fs.readText("t.txt"))._unsafeUnwrap()).toBe("ä");
    expect((await fs.readBytes("b.bin"))._unsafeUnwrap()).toEqual(new Uint8Array([0, 255]));
  });

  it("keeps at most `concurrency` requests in flight", async () => {
    let inFlight = 0;
    let peak = 0;
    const real = driver.uploadFiles.bind(driver);
    vi.spyOn(driver, "uploadFiles").mockImplementation((id, batch) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      const later = new Promise<void>((resolve) => setTimeout(resolve, 5)).then(() => {
        inFlight--;
      });
      return ResultAsync.fromSafePromise(later).andThen(() => real(id, batch));
    });
    const report = (
      await makeFs({ batch: { maxFiles: 2, concurrency: 3 } }).writeFiles(files(20))
    )._unsafeUnwrap();
    expect(report.requests).toBe(10);
    expect(peak).toBe(3);
  });

  it("reports per file which paths landed and which failed with what error", async () => {
    const real = driver.uploadFiles.bind(driver);
    const upload = vi
      .spyOn(driver, "uploadFiles")
      .mockImplementation((id, batch: readonly UploadEntry[]) =>
        batch.some((f) => f.path.endsWith("/3.txt"))
          ? errAsync(kitError.transient("Bad gateway", { status: 502 }))
          : real(id, batch),
      );
    const report = (await makeFs({ batch: { maxFiles: 2 } }).writeFiles(files(6)))._unsafeUnwrap();
    expect(upload).toHaveBeenCalledTimes(3);
    expect(report.complete).toBe(false);
    expect(report.requests).toBe(3);
    expect(report.written).toEqual([
      "/workspace/f/0.txt",
      "/workspace/f/1.txt",
      "/workspace/f/4.txt",
      "/workspace/f/5.txt",
    ]);
    expect(report.failed.map((f) => [f.path, f.error.kind])).toEqual([
      ["/workspace/f/2.txt", "Transient"],
      ["/workspace/f/3.txt", "Transient"],
    ]);
    expect(driver.filePaths(sandboxId)).toEqual(report.written);
  });

  it("validates every entry before sending anything", async () => {
    const upload = vi.spyOn(driver, "uploadFiles");
    const fs = makeFs();
    const bad = [
      [...files(3), { path: "../x", text: "x" }],
      [...files(3), { path: "a.txt", text: "x", bytes: new Uint8Array(1) } as unknown as WriteFileEntry],
      [...files(3), { path: "a.txt" } as unknown as WriteFileEntry],
      [...files(3), { path: "f/0.txt", text: "duplicate" }],
    ];
    const kinds = await Promise.all(
      bad.map(async (entries) => (await fs.writeFiles(entries))._unsafeUnwrapErr().kind),
    );
    expect(kinds).toEqual(["PathOutsideRoot", "InvalidArgument", "InvalidArgument", "InvalidArgument"]);
    expect(upload).not.toHaveBeenCalled();
  });

  it("answers an empty report for no entries without a request", async () => {
    const upload = vi.spyOn(driver, "uploadFiles");
    expect((await makeFs().writeFiles([]))._unsafeUnwrap()).toEqual({
      complete: true,
      written: [],
      failed: [],
      requests: 0,
    });
    expect(upload).not.toHaveBeenCalled();
  });

  it("never puts more than maxBytes in one request, and maxBytes never exceeds the cap", async () => {
    const upload = vi.spyOn(driver, "uploadFiles");
    const entries = Array.from({ length: 10 }, (_, i) => ({ path: `b${i}`, bytes: new Uint8Array(400) }));
    await makeFs({ uploadCapBytes: 1_000, batch: { maxBytes: 50_000 } }).writeFiles(entries);
    for (const [, batch] of upload.mock.calls) {
      expect(batch.reduce((sum, f) => sum + f.data.byteLength, 0)).toBeLessThanOrEqual(1_000);
    }
    expect(upload).toHaveBeenCalledTimes(5);
  });
});
