import { createHash } from "node:crypto";
import { errAsync, okAsync } from "neverthrow";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { kitError } from "../../src/errors.js";
import { createExec } from "../../src/exec/exec.js";
import { joinCommand, splitIntoParts } from "../../src/fs/chunked.js";
import { createSandboxFs } from "../../src/fs/fs.js";
import type { SandboxFs } from "../../src/fs/types.js";
import { createMemoryDriver, type MemoryDriver } from "../../src/testing/index.js";

const CAP = 1_000;
const body = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) % 256);

let driver: MemoryDriver;
let sandboxId: string;
let fs: SandboxFs;

beforeEach(() => {
  driver = createMemoryDriver();
  sandboxId = driver.seed().id;
  fs = createSandboxFs({ driver, sandboxId, exec: createExec({ driver, sandboxId }), uploadCapBytes: CAP });
});

describe("splitIntoParts / joinCommand", () => {
  it("splits into parts no larger than the part size, covering every byte in order", () => {
    const data = body(2_500);
    const parts = splitIntoParts(data, 1_000);
    expect(parts.map((p) => p.byteLength)).toEqual([1_000, 1_000, 500]);
    expect(Buffer.concat(parts)).toEqual(Buffer.from(data));
    expect(splitIntoParts(body(2_000), 1_000)).toHaveLength(2);
  });

  it("quotes every path in the join command", () => {
    expect(joinCommand(["/w/.kit-parts-1-a b/part-000000", "/w/p'1"], "/w/.kit-tmp-1-a b")).toBe(
      "cat '/w/.kit-parts-1-a b/part-000000' '/w/p'\\''1' > '/w/.kit-tmp-1-a b' && sha256sum '/w/.kit-tmp-1-a b'",
    );
  });
});

describe("chunked writes", () => {
  it("uploads parts under the cap, joins and verifies them in the sandbox, then moves into place", async () => {
    const steps: string[] = [];
    const real = {
      createFolder: driver.createFolder.bind(driver),
      uploadFiles: driver.uploadFiles.bind(driver),
      exec: driver.exec.bind(driver),
      moveFile: driver.moveFile.bind(driver),
      deleteFile: driver.deleteFile.bind(driver),
    };
    vi.spyOn(driver, "createFolder").mockImplementation((id, path, mode) => {
      steps.push(`mkdir ${mode}`);
      return real.createFolder(id, path, mode);
    });
    vi.spyOn(driver, "uploadFiles").mockImplementation((id, files) => {
      for (const f of files) {
        expect(f.data.byteLength).toBeLessThanOrEqual(CAP);
        steps.push(`upload ${f.path.split("/").pop()}`);
      }
      return real.uploadFiles(id, files);
    });
    vi.spyOn(driver, "exec").mockImplementation((id, request) => {
      steps.push(
        request.command.startsWith("cat /") && request.command.includes(" && sha256sum /")
          ? "join+hash"
          : "?",
      );
      return real.exec(id, request);
    });
    vi.spyOn(driver, "moveFile").mockImplementation((id, from, to) => {
      steps.push(`move -> ${to}`);
      return real.moveFile(id, from, to);
    });
    vi.spyOn(driver, "deleteFile").mockImplementation((id, path, recursive) => {
      steps.push(`delete parts recursive=${recursive}`);
      return real.deleteFile(id, path, recursive);
    });

    const data = body(2_500);
    expect((await fs.writeBytes("out/big.bin", data, { chunked: true })).isOk()).toBe(true);

    expect(steps.slice(0, 1)).toEqual(["mkdir 700"]);
    expect([...steps.slice(1, 4)].sort()).toEqual([
      "upload part-000000",
      "upload part-000001",
      "upload part-000002",
    ]);
    expect(steps.slice(4)).toEqual([
      "join+hash",
      "move -> /workspace/out/big.bin",
      "delete parts recursive=true",
    ]);
    expect(driver.peek(sandboxId, "/workspace/out/big.bin")).toEqual(data);
    // Nothing temporary is left behind.
    expect(driver.filePaths(sandboxId)).toEqual(["/workspace/out/big.bin"]);
    expect(driver.dirPaths(sandboxId).filter((d) => d.includes(".kit-"))).toEqual([]);
  });

  it("runs the join in the destination's directory, so it works under any root", async () => {
    const exec = vi.spyOn(driver, "exec");
    const otherRoot = createSandboxFs({
      driver,
      sandboxId,
      exec: createExec({ driver, sandboxId, defaultCwd: "/does/not/exist" }),
      root: "/tmp",
      uploadCapBytes: CAP,
    });
    expect((await otherRoot.writeBytes("x/big.bin", body(2_500), { chunked: true })).isOk()).toBe(true);
    expect(exec.mock.calls[0]?.[1].cwd).toBe("/tmp/x");
    expect(driver.peek(sandboxId, "/tmp/x/big.bin")).toEqual(body(2_500));
  });

  it("writes normally when a chunked body fits under the cap", async () => {
    const exec = vi.spyOn(driver, "exec");
    expect((await fs.writeBytes("small.bin", body(10), { chunked: true })).isOk()).toBe(true);
    expect(exec).not.toHaveBeenCalled();
  });

  it("refuses the same body without chunked, sending nothing", async () => {
    const upload = vi.spyOn(driver, "uploadFiles");
    expect((await fs.writeBytes("big.bin", body(2_500)))._unsafeUnwrapErr().kind).toBe("PayloadTooLarge");
    expect(upload).not.toHaveBeenCalled();
  });

  it("handles chunked text too", async () => {
    const text = "åäö ✓ ".repeat(400);
    expect((await fs.writeText("big.txt", text, { chunked: true })).isOk()).toBe(true);
    expect((await fs.readText("big.txt"))._unsafeUnwrap()).toBe(text);
  });

  describe("on failure the destination is untouched and parts and temp files are removed", () => {
    beforeEach(async () => {
      await fs.writeText("big.bin", "previous content");
    });

    const expectUntouched = async () => {
      expect((await fs.readText("big.bin"))._unsafeUnwrap()).toBe("previous content");
      expect(driver.filePaths(sandboxId)).toEqual(["/workspace/big.bin"]);
      expect(driver.dirPaths(sandboxId).filter((d) => d.includes(".kit-"))).toEqual([]);
    };

    it("when a part upload fails", async () => {
      const real = driver.uploadFiles.bind(driver);
      vi.spyOn(driver, "uploadFiles").mockImplementation((id, files) =>
        files[0]?.path.endsWith("part-000001") ? errAsync(kitError.transient("reset")) : real(id, files),
      );
      const result = await fs.writeBytes("big.bin", body(2_500), { chunked: true });
      expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "Transient" });
      await expectUntouched();
    });

    it("when the join command fails", async () => {
      vi.spyOn(driver, "exec").mockReturnValue(okAsync({ exitCode: 1, output: "cat: disk full" }));
      const result = await fs.writeBytes("big.bin", body(2_500), { chunked: true });
      expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "CommandFailed", exitCode: 1 });
      await expectUntouched();
    });

    it("when the checksum in the sandbox does not match", async () => {
      const real = driver.exec.bind(driver);
      // A join that drops the last part: the file exists but its SHA-256 differs.
      vi.spyOn(driver, "exec").mockImplementation((id, request) =>
        real(id, { ...request, command: request.command.replace(/ '?[^ ]*part-000002'?/, "") }),
      );
      const result = await fs.writeBytes("big.bin", body(2_500), { chunked: true });
      const error = result._unsafeUnwrapErr();
      expect(error.kind).toBe("Unexpected");
      expect(error.message).toContain(createHash("sha256").update(body(2_500)).digest("hex"));
      await expectUntouched();
    });

    it("when the final move fails", async () => {
      vi.spyOn(driver, "moveFile").mockReturnValue(errAsync(kitError.conflict("busy")));
      const result = await fs.writeBytes("big.bin", body(2_500), { chunked: true });
      expect(result._unsafeUnwrapErr().kind).toBe("Conflict");
      await expectUntouched();
    });

    it("when the signal fires mid-upload", async () => {
      const controller = new AbortController();
      const real = driver.uploadFiles.bind(driver);
      vi.spyOn(driver, "uploadFiles").mockImplementation((id, files) => {
        controller.abort();
        return real(id, files);
      });
      const result = await fs.writeBytes("big.bin", body(2_500), {
        chunked: true,
        signal: controller.signal,
      });
      expect(result._unsafeUnwrapErr().kind).toBe("Aborted");
      await expectUntouched();
    });
  });
});
