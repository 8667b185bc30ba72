/**
 * Round trips of the fs facade on the Daytona driver, counted by the emulator (real SDK through msw), with 20 ms of
 * latency per request so concurrent batches really overlap.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KitSandbox } from "../../src/sandbox/handle.js";
import { type EmulatedDaytona, startEmulatedDaytona } from "../support/emulated-daytona.js";
import { emulatedKit } from "../support/emulated-kit.js";

let env: EmulatedDaytona;
let sandbox: KitSandbox;
beforeAll(async () => {
  env = startEmulatedDaytona({ latencyMs: 20 });
  sandbox = (await emulatedKit(env).kit.ensure({ projectId: "fs-counts" }))._unsafeUnwrap();
});
afterAll(() => env.close());

/** The requests `run` makes, by route. */
async function requestsOf(run: () => unknown): Promise<Record<string, number>> {
  const before = env.emulator.requests.length;
  await run();
  return env.emulator.requests.slice(before).reduce<Record<string, number>>((counts, entry) => {
    counts[entry.route] = (counts[entry.route] ?? 0) + 1;
    return counts;
  }, {});
}

describe("fs facade round trips on Daytona", () => {
  it("writeText is one request", async () => {
    expect(await requestsOf(() => sandbox.fs.writeText("a.txt", "hello"))).toEqual({
      "POST /toolbox/files/bulk-upload": 1,
    });
  });

  it("readText is one request", async () => {
    expect(await requestsOf(() => sandbox.fs.readText("a.txt"))).toEqual({
      "POST /toolbox/files/bulk-download": 1,
    });
  });

  it("writeFiles of 250 small files is 5 requests, never more than 4 in flight", async () => {
    const entries = Array.from({ length: 250 }, (_, i) => ({ path: `many/f${i}.txt`, text: `file ${i}\n` }));
    let report: unknown;
    const counts = await requestsOf(async () => {
      report = (await sandbox.fs.writeFiles(entries))._unsafeUnwrap();
    });
    expect(counts).toEqual({ "POST /toolbox/files/bulk-upload": 5 });
    expect(report).toMatchObject({ complete: true, requests: 5 });
    const inFlight = env.emulator.maxInFlight("POST /toolbox/files/bulk-upload");
    expect(inFlight).toBeLessThanOrEqual(4);
    expect(inFlight).toBeGreaterThan(1);
    const stored = env.emulator.state.sandboxes.get(sandbox.id)?.files;
    expect(new TextDecoder().decode(stored?.get("/workspace/many/f249.txt"))).toBe("file 249\n");
  });

  it("sends nothing for an oversized write, a traversal or a NUL byte", async () => {
    const big = new Uint8Array(5 * 1024 * 1024 + 1);
    const counts = await requestsOf(async () => {
      expect((await sandbox.fs.writeBytes("big.bin", big))._unsafeUnwrapErr()).toMatchObject({
        kind: "PayloadTooLarge",
        bytes: big.length,
        limit: 5 * 1024 * 1024,
      });
      expect((await sandbox.fs.writeText("../../etc/passwd", "x"))._unsafeUnwrapErr().kind).toBe(
        "PathOutsideRoot",
      );
      expect((await sandbox.fs.readText("/workspace/../etc/shadow"))._unsafeUnwrapErr().kind).toBe(
        "PathOutsideRoot",
      );
      expect((await sandbox.fs.writeText("a\0b", "x"))._unsafeUnwrapErr().kind).toBe("InvalidArgument");
      const batch = await sandbox.fs.writeFiles([
        { path: "ok.txt", text: "fine" },
        { path: "huge.bin", bytes: big },
      ]);
      expect(batch._unsafeUnwrapErr()).toMatchObject({
        kind: "PayloadTooLarge",
        path: "/workspace/huge.bin",
      });
    });
    expect(counts).toEqual({});
  });
});
