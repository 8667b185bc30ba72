/**
 * The driver contract: ONE suite of behaviours every {@link SandboxDriver} must show, exercised through the fs and
 * exec facades (unstorage's `testDriver()` pattern). Wire a driver in `test/contract/<driver>.contract.test.ts`:
 *
 * ```ts
 * describeDriverContract("memory", async () => {
 *   const driver = createMemoryDriver();
 *   return { driver, sandboxId: driver.seed().id, cleanup: () => driver.dispose() };
 * });
 * ```
 *
 * Every test works in its own directory under `/workspace/contract-<n>`, so a shared sandbox is fine.
 * @module
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { SandboxDriver } from "../../src/driver/types.js";
import { createExec } from "../../src/exec/exec.js";
import type { Exec } from "../../src/exec/types.js";
import { createSandboxFs } from "../../src/fs/fs.js";
import type { SandboxFs } from "../../src/fs/types.js";

/** What a contract run needs: a driver, one started sandbox, and how to clean up. */
export interface ContractSetup {
  readonly driver: SandboxDriver;
  readonly sandboxId: string;
  cleanup(): Promise<void>;
}

/** Options of {@link describeDriverContract}. */
export interface ContractOptions {
  /** Skip the whole suite, saying why (shown in the suite name). */
  readonly skip?: string;
  /** How long `setup` may take (building a local base image takes minutes). @default 120_000 */
  readonly setupTimeoutMs?: number;
}

/** Runs the contract suite against one driver. */
export function describeDriverContract(
  name: string,
  setup: () => Promise<ContractSetup>,
  options: ContractOptions = {},
): void {
  const suite = options.skip ? describe.skip : describe;
  suite(`driver contract: ${name}${options.skip ? ` (skipped: ${options.skip})` : ""}`, () => {
    let env: ContractSetup | undefined;
    let fs: SandboxFs;
    let exec: Exec;
    let counter = 0;
    /** A fresh directory name for one test. */
    const fresh = () => `contract-${Date.now().toString(36)}-${++counter}`;
    const current = () => {
      if (!env) throw new Error("contract setup failed");
      return env;
    };

    beforeAll(async () => {
      env = await setup();
      exec = createExec({ driver: env.driver, sandboxId: env.sandboxId, defaultTimeoutMs: 30_000 });
      fs = createSandboxFs({ driver: env.driver, sandboxId: env.sandboxId, exec });
      // Daytona images have no /workspace until something creates it.
      expect((await fs.mkdir(".")).isOk()).toBe(true);
    }, options.setupTimeoutMs ?? 120_000);
    afterAll(async () => {
      await env?.cleanup();
    }, 60_000);

    describe("files", () => {
      it("round-trips text, including unicode and an empty file", async () => {
        const dir = fresh();
        const text = "héllo wörld — 日本語 — 🎉\nline two\n";
        expect((await fs.writeText(`${dir}/u.txt`, text)).isOk()).toBe(true);
        expect((await fs.writeText(`${dir}/empty.txt`, "")).isOk()).toBe(true);
        expect((await fs.readText(`${dir}/u.txt`))._unsafeUnwrap()).toBe(text);
        expect((await fs.readText(`${dir}/empty.txt`))._unsafeUnwrap()).toBe("");
      });

      it("keeps every byte of binary data intact", async () => {
        const dir = fresh();
        const bytes = Uint8Array.from({ length: 256 * 4 }, (_, i) => i % 256);
        expect((await fs.writeBytes(`${dir}/all.bin`, bytes)).isOk()).toBe(true);
        const back = (await fs.readBytes(`${dir}/all.bin`))._unsafeUnwrap();
        expect(Buffer.from(back).equals(Buffer.from(bytes))).toBe(true);
      });

      it("round-trips JSON (atomic by default) and types a parse error", async () => {
        const dir = fresh();
        const value = { name: "app", nested: { list: [1, "two", null] }, ok: true };
        expect((await fs.writeJson(`${dir}/a.json`, value)).isOk()).toBe(true);
        expect((await fs.readJson(`${dir}/a.json`))._unsafeUnwrap()).toEqual(value);
        expect((await fs.readText(`${dir}/a.json`))._unsafeUnwrap().endsWith("}\n")).toBe(true);
        expect((await fs.list(dir))._unsafeUnwrap().map((e) => e.name)).toEqual(["a.json"]);
        await fs.writeText(`${dir}/bad.json`, "{oops");
        expect((await fs.readJson(`${dir}/bad.json`))._unsafeUnwrapErr().kind).toBe("InvalidArgument");
      });

      it("decodes UTF-8 strictly", async () => {
        const dir = fresh();
        await fs.writeBytes(`${dir}/latin1.txt`, new Uint8Array([0x63, 0x61, 0x66, 0xe9]));
        expect((await fs.readText(`${dir}/latin1.txt`))._unsafeUnwrapErr().kind).toBe("InvalidArgument");
      });

      it("answers NotFound for a missing file", async () => {
        expect((await fs.readText(`${fresh()}/missing.txt`))._unsafeUnwrapErr().kind).toBe("NotFound");
      });

      it("exists, list, mkdir, remove and move behave", async () => {
        const dir = fresh();
        expect((await fs.exists(dir))._unsafeUnwrap()).toBe(false);
        expect((await fs.mkdir(`${dir}/a/b`)).isOk()).toBe(true);
        expect((await fs.exists(`${dir}/a/b`))._unsafeUnwrap()).toBe(true);
        await fs.writeText(`${dir}/a/one.txt`, "1");
        const listed = (await fs.list(`${dir}/a`))._unsafeUnwrap();
        expect(listed.map((e) => [e.name, e.isDir]).sort()).toEqual([
          ["b", true],
          ["one.txt", false],
        ]);
        expect(listed.find((e) => e.name === "one.txt")?.size).toBe(1);

        expect((await fs.move(`${dir}/a/one.txt`, `${dir}/a/b/two.txt`)).isOk()).toBe(true);
        expect((await fs.exists(`${dir}/a/one.txt`))._unsafeUnwrap()).toBe(false);
        expect((await fs.readText(`${dir}/a/b/two.txt`))._unsafeUnwrap()).toBe("1");

        expect((await fs.remove(`${dir}/a/b/two.txt`)).isOk()).toBe(true);
        expect((await fs.exists(`${dir}/a/b/two.txt`))._unsafeUnwrap()).toBe(false);
        await fs.writeText(`${dir}/a/b/three.txt`, "3");
        expect((await fs.remove(`${dir}/a`, { recursive: true })).isOk()).toBe(true);
        expect((await fs.exists(`${dir}/a`))._unsafeUnwrap()).toBe(false);
      });

      it("replaces an existing file atomically, while a plain move refuses to overwrite (as Daytona's daemon)", async () => {
        const dir = fresh();
        expect((await fs.writeJson(`${dir}/c.json`, { v: 1 })).isOk()).toBe(true);
        expect((await fs.writeJson(`${dir}/c.json`, { v: 2 })).isOk()).toBe(true);
        expect((await fs.readJson(`${dir}/c.json`))._unsafeUnwrap()).toEqual({ v: 2 });
        expect((await fs.writeText(`${dir}/t.txt`, "old", { atomic: true })).isOk()).toBe(true);
        expect((await fs.writeText(`${dir}/t.txt`, "new", { atomic: true })).isOk()).toBe(true);
        expect((await fs.readText(`${dir}/t.txt`))._unsafeUnwrap()).toBe("new");
        const moved = await fs.move(`${dir}/t.txt`, `${dir}/c.json`);
        expect(moved._unsafeUnwrapErr().kind).toBe("Conflict");
        expect((await fs.readText(`${dir}/c.json`))._unsafeUnwrap()).toContain('"v": 2');
        // A replace never swallows a directory in the file's place.
        expect((await fs.mkdir(`${dir}/d.json`)).isOk()).toBe(true);
        expect((await fs.writeJson(`${dir}/d.json`, { v: 3 })).isErr()).toBe(true);
        expect((await fs.list(dir))._unsafeUnwrap().filter((e) => e.name.startsWith("."))).toEqual([]);
      });

      it("writes a batch of files in bulk requests", async () => {
        const dir = fresh();
        const upload = vi.spyOn(current().driver, "uploadFiles");
        const entries = Array.from({ length: 60 }, (_, i) => ({
          path: `${dir}/f${i}.txt`,
          text: `file ${i}`,
        }));
        const report = (await fs.writeFiles(entries))._unsafeUnwrap();
        expect(report).toMatchObject({ complete: true, failed: [], requests: 2 });
        expect(upload).toHaveBeenCalledTimes(2);
        upload.mockRestore();
        expect((await fs.list(dir))._unsafeUnwrap()).toHaveLength(60);
        expect((await fs.readText(`${dir}/f59.txt`))._unsafeUnwrap()).toBe("file 59");
      });

      it("uploads a body over the cap in verified parts with { chunked: true }", async () => {
        const dir = fresh();
        const small = createSandboxFs({
          driver: current().driver,
          sandboxId: current().sandboxId,
          exec,
          uploadCapBytes: 64 * 1024,
        });
        const data = Uint8Array.from({ length: 200 * 1024 + 17 }, (_, i) => (i * 31 + 7) % 256);
        expect((await small.writeBytes(`${dir}/big.bin`, data))._unsafeUnwrapErr().kind).toBe(
          "PayloadTooLarge",
        );
        const written = await small.writeBytes(`${dir}/big.bin`, data, { chunked: true });
        expect(written.isErr() ? written.error : "ok").toBe("ok");
        const back = (await fs.readBytes(`${dir}/big.bin`))._unsafeUnwrap();
        expect(createHash("sha256").update(back).digest("hex")).toBe(
          createHash("sha256").update(data).digest("hex"),
        );
        expect((await fs.list(dir))._unsafeUnwrap().map((e) => e.name)).toEqual(["big.bin"]);
      });

      it("refuses paths outside the root without calling the driver", async () => {
        const driver = current().driver;
        const spies = (["uploadFiles", "downloadFiles", "fileInfo", "deleteFile", "moveFile"] as const).map(
          (m) => vi.spyOn(driver, m),
        );
        const results = await Promise.all([
          fs.writeText("../../etc/passwd", "x"),
          fs.readText("/etc/passwd"),
          fs.exists("%2e%2e/etc"),
          fs.remove("/workspace/../etc", { recursive: true }),
          fs.move("a", "../b"),
          fs.writeText("a\0b", "x"),
        ]);
        expect(results.map((r) => r._unsafeUnwrapErr().kind)).toEqual([
          "PathOutsideRoot",
          "PathOutsideRoot",
          "PathOutsideRoot",
          "PathOutsideRoot",
          "PathOutsideRoot",
          "InvalidArgument",
        ]);
        for (const spy of spies) {
          expect(spy).not.toHaveBeenCalled();
          spy.mockRestore();
        }
      });
    });

    describe("exec", () => {
      it("returns exit code 0 and the output", async () => {
        const result = (await exec("echo hello"))._unsafeUnwrap();
        expect(result).toMatchObject({ exitCode: 0, output: "hello\n" });
        expect(result.durationMs).toBeGreaterThanOrEqual(0);
      });

      it("runs in the default cwd (the root) or the one given", async () => {
        expect((await exec("pwd"))._unsafeUnwrap().output.trim()).toBe("/workspace");
        const dir = fresh();
        await fs.mkdir(dir);
        expect((await exec("pwd", { cwd: `/workspace/${dir}` }))._unsafeUnwrap().output.trim()).toBe(
          `/workspace/${dir}`,
        );
      });

      it("passes environment variables", async () => {
        const result = await exec('echo "$KIT_GREETING"', { env: { KIT_GREETING: "hej då" } });
        expect(result._unsafeUnwrap().output).toBe("hej då\n");
      });

      it("sees files written through the fs facade", async () => {
        const dir = fresh();
        await fs.writeText(`${dir}/note.txt`, "from the facade\n");
        expect((await exec(`cat ${dir}/note.txt`))._unsafeUnwrap().output).toBe("from the facade\n");
      });

      it("turns a non-zero exit into CommandFailed with the output", async () => {
        const error = (await exec("echo failing; exit 3"))._unsafeUnwrapErr();
        expect(error).toMatchObject({ kind: "CommandFailed", exitCode: 3, command: "echo failing; exit 3" });
        if (error.kind === "CommandFailed") expect(error.output).toContain("failing");
      });

      it("accepts exit codes listed in okExitCodes", async () => {
        expect((await exec("exit 1", { okExitCodes: [0, 1] }))._unsafeUnwrap().exitCode).toBe(1);
      });

      it("answers Timeout when the command outlives its deadline", async () => {
        const error = (await exec("sleep 30", { timeoutMs: 500 }))._unsafeUnwrapErr();
        expect(error.kind).toBe("Timeout");
      });
    });
  });
}
