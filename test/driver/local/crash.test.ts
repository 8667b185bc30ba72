/**
 * Crash consistency: a process SIGKILLed at random points while it creates a sandbox leaves nothing that list(),
 * gc() and deleteAll() cannot find. Everything is counted for this test's private home only (other test files share
 * the machine, its cgroup tree and the image cache).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { readdir, readFile, readlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { homeTag } from "../../../src/driver/local/cgroup.js";
import { createLocalDriver } from "../../../src/driver/local/index.js";
import { IMAGE_BUILD_MS, shareImagesInto, skipReason } from "./helpers.js";

const KILLS = 22;
const ROOT = join(import.meta.dirname, "../../..");
const FIXTURE = join(import.meta.dirname, "fixtures/create-in-home.ts");

/** Runs the fixture; SIGKILLs it `afterMs` after it says "go" (never, when undefined). Resolves to its output. */
function runCreate(home: string, afterMs?: number): Promise<{ output: string; goAt: number; endAt: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", FIXTURE, home], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    let goAt = 0;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      if (goAt === 0 && output.includes("go\n")) {
        goAt = Date.now();
        if (afterMs !== undefined) setTimeout(() => child.kill("SIGKILL"), afterMs);
      }
    });
    child.on("exit", () => resolve({ output, goAt, endAt: Date.now() }));
  });
}

/** Host processes whose root or command line lies under `home`. */
async function processesUnder(home: string): Promise<number[]> {
  const found: number[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const root = await readlink(`/proc/${name}/root`).catch(() => "");
    const cmdline = await readFile(`/proc/${name}/cmdline`, "utf8").catch(() => "");
    if (root.startsWith(home) || (cmdline.includes(home) && !cmdline.includes(FIXTURE))) {
      found.push(Number(name));
    }
  }
  return found;
}

/** The home's sandbox cgroups, in every hierarchy. */
function cgroupsOf(home: string): string[] {
  const tag = homeTag(home);
  return ["memory", "pids", "cpu"].flatMap((controller) => {
    const dir = `/sys/fs/cgroup/${controller}/daytona-kit/${tag}`;
    try {
      return readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => join(dir, e.name));
    } catch {
      return [];
    }
  });
}

const mountsUnder = (home: string) =>
  readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .filter((line) => line.includes(home));

describe.skipIf(skipReason !== undefined)("SIGKILL while creating a sandbox", () => {
  const home = mkdtempSync(join(tmpdir(), "dk-home-"));
  const driver = createLocalDriver({ home });

  beforeAll(async () => {
    expect(await shareImagesInto(home)).toBe(true);
  }, IMAGE_BUILD_MS);
  afterAll(async () => {
    await driver.deleteAll({ timeoutMs: 120_000 });
    rmSync(home, { recursive: true, force: true });
  }, 180_000);

  it(`${KILLS} kills at random points: list() shows every sandbox, gc() and deleteAll() leave nothing`, async () => {
    // One undisturbed run tells how long a create takes here, so the kills land all over it.
    const whole = await runCreate(home);
    expect(whole.output).toMatch(/created lsb-/);
    let span = Math.max(50, whole.endAt - whole.goAt);
    const outcomes: string[] = [];
    let interrupted = 0;
    let recordless = 0;
    for (let i = 0; i < KILLS; i++) {
      const run = await runCreate(home, Math.floor(Math.random() * span * 1.2));
      const finished = run.output.includes("created");
      outcomes.push(finished ? "finished" : "killed");
      // A create that beat its kill shows creates run faster now than in the measuring run (which may have met a
      // load spike from other test files): later kills aim within this run's span, so most still land mid-create.
      if (finished) span = Math.max(50, Math.min(span, run.endAt - run.goAt));
      // After every kill: each sandbox folder with a record is listed (the next create's gc may already have
      // removed some). A kill inside a delete (the automatic gc before a create deletes interrupted sandboxes)
      // can leave a folder whose record already went: by design it is not a sandbox any more, and gc() removes it.
      const folders = readdirSync(join(home, "sandboxes"))
        .filter((n) => /^lsb-/.test(n))
        .sort();
      const recorded = folders.filter((n) => existsSync(join(home, "sandboxes", n, "meta.json")));
      recordless += folders.length - recorded.length;
      const listed = (await driver.list())._unsafeUnwrap();
      const seen = `round ${i}: ${JSON.stringify(listed)}; folders ${JSON.stringify(folders)}; output ${JSON.stringify(run.output)}`;
      expect(listed.map((box) => box.id).sort(), seen).toEqual(recorded);
      for (const box of listed) expect(["started", "error"], seen).toContain(box.state);
      for (const box of listed.filter((b) => b.state === "error")) {
        expect(box.errorReason).toMatch(/interrupted/);
      }
      interrupted += listed.filter((b) => b.state === "error").length > 0 ? 1 : 0;
    }
    expect(outcomes.filter((o) => o === "killed").length, outcomes.join(" ")).toBeGreaterThanOrEqual(
      KILLS / 2,
    );
    console.info(
      `[crash] ${outcomes.filter((o) => o === "killed").length} of ${KILLS} runs killed; after ${interrupted} of them an interrupted sandbox was listed; ${recordless} record-less folders seen`,
    );

    const listed = (await driver.list())._unsafeUnwrap();
    const collected = (await driver.gc())._unsafeUnwrap();
    expect(collected.sandboxes.length, JSON.stringify({ collected, listed })).toBe(
      listed.filter((b) => b.state === "error").length,
    );
    const afterGc = (await driver.list())._unsafeUnwrap();
    expect(afterGc.filter((b) => b.state !== "started")).toEqual([]);
    // gc() left only listed sandboxes: no record-less folder.
    expect(
      readdirSync(join(home, "sandboxes"))
        .filter((n) => /^lsb-/.test(n))
        .sort(),
    ).toEqual(afterGc.map((b) => b.id).sort());

    (await driver.deleteAll({ timeoutMs: 120_000 }))._unsafeUnwrap();
    expect(mountsUnder(home)).toEqual([]);
    expect(cgroupsOf(home)).toEqual([]);
    expect(await processesUnder(home)).toEqual([]);
    expect(readdirSync(join(home, "sandboxes"))).toEqual([]);
  }, 600_000);
});
