/**
 * Resource limits of real local sandboxes: processes (a fork bomb), disk (ENOSPC inside, the host's free space
 * spared), CPU (a quota that throttles) and memory (validated). A private home, so counts are this file's own.
 */
import { mkdtempSync, readFileSync, rmSync, statfsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { homeTag } from "../../../src/driver/local/cgroup.js";
import { createLocalDriver } from "../../../src/driver/local/index.js";
import { IMAGE_BUILD_MS, shareImagesInto, skipReason } from "./helpers.js";

const GiB = 1024 ** 3;

describe.skipIf(skipReason !== undefined)("limits of a real local sandbox", () => {
  const home = mkdtempSync(join(tmpdir(), "dk-home-"));
  const driver = createLocalDriver({ home, maxProcesses: 200 });
  const group = (controller: string, id: string) =>
    `/sys/fs/cgroup/${controller}/daytona-kit/${homeTag(home)}/${id}`;

  beforeAll(async () => {
    expect(await shareImagesInto(home)).toBe(true);
  }, IMAGE_BUILD_MS);
  afterAll(async () => {
    await driver.deleteAll({ timeoutMs: 120_000 });
    rmSync(home, { recursive: true, force: true });
  }, 180_000);

  it("stops a fork bomb at maxProcesses; the init survives and the sandbox answers afterwards", async () => {
    const box = (await driver.create({ timeoutMs: 60_000 }))._unsafeUnwrap();
    expect(readFileSync(join(group("pids", box.id), "pids.max"), "utf8").trim()).toBe("200");
    const bomb = await driver.exec(box.id, {
      command: "bomb() { bomb | bomb; }; bomb",
      timeoutMs: 8_000,
    });
    // The deadline ends it (the whole process group is killed): Timeout, never a silent success.
    expect(bomb._unsafeUnwrapErr().kind).toBe("Timeout");
    // The kernel refused forks at the limit.
    expect(readFileSync(join(group("pids", box.id), "pids.events"), "utf8")).toMatch(/max [1-9]/);
    const after = await driver.exec(box.id, { command: "echo ok", timeoutMs: 20_000 });
    expect(after._unsafeUnwrap()).toMatchObject({ exitCode: 0, output: "ok\n" });
    expect((await driver.get(box.id))._unsafeUnwrap().state).toBe("started");
  }, 120_000);

  it("gives ENOSPC inside at the disk limit and spares the host's free space", async () => {
    const box = (await driver.create({ timeoutMs: 60_000, resources: { diskGiB: 1 } }))._unsafeUnwrap();
    expect(box.diskGiB).toBe(1);
    const free = () => {
      const stats = statfsSync(home);
      return stats.bavail * stats.bsize;
    };
    const before = free();
    const write = await driver.exec(box.id, {
      command: "dd if=/dev/zero of=/workspace/big bs=1M count=2048 conv=fsync 2>&1; echo rc=$?",
      timeoutMs: 300_000,
    });
    const output = write._unsafeUnwrap().output;
    expect(output).toMatch(/No space left on device/);
    expect(output).not.toMatch(/rc=0/);
    // What the host gave the sandbox: the image's allocated blocks, at most the limit.
    const image = statSync(join(home, "sandboxes", box.id, "disk.img"));
    expect(image.blocks * 512).toBeLessThanOrEqual(GiB);
    // The home's free space (shared with whatever else runs on this machine) lost far less than the 2 GB written.
    const dropped = before - free();
    console.info(
      `[disk] image holds ${image.blocks * 512} bytes; free space of the home dropped ${dropped} bytes`,
    );
    expect(dropped).toBeLessThan(2 * 10 ** 9);
    const after = await driver.exec(box.id, { command: "rm /workspace/big && echo ok", timeoutMs: 20_000 });
    expect(after._unsafeUnwrap().output).toBe("ok\n");
    (await driver.delete(box.id, { timeoutMs: 60_000 }))._unsafeUnwrap();
  }, 400_000);

  it("throttles a busy loop to the CPU quota", async () => {
    const box = (await driver.create({ timeoutMs: 60_000, resources: { cpu: 0.25 } }))._unsafeUnwrap();
    expect(readFileSync(join(group("cpu", box.id), "cpu.cfs_quota_us"), "utf8").trim()).toBe("25000");
    await driver.exec(box.id, { command: "timeout 1 sh -c 'while :; do :; done'; true", timeoutMs: 20_000 });
    const stat = readFileSync(join(group("cpu", box.id), "cpu.stat"), "utf8");
    expect(Number(/nr_throttled (\d+)/.exec(stat)?.[1])).toBeGreaterThan(0);
  }, 120_000);

  it("refuses memory that is not a finite positive size, and removes the memory cgroup on delete", async () => {
    for (const memoryGiB of [Infinity, Number.NaN, -1]) {
      const refused = await driver.create({ timeoutMs: 60_000, resources: { memoryGiB } });
      expect(refused._unsafeUnwrapErr().kind).toBe("InvalidArgument");
    }
    const box = (await driver.create({ timeoutMs: 60_000, resources: { memoryGiB: 0.5 } }))._unsafeUnwrap();
    expect(readFileSync(join(group("memory", box.id), "memory.limit_in_bytes"), "utf8").trim()).toBe(
      String(GiB / 2),
    );
    (await driver.delete(box.id, { timeoutMs: 60_000 }))._unsafeUnwrap();
    for (const controller of ["memory", "pids", "cpu"]) {
      expect(() => readFileSync(join(group(controller, box.id), "cgroup.procs"))).toThrow(/ENOENT/);
    }
  }, 120_000);
});
