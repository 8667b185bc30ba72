import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalDriver } from "../../../src/driver/local/index.js";
import { IMAGE_BUILD_MS, shareImagesInto, skipReason } from "./helpers.js";

describe.skipIf(skipReason !== undefined)("deleteAll on a home of its own", () => {
  // A private home that shares the cached images, so deleteAll cannot touch other test files' sandboxes.
  const home = mkdtempSync(join(tmpdir(), "dk-home-"));
  const driver = createLocalDriver({ home });

  beforeAll(async () => {
    expect(await shareImagesInto(home)).toBe(true);
  }, IMAGE_BUILD_MS);
  afterAll(async () => {
    await driver.deleteAll();
    rmSync(home, { recursive: true, force: true });
  });

  it("stops, unmounts and removes every sandbox under the home", async () => {
    const a = (await driver.create({ timeoutMs: 30_000 }))._unsafeUnwrap();
    const b = (await driver.create({ timeoutMs: 30_000 }))._unsafeUnwrap();
    await driver.stop(b.id, { timeoutMs: 20_000 });
    expect(
      (await driver.list())
        ._unsafeUnwrap()
        .map((box) => box.id)
        .sort(),
    ).toEqual([a.id, b.id].sort());
    const deleted = await driver.deleteAll();
    expect(deleted._unsafeUnwrap()).toBe(2);
    expect((await driver.list())._unsafeUnwrap()).toEqual([]);
    expect(readdirSync(join(home, "sandboxes"))).toEqual([]);
    expect(readFileSync("/proc/mounts", "utf8")).not.toContain(home);
    expect(existsSync(join(home, "images"))).toBe(true);
  });
});
