/**
 * Exactly one sandbox per project across processes on the local driver: two Node processes ensure the same new
 * project at the same moment (a barrier file releases both), 20 rounds; and a claimer SIGKILLed mid-claim does not
 * block the next ensure. Real sandboxes, in a private kit home (images linked from the shared cache); every
 * sandbox made here is deleted here.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalDriver } from "../../../src/driver/local/index.js";
import { createKit } from "../../../src/kit.js";
import { startLineChild } from "../../support/child-lines.js";
import { IMAGE_BUILD_MS, shareImagesInto, skipReason } from "./helpers.js";

const ROUNDS = 20;
const ENSURE_FIXTURE = join(import.meta.dirname, "fixtures/ensure-rounds.ts");
const CLAIM_FIXTURE = join(import.meta.dirname, "fixtures/claim-name.ts");

describe.skipIf(skipReason !== undefined)("ensure across processes (local driver)", () => {
  const home = mkdtempSync(join(tmpdir(), "dk-names-home-"));
  const driver = createLocalDriver({ home });
  const label = (projectId: string) => ({ "apex.project": projectId });

  beforeAll(async () => {
    expect(await shareImagesInto(home)).toBe(true);
  }, IMAGE_BUILD_MS);
  afterAll(async () => {
    await driver.deleteAll({ timeoutMs: 120_000 });
    await driver.dispose();
    rmSync(home, { recursive: true, force: true });
  }, 180_000);

  it(`two processes, ${ROUNDS} rounds of simultaneous ensure of a new project: one sandbox each round`, async () => {
    const children = [startLineChild(ENSURE_FIXTURE, [home, String(ROUNDS), "twin"])];
    children.push(startLineChild(ENSURE_FIXTURE, [home, String(ROUNDS), "twin"]));
    const perRoundMs: number[] = [];
    let duplicates = 0;
    try {
      for (const child of children) expect(await child.line()).toBe("ready");
      for (let round = 0; round < ROUNDS; round += 1) {
        const projectId = `twin-${round}`;
        const started = Date.now();
        writeFileSync(join(home, `go-${round}`), "");
        const lines = await Promise.all(children.map((c) => c.line()));
        perRoundMs.push(Date.now() - started);
        const ids = lines.map((line) => line.split(" ").slice(1).join(" "));
        expect(ids[0]).toMatch(/^lsb-[0-9a-f]{12}$/);
        expect(ids[1]).toBe(ids[0]);
        const boxes = (await driver.list({ labels: label(projectId) }))._unsafeUnwrap();
        duplicates += Math.max(0, boxes.length - 1);
        expect(boxes.map((b) => b.id)).toEqual([ids[0]]);
        expect(boxes[0]?.name).toBe(`apex-${projectId}`);
        expect((await driver.delete(ids[0] as string, { timeoutMs: 60_000 })).isOk()).toBe(true);
      }
    } finally {
      writeFileSync(join(home, "done"), "");
      await Promise.all(children.map((c) => c.exited));
    }
    const sorted = [...perRoundMs].sort((a, b) => a - b);
    console.log(
      `[names] local, 2 processes, ${ROUNDS} rounds: ${duplicates} duplicates; ms per round median ` +
        `${sorted[Math.floor(sorted.length / 2)]}, max ${sorted.at(-1)}`,
    );
  }, 240_000);

  it("a claimer SIGKILLed mid-claim does not block the next ensure for that project", async () => {
    const holder = startLineChild(CLAIM_FIXTURE, ["hold", home, "apex-orphan", "lsb-0000000000d1"]);
    try {
      expect(await holder.line()).toBe("ready");
      expect(await holder.line()).toBe("claimed");
    } finally {
      holder.child.kill("SIGKILL");
      await holder.exited;
    }
    await using kit = createKit({
      driver: "local",
      localHome: home,
      env: {},
      timeouts: { ensureMs: 120_000 },
    });
    const sandbox = (await kit.ensure({ projectId: "orphan" }))._unsafeUnwrap();
    expect(sandbox.state).toBe("started");
    const boxes = (await driver.list({ labels: label("orphan") }))._unsafeUnwrap();
    expect(boxes.map((b) => [b.id, b.name])).toEqual([[sandbox.id, "apex-orphan"]]);
    expect((await sandbox.delete()).isOk()).toBe(true);
  }, 180_000);
});
