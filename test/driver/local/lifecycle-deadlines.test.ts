/**
 * Deadlines of lifecycle calls on real local sandboxes: a start that misses its deadline answers Timeout and leaves
 * nothing of its attempt; stop and delete honour theirs. A private home, so counts are this file's own.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { homeTag } from "../../../src/driver/local/cgroup.js";
import { createLocalDriver } from "../../../src/driver/local/index.js";
import { createKit } from "../../../src/index.js";
import { IMAGE_BUILD_MS, shareImagesInto, skipReason } from "./helpers.js";

describe.skipIf(skipReason !== undefined)("lifecycle deadlines", () => {
  const home = mkdtempSync(join(tmpdir(), "dk-home-"));
  const driver = createLocalDriver({ home });
  const groupsOf = (id: string) =>
    ["memory", "pids", "cpu"]
      .map((controller) => `/sys/fs/cgroup/${controller}/daytona-kit/${homeTag(home)}/${id}`)
      .filter((dir) => existsSync(dir));

  beforeAll(async () => {
    expect(await shareImagesInto(home)).toBe(true);
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

  it("through the kit: sandbox.start() with timeouts.lifecycleMs 30 answers Timeout and leaks no cgroup", async () => {
    const patient = createKit({ driver, env: {} });
    const hasty = createKit({ driver, env: {}, timeouts: { lifecycleMs: 30 } });
    try {
      const projectId = `deadline-${Date.now()}`;
      const sandbox = (await patient.ensure({ projectId }))._unsafeUnwrap();
      (await sandbox.stop())._unsafeUnwrap();
      // get is bounded by the same 30 ms: on a loaded machine it may need a few tries.
      let found = await hasty.get(sandbox.id);
      for (let i = 0; i < 20 && found.isErr(); i++) found = await hasty.get(sandbox.id);
      const again = found._unsafeUnwrap();
      expect((await again.start())._unsafeUnwrapErr().kind).toBe("Timeout");
      (await driver.delete(sandbox.id, { timeoutMs: 30_000 }))._unsafeUnwrap();
      expect(groupsOf(sandbox.id)).toEqual([]);
    } finally {
      await patient.dispose();
      await hasty.dispose();
    }
  }, 120_000);

  it("stop and delete answer Timeout past their deadline and leave the sandbox consistent", async () => {
    const box = (await driver.create({ timeoutMs: 60_000 }))._unsafeUnwrap();
    expect((await driver.stop(box.id, { timeoutMs: -1 }))._unsafeUnwrapErr().kind).toBe("InvalidArgument");
    expect((await driver.stop(box.id, { timeoutMs: 1 }))._unsafeUnwrapErr()).toMatchObject({
      kind: "Timeout",
      operation: "stop",
    });
    // Either the stop had begun (it completes under the lock) or it had not (nothing changed): never half done.
    const state = async () => {
      await sleep(2_000);
      const info = await driver.get(box.id);
      return info.isOk() ? info.value.state : info.error.kind;
    };
    expect(["stopped", "started"]).toContain(await state());
    expect((await driver.delete(box.id, { timeoutMs: 1 }))._unsafeUnwrapErr().kind).toBe("Timeout");
    expect(["NotFound", "stopped", "started"]).toContain(await state());
    const deleted = await driver.delete(box.id, { timeoutMs: 30_000 });
    if (deleted.isErr()) expect(deleted.error.kind).toBe("NotFound");
    expect(groupsOf(box.id)).toEqual([]);
    expect(existsSync(join(home, "sandboxes", box.id))).toBe(false);
  }, 120_000);
});
