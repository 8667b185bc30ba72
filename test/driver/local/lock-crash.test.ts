/**
 * The lock file under SIGKILL and recycled pids: whatever moment its holder dies at, the next process gets the lock
 * (0.1 could be killed between creating the file and writing its pid, leaving an empty lock every caller waited on
 * forever: the preview crash test's 300 s timeout in CI).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { processStartTime } from "../../../src/driver/local/host.js";
import { withFileLock } from "../../../src/driver/local/lock.js";

const ROUNDS = 12;

describe("the lock file when its holder dies", () => {
  const fresh = () => join(mkdtempSync(join(tmpdir(), "dk-lock-crash-")), "a.lock");
  const take = (path: string, ms = 10_000) =>
    withFileLock(path, async () => "got it", { signal: AbortSignal.timeout(ms), pollMs: 5 });

  it("takes over an owner-less lock left by 0.1 once it is old, and waits on a young one", async () => {
    const old = fresh();
    writeFileSync(old, "");
    utimesSync(old, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    expect(await take(old)).toBe("got it");

    const young = fresh();
    writeFileSync(young, "");
    await expect(take(young, 150)).rejects.toThrow();
  });

  it("takes over a lock whose pid now belongs to another process (recycled pid)", async () => {
    const path = fresh();
    const realStart = await processStartTime(process.pid);
    writeFileSync(path, `${process.pid} ${Number(realStart) + 1} someone-else`);
    expect(await take(path)).toBe("got it");
    writeFileSync(path, `${process.pid} ${realStart} still-me`);
    await expect(take(path, 150)).rejects.toThrow();
  });

  it("is never stuck after holders are SIGKILLed at random moments, and leaves no files behind", async () => {
    const path = fresh();
    const child = join(import.meta.dirname, "fixtures/lock-child.ts");
    const ready = (caller: ChildProcess) =>
      new Promise<void>((done) => caller.stdout?.once("data", () => done()));
    const exited = (caller: ChildProcess) =>
      new Promise((done) =>
        caller.exitCode !== null || caller.signalCode !== null ? done(undefined) : caller.once("exit", done),
      );
    let heldAtKill = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // Two holders racing on the lock, killed one after the other wherever they are.
      const callers = [0, 1].map(() =>
        spawn(process.execPath, ["--import", "tsx", child, path], {
          cwd: join(import.meta.dirname, "../../.."),
          stdio: ["ignore", "pipe", "ignore"],
        }),
      );
      await Promise.all(callers.map(ready));
      for (const caller of callers) {
        await sleep(Math.random() * 40);
        caller.kill("SIGKILL");
        await exited(caller);
      }
      if (readdirSync(join(path, "..")).includes("a.lock")) heldAtKill++;
      expect(await take(path)).toBe("got it");
    }
    console.log(`[lock-crash] ${ROUNDS} rounds, lock file left by a killed holder in ${heldAtKill}`);
    expect(readdirSync(join(path, ".."))).toEqual([]);
  }, 120_000);
});
