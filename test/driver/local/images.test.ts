import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureLocalImage, LOCAL_IMAGES } from "../../../src/driver/local/index.js";
import { cleanup, IMAGE_BUILD_MS, skipReason, testDriver } from "./helpers.js";

describe.skipIf(skipReason !== undefined)("local driver images (real sandboxes)", () => {
  const { driver, labels } = testDriver("images");

  beforeAll(async () => {
    const prepared = await driver.prepare(["python:3.12-slim-bookworm", "node:20-slim"]);
    if (prepared.isErr()) throw new Error(prepared.error.message);
  }, IMAGE_BUILD_MS);
  afterAll(() => cleanup(driver, labels), 60_000);

  it("knows the slim images Apex uses", () => {
    expect(LOCAL_IMAGES).toEqual(["python:3.12-slim-bookworm", "debian:bookworm-slim", "node:20-slim"]);
  });

  it("finds a built image again without rebuilding it", async () => {
    const events: string[] = [];
    const image = await ensureLocalImage("python:3.12-slim-bookworm", {
      onProgress: (e) => events.push(e.stage),
    });
    expect(image._unsafeUnwrap()).toMatchObject({ name: "python:3.12-slim-bookworm", built: false });
    expect(events).toEqual([]);
  });

  it("runs Node 20 with npm in node:20-slim", async () => {
    const box = (await driver.create({ image: "node:20-slim", labels, timeoutMs: 30_000 }))._unsafeUnwrap();
    const run = await driver.exec(box.id, {
      command: "node --version && npm --version && node -e 'console.log(require(\"os\").hostname())'",
      timeoutMs: 30_000,
    });
    const [node, npm, host] = run._unsafeUnwrap().output.split("\n");
    expect(node).toMatch(/^v20\./);
    expect(npm).toMatch(/^\d+\.\d+\.\d+$/);
    expect(host).toBe(box.id);
  });

  it("runs apt-get update inside against the host's mirror", async () => {
    const box = (
      await driver.create({ image: "debian:bookworm-slim", labels, timeoutMs: 30_000 })
    )._unsafeUnwrap();
    const sources = await driver.exec(box.id, {
      command: "cat /etc/apt/sources.list.d/*.sources",
      timeoutMs: 5_000,
    });
    expect(sources._unsafeUnwrap().output).toContain("Suites: bookworm bookworm-updates");
    const update = await driver.exec(box.id, {
      command: "apt-get update -qq && echo updated",
      timeoutMs: 120_000,
    });
    expect(update._unsafeUnwrap()).toMatchObject({ exitCode: 0 });
    expect(update._unsafeUnwrap().output).toContain("updated");
  }, 150_000);
});
