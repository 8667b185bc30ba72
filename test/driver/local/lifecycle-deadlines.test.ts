/**
 * Deadlines of lifecycle calls on real local sandboxes: a start that misses its deadline answers Timeout and leaves
 * nothing of its attempt; stop and delete honour theirs. A private home, so counts are this file's own.
 */
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { homeTag } from "../../../src/driver/local/cgroup.js";
import { createLocalDriver, kitHome } from "../../../src/driver/local/index.js";
import { IMAGE_BUILD_MS, skipReason } from "./helpers.js";

describe.skipIf(skipReason !== undefined)("lifecycle deadlines", () => {
  const home = mkdtempSync(join(tmpdir(), "dk-home-"));
  const driver = createLocalDriver({ home });
  const groupsOf = (id: string) =>
    ["memory", "pids", "cpu"]
      .map((controller) => `/sys/fs/cgroup/${controller}/daytona-kit/${homeTag(home)}/${id}`)
      .filter((dir) => existsSync(dir));

  beforeAll(async () => {
    expect((await createLocalDriver().prepare(["python:3.12-slim-bookworm"])).isOk()).toBe(true);
    symlinkSync(join(kitHome(), "images"), join(home, "images"));
  }, IMAGE_BUILD_MS);
  afterAll(async () => {
    await driver.deleteAll({ timeoutMs: 120_000 });
    rmSync(home, { recursive: true, force: true });
  }, 180_000);

  it("start with a 30 ms deadline answers Timeout; delete then leaves no cgroup of the sandbox", async () => {
    const box = (await driver.create({ timeoutMs: 60_000 }))._unsafeUnwrap();
    (await driver.stop(box.id, { timeoutMs: 30_000 }))._unsafeUnwrap();
    expect(groupsOf(box.id)).toEqual([]);
    const started = await driver.start(box.id, { timeoutMs: 30 });
    expect(started._unsafeUnwrapErr()).toMatchObject({ kind: "Timeout", operation: "start", afterMs: 30 });
    // The attempt is undone under the lock: the sandbox ends stopped, with nothing of it left running.
    for (let waited = 0; waited < 20_000; waited += 100) {
      if ((await driver.get(box.id))._unsafeUnwrap().state === "stopped" && groupsOf(box.id).length === 0)
        break;
      await sleep(100);
    }
    expect((await driver.get(box.id))._unsafeUnwrap().state).toBe("stopped");
    (await driver.delete(box.id, { timeoutMs: 30_000 }))._unsafeUnwrap();
    expect(groupsOf(box.id)).toEqual([]);
    expect(existsSync(join(home, "sandboxes", box.id))).toBe(false);
  }, 120_000);

  it("stop and delete answer Timeout past their deadline, and the begun work still completes", async () => {
    const box = (await driver.create({ timeoutMs: 60_000 }))._unsafeUnwrap();
    expect((await driver.stop(box.id, { timeoutMs: -1 }))._unsafeUnwrapErr().kind).toBe("InvalidArgument");
    expect((await driver.stop(box.id, { timeoutMs: 1 }))._unsafeUnwrapErr()).toMatchObject({
      kind: "Timeout",
      operation: "stop",
    });
    const settled = async (check: () => Promise<boolean>) => {
      for (let waited = 0; waited < 20_000 && !(await check()); waited += 100) await sleep(100);
      return check();
    };
    expect(await settled(async () => (await driver.get(box.id))._unsafeUnwrap().state === "stopped")).toBe(
      true,
    );
    expect((await driver.delete(box.id, { timeoutMs: 1 }))._unsafeUnwrapErr().kind).toBe("Timeout");
    expect(await settled(async () => (await driver.get(box.id)).isErr())).toBe(true);
    expect((await driver.get(box.id))._unsafeUnwrapErr().kind).toBe("NotFound");
    expect(groupsOf(box.id)).toEqual([]);
  }, 120_000);
});
