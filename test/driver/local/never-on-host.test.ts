/**
 * A command meant for a sandbox never runs on the host: many creates, each followed at once by its first exec, while
 * busy loops keep both cores loaded (the load that used to let an exec enter before the init had chrooted).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pLimit from "p-limit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalDriver } from "../../../src/driver/local/index.js";
import { IMAGE_BUILD_MS, shareImagesInto, skipReason } from "./helpers.js";

const TRIES = Number(process.env.DK_TRIES ?? 200);
const CONCURRENCY = 6;

describe.skipIf(skipReason !== undefined)("never a command on the host", () => {
  const home = mkdtempSync(join(tmpdir(), "dk-home-"));
  const driver = createLocalDriver({ home });
  // A file only the host has: the sandbox's /tmp is its own.
  const marker = join(tmpdir(), `dk-host-only-${randomBytes(6).toString("hex")}`);
  const busy: ChildProcess[] = [];

  beforeAll(async () => {
    expect(await shareImagesInto(home)).toBe(true);
    writeFileSync(marker, "host\n");
  }, IMAGE_BUILD_MS);
  afterAll(async () => {
    for (const child of busy) child.kill("SIGKILL");
    await driver.deleteAll({ timeoutMs: 120_000 });
    rmSync(home, { recursive: true, force: true });
    rmSync(marker, { force: true });
  }, 180_000);

  it(`${TRIES} × (create → first exec) under CPU load: every run is inside its sandbox`, async () => {
    for (let i = 0; i < 2; i++) {
      busy.push(spawn("/bin/sh", ["-c", "while :; do :; done"], { stdio: "ignore" }));
    }
    const limit = pLimit(CONCURRENCY);
    const outcomes = await Promise.all(
      Array.from({ length: TRIES }, () =>
        limit(async () => {
          const box = await driver.create({ timeoutMs: 60_000 });
          if (box.isErr()) return { id: "", output: `create: ${box.error.kind}: ${box.error.message}` };
          const run = await driver.exec(box.value.id, {
            command: `cat /etc/hostname; test -e ${marker} && echo ON-HOST; true`,
            timeoutMs: 30_000,
          });
          const deleted = await driver.delete(box.value.id, { timeoutMs: 30_000 });
          if (deleted.isErr()) return { id: "", output: `delete: ${deleted.error.message}` };
          return {
            id: box.value.id,
            output: run.isOk() ? run.value.output : `exec: ${run.error.kind}: ${run.error.message}`,
          };
        }),
      ),
    );
    for (const child of busy) child.kill("SIGKILL");
    const onHost = outcomes.filter((o) => o.output.includes("ON-HOST"));
    const wrongName = outcomes.filter((o) => o.output.trim() !== o.id);
    expect(onHost).toEqual([]);
    expect(wrongName).toEqual([]);
    expect(outcomes).toHaveLength(TRIES);
  }, 1_800_000);
});
