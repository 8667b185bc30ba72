/**
 * The local driver's name claims (src/driver/local/names.ts), without sandboxes: plain files under a temp home, so
 * these run on any Linux host (no root). Real processes race and get SIGKILLed; nothing here measures time.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { claimName, releaseName, sandboxIdByName } from "../../../src/driver/local/names.js";
import { startLineChild } from "../../support/child-lines.js";

const FIXTURE = join(import.meta.dirname, "fixtures/claim-name.ts");
const homes: string[] = [];
afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

function newHome(): string {
  const home = mkdtempSync(join(tmpdir(), "dk-names-"));
  homes.push(home);
  return home;
}

/** Writes a sandbox record as the driver would (only the fields the claims read). */
function writeRecord(home: string, id: string, fields: Record<string, unknown>): void {
  mkdirSync(join(home, "sandboxes", id), { recursive: true });
  writeFileSync(join(home, "sandboxes", id, "meta.json"), JSON.stringify({ version: 1, id, ...fields }));
}

const startClaimer = (args: string[]) => startLineChild(FIXTURE, args);

describe.skipIf(process.platform !== "linux")("local name claims", () => {
  it("one claim per name: a second claimer gets Daytona's Conflict; a release frees the name", async () => {
    const home = newHome();
    expect((await claimName(home, "apex-a", "lsb-000000000001")).isOk()).toBe(true);
    const second = (await claimName(home, "apex-a", "lsb-000000000002"))._unsafeUnwrapErr();
    expect(second.kind).toBe("Conflict");
    expect(second.message).toBe("Sandbox with name apex-a already exists");
    // Another name is independent.
    expect((await claimName(home, "apex-b", "lsb-000000000003")).isOk()).toBe(true);
    await releaseName(home, "apex-a", "lsb-000000000001");
    expect((await claimName(home, "apex-a", "lsb-000000000002")).isOk()).toBe(true);
    // Old slots are pruned: only the current claim (and nothing else) stays.
    expect(readdirSync(join(home, "names", "apex-a"))).toEqual(["1"]);
  });

  it("a claim with a sandbox record holds the name (and resolves it); an interrupted create's does not", async () => {
    const home = newHome();
    const id = "lsb-00000000000a";
    expect((await claimName(home, "apex-rec", id)).isOk()).toBe(true);
    expect(await sandboxIdByName(home, "apex-rec")).toBeUndefined(); // claimed, no record yet
    writeRecord(home, id, { name: "apex-rec", state: "started" });
    expect(await sandboxIdByName(home, "apex-rec")).toBe(id);
    expect((await claimName(home, "apex-rec", "lsb-00000000000b")).isErr()).toBe(true);
    // A create whose process died before it finished: garbage for gc(), it holds no name.
    writeRecord(home, id, {
      name: "apex-rec",
      state: "creating",
      owner: { pid: 999_999_999, startTime: "1" },
    });
    expect(await sandboxIdByName(home, "apex-rec")).toBeUndefined();
    expect((await claimName(home, "apex-rec", "lsb-00000000000b")).isOk()).toBe(true);
  });

  it("a claimer SIGKILLed mid-claim (claim made, no record) blocks the name only while it lives", async () => {
    const home = newHome();
    const holder = startClaimer(["hold", home, "apex-killed", "lsb-0000000000c1"]);
    try {
      expect(await holder.line()).toBe("ready");
      expect(await holder.line()).toBe("claimed");
      expect((await claimName(home, "apex-killed", "lsb-0000000000c2"))._unsafeUnwrapErr().kind).toBe(
        "Conflict",
      );
    } finally {
      holder.child.kill("SIGKILL");
      await holder.exited;
    }
    expect((await claimName(home, "apex-killed", "lsb-0000000000c2")).isOk()).toBe(true);
    expect((await claimName(home, "apex-killed", "lsb-0000000000c3")).isErr()).toBe(true);
  }, 60_000);

  it("two processes claiming one name at the same moment, 20 rounds: exactly one winner each round", async () => {
    const home = newHome();
    const rounds = 20;
    const claimers = ["1", "2"].map((tag) => startClaimer(["rounds", home, String(rounds), tag]));
    const results: string[][] = [];
    try {
      for (const claimer of claimers) expect(await claimer.line()).toBe("ready");
      for (let round = 0; round < rounds; round += 1) {
        writeFileSync(join(home, `go-${round}`), "");
        results.push((await Promise.all(claimers.map((c) => c.line()))).sort());
      }
    } finally {
      writeFileSync(join(home, "done"), "");
      await Promise.all(claimers.map((c) => c.exited));
    }
    expect(results).toEqual(
      Array.from({ length: rounds }, (_, round) => [`${round} claimed`, `${round} conflict`]),
    );
  }, 120_000);
});
