/**
 * Prebaking across processes: two processes racing on one plan build it once; a process SIGKILLed at any moment of
 * a build leaves no layer that is listed or used, and the next prebake (with gc) builds a good one and removes what
 * the dead builder left (sandbox, mounts, partial layer). A private home, so every count is this file's own.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalDriver } from "../../../src/driver/local/index.js";
import { IMAGE_BUILD_MS, shareImagesInto, skipReason } from "./helpers.js";

const ROUNDS = 5;

describe.skipIf(skipReason !== undefined)("prebake across processes", () => {
  const home = mkdtempSync(join(tmpdir(), "dk-prebake-crash-"));
  const driver = createLocalDriver({ home, onImageProgress: () => undefined });
  const fixture = join(import.meta.dirname, "fixtures/prebake-child.ts");
  const child = (name: string, marker: string): ChildProcess =>
    spawn(process.execPath, ["--import", "tsx", fixture, home, name, marker], {
      cwd: join(import.meta.dirname, "../../.."),
      stdio: ["ignore", "pipe", "inherit"],
      // Its own process group, killed whole: the host tools it runs (mkfs, mount) die with it, as in a real crash
      // of a process tree (a lone mount finishing after the kill would race the cleanup under test).
      detached: true,
    });
  const lines = (caller: ChildProcess): Promise<string[]> =>
    new Promise((done) => {
      let text = "";
      caller.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
        text += chunk;
      });
      caller.once("exit", () => done(text.split("\n").filter((line) => line !== "")));
    });
  const ready = (caller: ChildProcess) =>
    new Promise<void>((done) => caller.stdout!.once("data", () => done()));
  const exited = (caller: ChildProcess) =>
    new Promise((done) =>
      caller.exitCode !== null || caller.signalCode !== null ? done(undefined) : caller.once("exit", done),
    );
  const marker = async (image: string): Promise<string> => {
    const box = (await driver.create({ image, timeoutMs: 60_000 }))._unsafeUnwrap();
    const read = await driver.exec(box.id, {
      command: "cat /opt/baked/marker; test -e /etc/issue.net; echo $?",
      timeoutMs: 30_000,
    });
    (await driver.delete(box.id, { timeoutMs: 60_000 }))._unsafeUnwrap();
    return read._unsafeUnwrap().output;
  };

  beforeAll(async () => {
    expect(await shareImagesInto(home)).toBe(true);
  }, IMAGE_BUILD_MS);
  afterAll(async () => {
    await driver.deleteAll();
    rmSync(home, { recursive: true, force: true });
  }, 120_000);

  it("builds once when two processes race on the same plan", async () => {
    const callers = [child("race-layer", "raced"), child("race-layer", "raced")];
    const outputs = await Promise.all(callers.map(lines));
    const results = outputs.map((out) => JSON.parse(out.at(-1)!) as { built?: boolean; error?: string });
    expect(results.map((r) => r.built).sort()).toEqual([false, true]);
    expect((await driver.listPrebaked!("race-layer"))._unsafeUnwrap().map((e) => e.name)).toEqual([
      "race-layer",
    ]);
    expect(await marker("race-layer")).toBe("raced\n1\n");
  }, 600_000);

  it(`${ROUNDS} builds SIGKILLed at random moments leave nothing used; the next prebake builds a good layer`, async () => {
    let finishedBeforeKill = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const name = `crash-layer-${round}`;
      const caller = child(name, `dead-${round}`);
      const output = lines(caller);
      await ready(caller);
      // Anywhere from the lock to the publishing rename (a build takes a few seconds here).
      await sleep(Math.random() * 3_000);
      try {
        process.kill(-caller.pid!, "SIGKILL");
      } catch {
        // It finished before the kill: a round where the layer is found.
      }
      await exited(caller);
      if ((await output).some((line) => line.startsWith("{"))) finishedBeforeKill++;

      // Whatever the kill left, nothing half-built is listed or used as a layer.
      for (const entry of (await driver.listPrebaked!(name))._unsafeUnwrap()) {
        expect(readdirSync(join(home, "prebaked", entry.name)).sort()).toEqual([
          "layer.img",
          "prebaked.json",
        ]);
      }
      const again = await driver.prebake!(
        {
          name,
          baseImage: "python:3.12-slim-bookworm",
          commands: [
            `mkdir -p /opt/baked && echo alive-${round} > /opt/baked/marker`,
            "rm -f /etc/issue.net",
          ],
          labels: {},
        },
        { timeoutMs: 300_000 },
      );
      const built = again._unsafeUnwrap().built;
      // Either the killed build had published its layer (found), or this call built one.
      expect(await marker(name)).toBe(built ? `alive-${round}\n1\n` : `dead-${round}\n1\n`);
    }
    console.log(`[prebake-crash] ${ROUNDS} kills, ${finishedBeforeKill} builds had finished before the kill`);

    const collected = (await driver.gc())._unsafeUnwrap();
    expect(collected.partialLayers).toBe(0);
    // Only the layers are left: no builder sandbox, no partial layer, nothing mounted under the home.
    expect((await driver.list())._unsafeUnwrap()).toEqual([]);
    expect(readdirSync(join(home, "prebaked")).filter((n) => n.startsWith(".") && n !== ".locks")).toEqual(
      [],
    );
    expect(readFileSync("/proc/mounts", "utf8")).not.toContain(home);
    expect((await driver.listPrebaked!("crash-layer-"))._unsafeUnwrap()).toHaveLength(ROUNDS);
  }, 900_000);
});
