import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { withFileLock } from "../../../src/driver/local/lock.js";

describe("the cross-process build lock", () => {
  const dir = mkdtempSync(join(tmpdir(), "dk-lock-"));
  afterEach(() => rmSync(join(dir, "a.lock"), { force: true }));

  it("runs holders one at a time and releases the lock afterwards", async () => {
    const order: string[] = [];
    const hold = (name: string) =>
      withFileLock(
        join(dir, "a.lock"),
        async () => {
          order.push(`${name}:in`);
          await new Promise((r) => setTimeout(r, 50));
          order.push(`${name}:out`);
        },
        { pollMs: 10 },
      );
    await Promise.all([hold("first"), hold("second")]);
    // Either may win; the other enters only after the winner left.
    const [winner, , loser] = order.map((step) => step.split(":")[0]);
    expect(order).toEqual([`${winner}:in`, `${winner}:out`, `${loser}:in`, `${loser}:out`]);
    expect(winner).not.toBe(loser);
    expect(() => readFileSync(join(dir, "a.lock"))).toThrow();
  });

  it("takes over a lock whose holder died (an interrupted build)", async () => {
    writeFileSync(join(dir, "a.lock"), "999999999");
    const waited: number[] = [];
    const value = await withFileLock(join(dir, "a.lock"), async () => "got it", {
      onWait: (pid) => waited.push(pid),
    });
    expect(value).toBe("got it");
    expect(waited).toEqual([]);
  });

  it("reports the live holder once and gives up when the signal aborts", async () => {
    writeFileSync(join(dir, "a.lock"), String(process.ppid));
    const waited: number[] = [];
    const wait = withFileLock(join(dir, "a.lock"), async () => "never", {
      signal: AbortSignal.timeout(100),
      onWait: (pid) => waited.push(pid),
      pollMs: 10,
    });
    await expect(wait).rejects.toThrow();
    expect(waited).toEqual([process.ppid]);
  });
});
