/**
 * Names and leftovers on the local driver: names up to 255 bytes write and read back (the driver's temp names stay
 * short), no error message shows a host path, and the temp and part files of interrupted writes — a writer process
 * SIGKILLed at random points — are gone after the next write or a sweep.
 */
import { execFile } from "node:child_process";
import { randomInt } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kitHome, sandboxPaths } from "../../../src/driver/local/layout.js";
import { sweepInterruptedWrites } from "../../../src/driver/local/temp-sweep.js";
import { createExec } from "../../../src/exec/exec.js";
import { createSandboxFs } from "../../../src/fs/fs.js";
import { bytes, cleanup, IMAGE_BUILD_MS, skipReason, testDriver } from "./helpers.js";

const repo = join(import.meta.dirname, "../../..");
const writer = join(import.meta.dirname, "fixtures/write-child.ts");
/** A pid no process has (above the kernel's pid_max of 2^22). */
const DEAD_PID = 2 ** 22 + 11;
const LEFTOVER = /^\.(kit-tmp-|kit-parts-|dk-)|\.dk-[0-9a-f]{12}$/;

/** Every leftover temp or part name under host directory `dir`, as paths relative to it. */
function leftovers(dir: string): string[] {
  const found: string[] = [];
  const walk = (at: string, rel: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (LEFTOVER.test(entry.name)) found.push(path);
      if (entry.isDirectory()) walk(join(at, entry.name), path);
    }
  };
  walk(dir, "");
  return found;
}

/** Whether a host process still works on this sandbox's crash directory (an orphaned join of a killed writer). */
function orphanedCommands(): boolean {
  for (const pid of readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("/workspace/crash/")) return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
}

describe.skipIf(skipReason !== undefined)("local driver names and leftovers (real sandboxes)", () => {
  const { driver, labels } = testDriver("leftovers");
  let id = "";
  let hostRoot = "";
  let hostDir = "";

  beforeAll(async () => {
    const created = await driver.create({ labels, timeoutMs: 30_000 });
    if (created.isErr()) throw new Error(created.error.message);
    id = created.value.id;
    const paths = sandboxPaths(kitHome(), id);
    hostRoot = paths.root;
    hostDir = paths.dir;
  }, IMAGE_BUILD_MS);
  afterAll(() => cleanup(driver, labels), 60_000);

  it("writes, lists and reads back names of 239–255 bytes, leaving no temp file", async () => {
    const names: string[] = [];
    for (let length = 239; length <= 255; length++) {
      names.push("n".repeat(length));
      names.push(`${"ü".repeat(Math.floor(length / 2))}${"x".repeat(length % 2)}`);
    }
    for (const name of names) expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
    const uploaded = await driver.uploadFiles(
      id,
      names.map((name) => ({ path: `/workspace/long/${name}`, data: bytes(name.slice(0, 3)) })),
    );
    expect(uploaded.isOk()).toBe(true);
    const listed = (await driver.listFiles(id, "/workspace/long"))._unsafeUnwrap().map((e) => e.name);
    expect(listed.sort()).toEqual([...names].sort());
    const read = await driver.downloadFiles(id, [`/workspace/long/${names[16]}`]);
    expect(read._unsafeUnwrap()[0]).toMatchObject({ ok: true });
    // Through the fs facade too (its .kit-tmp- sibling stays under 255 bytes).
    const fs = createSandboxFs({ driver, sandboxId: id, exec: createExec({ driver, sandboxId: id }) });
    expect((await fs.writeText(`long/${"j".repeat(255)}`, "{}", { atomic: true })).isOk()).toBe(true);
    expect((await fs.readText(`long/${"j".repeat(255)}`))._unsafeUnwrap()).toBe("{}");
    expect(leftovers(join(hostRoot, "workspace/long"))).toEqual([]);
  });

  it("words every file error with sandbox paths only, never the host's", async () => {
    await driver.uploadFiles(id, [
      { path: "/workspace/a-file", data: bytes("x") },
      { path: "/workspace/full/inner.txt", data: bytes("x") },
    ]);
    const failures = [
      await driver.listFiles(id, "/workspace/a-file"),
      await driver.listFiles(id, "/workspace/a-file/below"),
      await driver.uploadFiles(id, [{ path: "/workspace/a-file/below", data: bytes("x") }]),
      await driver.uploadFiles(id, [{ path: "/workspace/full", data: bytes("x") }]),
      await driver.deleteFile(id, "/workspace/full", false),
      await driver.createFolder(id, "/workspace/a-file", "755"),
      await driver.moveFile(id, "/workspace/missing", "/workspace/elsewhere"),
      await driver.fileInfo(id, "/workspace/missing"),
      await driver.uploadFiles(id, [{ path: `/workspace/${"z".repeat(256)}`, data: bytes("x") }]),
    ];
    for (const failure of failures) {
      const error = failure._unsafeUnwrapErr();
      const shown = `${error.message} ${String((error.cause as Error | undefined)?.message ?? "")}`;
      expect(shown).not.toContain(hostDir);
      expect(shown).not.toContain(kitHome());
    }
    const notDir = failures[0]!._unsafeUnwrapErr();
    expect(notDir).toMatchObject({ kind: "InvalidArgument" });
    expect(notDir.message).toContain("/workspace/a-file: Not a directory");
    const downloaded = (
      await driver.downloadFiles(id, ["/workspace/full", "/workspace/nope"])
    )._unsafeUnwrap();
    for (const outcome of downloaded) {
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(outcome.error.message).not.toContain(hostDir);
    }
  });

  it("sweeps leftovers of dead writers at the next write into their directory, and keeps live ones", async () => {
    const dir = join(hostRoot, "workspace/sweep");
    mkdirSync(join(dir, `.kit-parts-${DEAD_PID}-0123456789ab-big.bin`), { recursive: true });
    writeFileSync(join(dir, `.kit-parts-${DEAD_PID}-0123456789ab-big.bin/part-000000`), "p");
    writeFileSync(join(dir, `.kit-tmp-${DEAD_PID}-0123456789ab-big.bin`), "t");
    writeFileSync(join(dir, `.dk-${DEAD_PID}-0123456789ab`), "d");
    writeFileSync(join(dir, ".old.json.dk-0123456789ab"), "old format, two hours old");
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(join(dir, ".old.json.dk-0123456789ab"), twoHoursAgo, twoHoursAgo);
    // Live: this process writes it; and a user's own hidden file.
    writeFileSync(join(dir, `.kit-tmp-${process.pid}-0123456789ab-live.bin`), "live");
    writeFileSync(join(dir, ".kit-notes"), "mine");
    expect(
      (await driver.uploadFiles(id, [{ path: "/workspace/sweep/next.txt", data: bytes("n") }])).isOk(),
    ).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(
      [".kit-notes", `.kit-tmp-${process.pid}-0123456789ab-live.bin`, "next.txt"].sort(),
    );
    rmSync(join(dir, `.kit-tmp-${process.pid}-0123456789ab-live.bin`));
  });

  it("leaves no temp or part file after writers SIGKILLed at random points, after the next write or a sweep", async () => {
    const kill = async (mode: "chunked" | "files") => {
      const child = execFile(process.execPath, ["--import", "tsx", writer, mode, id], { cwd: repo });
      await new Promise<void>((resolve, reject) => {
        child.stdout?.on("data", (chunk: string) => chunk.includes("go") && resolve());
        child.once("exit", (code) => reject(new Error(`writer exited early (${code})`)));
      });
      await sleep(randomInt(50, 1_500));
      child.kill("SIGKILL");
      await new Promise((resolve) => child.once("exit", resolve));
    };
    const settle = async () => {
      // A join the killed writer had already launched still runs inside (until its deadline); let it end.
      for (let waited = 0; orphanedCommands() && waited < 60_000; waited += 200) await sleep(200);
    };
    const crash = join(hostRoot, "workspace/crash");
    let seen = 0;
    for (let round = 0; round < 20; round++) {
      await Promise.all([kill("chunked"), kill("files")]);
      await settle();
      seen += leftovers(crash).length;
    }
    // The kills did leave leftovers behind (else this test proves nothing)...
    expect(seen).toBeGreaterThan(0);
    // ...and the next write to the same destinations removes them.
    const fs = createSandboxFs({
      driver,
      sandboxId: id,
      exec: createExec({ driver, sandboxId: id }),
      uploadCapBytes: 1024 * 1024,
    });
    expect(
      (await fs.writeBytes("crash/big.bin", new Uint8Array(3 * 1024 * 1024), { chunked: true })).isOk(),
    ).toBe(true);
    const files = Array.from({ length: 24 }, (_, i) => ({
      path: `crash/files/f${i}.bin`,
      bytes: new Uint8Array(8),
    }));
    expect((await fs.writeFiles(files))._unsafeUnwrap().complete).toBe(true);
    expect(leftovers(crash)).toEqual([]);
    // And the driver's gc() sweeps the whole tree, wherever leftovers are.
    for (let round = 0; round < 2; round++) await Promise.all([kill("chunked"), kill("files")]);
    await settle();
    mkdirSync(join(hostRoot, "workspace/deep/a/b"), { recursive: true });
    writeFileSync(join(hostRoot, `workspace/deep/a/b/.dk-${DEAD_PID}-0123456789ab`), "x");
    const collected = (await driver.gc())._unsafeUnwrap();
    expect(collected.tempFiles).toBeGreaterThanOrEqual(1);
    expect(leftovers(join(hostRoot, "workspace"))).toEqual([]);
    // A tree that does not exist is nothing to sweep.
    expect(await sweepInterruptedWrites(hostRoot, "/no/such/dir")).toBe(0);
    console.log(`[leftovers] ${seen} leftovers seen over 40 kills, 0 after the next write and after a sweep`);
  }, 600_000);
});
