/**
 * Prebaked layers on the local driver: a plan's commands run once in a builder, its writable layer becomes a
 * read-only layer that new sandboxes stack on the base image; found again instead of rebuilt; failures, deadlines,
 * aborts and hostile names leave nothing behind. A private home (sharing the cached base images) so the counts are
 * this file's own.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalDriver, type ImageProgress, localCacheReport } from "../../../src/driver/local/index.js";
import { BUILDER_LABEL } from "../../../src/driver/local/prebake.js";
import type { PrebakePlan } from "../../../src/driver/prebake-types.js";
import { IMAGE_BUILD_MS, shareImagesInto, skipReason } from "./helpers.js";

const BASE = "python:3.12-slim-bookworm";
const WAIT = { timeoutMs: 60_000 };

describe.skipIf(skipReason !== undefined)("prebake on the local driver", () => {
  const home = mkdtempSync(join(tmpdir(), "dk-prebake-"));
  const progress: ImageProgress[] = [];
  const driver = createLocalDriver({ home, onImageProgress: (event) => progress.push(event) });
  const plan = (name: string, commands: string[]): PrebakePlan => ({
    name,
    baseImage: BASE,
    commands,
    labels: {},
  });
  const run = async (id: string, command: string) =>
    (await driver.exec(id, { command, timeoutMs: 30_000 }))._unsafeUnwrap();
  /** Nothing of a build is left: no builder sandbox, no partial layer, no mount of a builder. */
  const noBuildLeftovers = async () => {
    const boxes = (await driver.list())._unsafeUnwrap();
    expect(boxes.filter((box) => box.labels[BUILDER_LABEL] !== undefined)).toEqual([]);
    expect(readdirSync(join(home, "prebaked")).filter((name) => name.startsWith(".partial"))).toEqual([]);
  };

  beforeAll(async () => {
    expect(await shareImagesInto(home)).toBe(true);
  }, IMAGE_BUILD_MS);
  afterAll(async () => {
    await driver.deleteAll();
    rmSync(home, { recursive: true, force: true });
  }, 120_000);

  it("builds a layer that new sandboxes start from, leaves the base image as it was, and builds it only once", async () => {
    const layerPlan = plan("test-layer-a", [
      "mkdir -p /opt/baked && echo baked-in > /opt/baked/file.txt && echo wrote-it",
      // A deletion in the layer (an overlayfs whiteout) must hide the base image's file in sandboxes of the layer.
      "rm /etc/issue.net",
    ]);
    const log: string[] = [];
    const first = await driver.prebake!(layerPlan, { timeoutMs: 300_000, onLog: (line) => log.push(line) });
    expect(first._unsafeUnwrap()).toEqual({
      name: "test-layer-a",
      built: true,
      createFrom: { image: "test-layer-a" },
    });
    expect(log).toContain("wrote-it");
    expect(log.filter((line) => line.startsWith("$ "))).toHaveLength(2);
    expect(progress.filter((e) => e.image === "test-layer-a").map((e) => e.stage)).toContain("done");
    await noBuildLeftovers();

    const [entry] = (await driver.listPrebaked!("test-layer-"))._unsafeUnwrap();
    expect(entry).toMatchObject({ name: "test-layer-a", state: "active" });
    expect(entry!.sizeBytes).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(entry!.createdAt!))).toBe(false);
    const image = join(home, "prebaked/test-layer-a/layer.img");
    const inode = statSync(image).ino;

    // Second prebake: found, not built: no step ran, nothing was logged, the layer is the same file.
    const again: string[] = [];
    progress.length = 0;
    const second = await driver.prebake!(layerPlan, {
      timeoutMs: 300_000,
      onLog: (line) => again.push(line),
    });
    expect(second._unsafeUnwrap().built).toBe(false);
    expect(again).toEqual([]);
    expect(progress.filter((e) => e.stage === "step")).toEqual([]);
    expect(statSync(image).ino).toBe(inode);

    const baked = (await driver.create({ image: "test-layer-a", timeoutMs: 60_000 }))._unsafeUnwrap();
    expect((await run(baked.id, "cat /opt/baked/file.txt")).output).toBe("baked-in\n");
    expect((await run(baked.id, "test -e /etc/issue.net; echo $?")).output).toBe("1\n");
    // Its own writes go to its own layer, not into the shared one.
    await run(baked.id, "echo mine > /opt/baked/file.txt");
    const sibling = (await driver.create({ image: "test-layer-a", timeoutMs: 60_000 }))._unsafeUnwrap();
    expect((await run(sibling.id, "cat /opt/baked/file.txt")).output).toBe("baked-in\n");

    const plain = (await driver.create({ image: BASE, timeoutMs: 60_000 }))._unsafeUnwrap();
    expect((await run(plain.id, "test -e /opt/baked; echo $?; test -e /etc/issue.net; echo $?")).output).toBe(
      "1\n0\n",
    );

    // Restarted, a sandbox of the layer still stacks it.
    (await driver.stop(baked.id, WAIT))._unsafeUnwrap();
    (await driver.start(baked.id, WAIT))._unsafeUnwrap();
    expect((await run(baked.id, "cat /opt/baked/file.txt")).output).toBe("mine\n");

    const report = (await localCacheReport({ home }))._unsafeUnwrap();
    const layer = report.prebaked.find((l) => l.name === "test-layer-a");
    expect(layer).toMatchObject({ baseImage: BASE, sandboxes: 2 });
    expect(layer!.ageMs).toBeGreaterThanOrEqual(0);
    expect(report.images.map((i) => i.key)).toContain("bookworm-python3");
    expect(report.totalBytes).toBeGreaterThan(layer!.sizeBytes);

    for (const box of [baked, sibling, plain]) (await driver.delete(box.id, WAIT))._unsafeUnwrap();
    expect(readFileSync("/proc/mounts", "utf8")).not.toContain(join(home, "sandboxes"));
  }, 600_000);

  it("keeps no space for files the build deleted (the layer's image is trimmed)", async () => {
    const written = "head -c 100000000 /dev/urandom > /tmp/big && sync && rm /tmp/big && echo small > /small";
    (await driver.prebake!(plan("test-layer-trim", [written]), { timeoutMs: 300_000 }))._unsafeUnwrap();
    const [entry] = (await driver.listPrebaked!("test-layer-trim"))._unsafeUnwrap();
    // Without the trim the image holds the 100 MB the build wrote; with it, a few MB of metadata and `/small`.
    expect(entry!.sizeBytes).toBeLessThan(40_000_000);
    (await driver.deletePrebaked!("test-layer-trim"))._unsafeUnwrap();
  }, 600_000);

  it("deletes a layer without breaking the sandboxes made from it; a second delete is NotFound", async () => {
    (
      await driver.prebake!(plan("test-layer-del", ["echo kept > /kept"]), { timeoutMs: 300_000 })
    )._unsafeUnwrap();
    const box = (await driver.create({ image: "test-layer-del", timeoutMs: 60_000 }))._unsafeUnwrap();
    (await driver.deletePrebaked!("test-layer-del"))._unsafeUnwrap();
    expect((await driver.listPrebaked!("test-layer-del"))._unsafeUnwrap()).toEqual([]);
    expect(existsSync(join(home, "prebaked/test-layer-del"))).toBe(false);
    expect((await driver.deletePrebaked!("test-layer-del"))._unsafeUnwrapErr().kind).toBe("NotFound");
    expect(
      (await driver.create({ image: "test-layer-del", timeoutMs: 60_000 }))._unsafeUnwrapErr().kind,
    ).toBe("Unsupported");

    // The sandbox holds its own link to the layer: it runs, stops and starts again with the layer's files.
    expect((await run(box.id, "cat /kept")).output).toBe("kept\n");
    (await driver.stop(box.id, WAIT))._unsafeUnwrap();
    (await driver.start(box.id, WAIT))._unsafeUnwrap();
    expect((await run(box.id, "cat /kept")).output).toBe("kept\n");
    (await driver.delete(box.id, WAIT))._unsafeUnwrap();
  }, 600_000);

  it("reports a failing command as SandboxFailed ending with its output, and keeps no layer", async () => {
    const failed = await driver.prebake!(
      plan("test-layer-fail", ["echo fine", "echo the-reason-it-broke; exit 3", "echo never"]),
      { timeoutMs: 300_000 },
    );
    const error = failed._unsafeUnwrapErr();
    expect(error.kind).toBe("SandboxFailed");
    expect(error.message).toContain("step 2/3 exited with 3");
    expect(error.message.trimEnd().endsWith("the-reason-it-broke")).toBe(true);
    expect((await driver.listPrebaked!("test-layer-fail"))._unsafeUnwrap()).toEqual([]);
    await noBuildLeftovers();
    // A multi-line command stops at its first failing line, as a Dockerfile's RUN of a script does.
    const multi = await driver.prebake!(plan("test-layer-multi", ["false\necho not-reached > /x"]), {
      timeoutMs: 300_000,
    });
    expect(multi._unsafeUnwrapErr().kind).toBe("SandboxFailed");
  }, 600_000);

  it("answers Timeout past the deadline and Aborted on the signal, removing the builder", async () => {
    const slow = plan("test-layer-slow", ["echo started-marker; sleep 600"]);
    const timedOut = await driver.prebake!(slow, { timeoutMs: 3_000 });
    expect(timedOut._unsafeUnwrapErr().kind).toBe("Timeout");
    await noBuildLeftovers();

    const controller = new AbortController();
    const aborted = await driver.prebake!(slow, {
      timeoutMs: 600_000,
      signal: controller.signal,
      onLog: (line) => {
        if (line === "started-marker") controller.abort();
      },
    });
    expect(aborted._unsafeUnwrapErr().kind).toBe("Aborted");
    await noBuildLeftovers();
    expect((await driver.listPrebaked!("test-layer-slow"))._unsafeUnwrap()).toEqual([]);
    const before = controller.signal;
    expect((await driver.prebake!(slow, { timeoutMs: 60_000, signal: before }))._unsafeUnwrapErr().kind).toBe(
      "Aborted",
    );
  }, 600_000);

  it("refuses hostile names before touching the disk", async () => {
    const hostile: unknown[] = [
      "../escape",
      "a/b",
      "",
      ".hidden",
      "a..b",
      "name:tag",
      "with space",
      "x".repeat(300),
      "a,b",
      null,
      42,
      undefined,
      { toString: () => "x" },
    ];
    const before = readdirSync(home).sort();
    for (const name of hostile) {
      const built = await driver.prebake!({ ...plan("x", ["true"]), name } as PrebakePlan, {
        timeoutMs: 10_000,
      });
      expect(built._unsafeUnwrapErr().kind, String(name)).toBe("InvalidArgument");
      const deleted = await driver.deletePrebaked!(name as string);
      expect(deleted._unsafeUnwrapErr().kind, String(name)).toBe("InvalidArgument");
    }
    for (const bad of [null, undefined, "x", { commands: "true" }]) {
      const built = await driver.prebake!(bad as unknown as PrebakePlan, { timeoutMs: 10_000 });
      expect(built._unsafeUnwrapErr().kind).toBe("InvalidArgument");
    }
    for (const options of [
      null,
      {},
      { timeoutMs: -1 },
      { timeoutMs: Number.NaN },
      { timeoutMs: 1, onLog: 3 },
    ]) {
      const built = await driver.prebake!(plan("test-ok-name", ["true"]), options as never);
      expect(built._unsafeUnwrapErr().kind).toBe("InvalidArgument");
    }
    expect((await driver.listPrebaked!(42 as never))._unsafeUnwrapErr().kind).toBe("InvalidArgument");
    expect(
      (
        await driver.prebake!(
          { ...plan("test-unknown-base", ["true"]), baseImage: "alpine:3" },
          { timeoutMs: 10_000 },
        )
      )._unsafeUnwrapErr().kind,
    ).toBe("Unsupported");
    expect(readdirSync(home).sort()).toEqual(before);
    expect(existsSync(join(tmpdir(), "escape"))).toBe(false);
  });

  it("builds once for concurrent callers in one process", async () => {
    const same = plan("test-layer-twice", ["echo once >> /opt/count"]);
    const results = await Promise.all([0, 1, 2].map(() => driver.prebake!(same, { timeoutMs: 300_000 })));
    expect(results.map((r) => r._unsafeUnwrap().built).sort()).toEqual([false, false, true]);
    const box = (await driver.create({ image: "test-layer-twice", timeoutMs: 60_000 }))._unsafeUnwrap();
    expect((await run(box.id, "cat /opt/count")).output).toBe("once\n");
    (await driver.delete(box.id, WAIT))._unsafeUnwrap();
  }, 600_000);
});
