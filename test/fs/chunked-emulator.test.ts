import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExec } from "../../src/exec/exec.js";
import { createSandboxFs } from "../../src/fs/fs.js";
import type { SandboxFs } from "../../src/fs/types.js";
import { startEmulatedDaytona } from "../support/emulated-daytona.js";

/**
 * The chunked path through the real SDK and the emulator: the HTTP sequence it produces, and what happens when the
 * join in the sandbox goes wrong. The emulator's built-in shell joins and hashes byte-exactly (its `cat` is binary-safe
 * and it has `sha256sum`); the rules below stand in for a faulty sandbox.
 */
const CAP = 64 * 1024;
const daytona = startEmulatedDaytona();
let sandboxId: string;
let fs: SandboxFs;
const data = Uint8Array.from({ length: 3 * CAP + 100 }, (_, i) => (i * 13 + 5) % 256);
const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

beforeAll(async () => {
  sandboxId = (await daytona.driver.create({ image: "node:20-slim", timeoutMs: 30_000 }))._unsafeUnwrap().id;
  fs = createSandboxFs({
    driver: daytona.driver,
    sandboxId,
    exec: createExec({ driver: daytona.driver, sandboxId }),
    uploadCapBytes: CAP,
  });
});
afterAll(() => daytona.close());

/** A join rule that concatenates the parts byte-exactly, optionally corrupting the result. */
function joinRule(corrupt: boolean) {
  daytona.emulator.onCommand(/^cat \//, (ctx) => {
    const match = /^cat ((?:\S+ )+)> (\S+) && sha256sum (\S+)$/.exec(ctx.command);
    if (!match?.[1] || !match[2]) return { exitCode: 2, output: "unexpected command\n" };
    const parts = match[1].trim().split(" ");
    const joined = new Uint8Array(Buffer.concat(parts.map((p) => ctx.fs.readFile(p) ?? new Uint8Array())));
    if (corrupt) joined[0] = (joined[0] ?? 0) ^ 0xff;
    ctx.fs.writeFile(match[2], joined);
    return { exitCode: 0, output: `${sha(joined)}  ${match[2]}\n` };
  });
}

const routesSince = (start: number) =>
  daytona.emulator.requests
    .slice(start)
    .map((r) => r.route)
    .filter((r) => r.startsWith("POST /toolbox") || r.startsWith("DELETE /toolbox"));

/** A new sandbox (on a node image) and its fs facade; `sandboxId` names it afterwards. */
async function freshSandboxFs() {
  sandboxId = (await daytona.driver.create({ image: "node:20-slim", timeoutMs: 30_000 }))._unsafeUnwrap().id;
  return createSandboxFs({
    driver: daytona.driver,
    sandboxId,
    exec: createExec({ driver: daytona.driver, sandboxId }),
    uploadCapBytes: CAP,
  });
}

describe("chunked upload through the Daytona driver", () => {
  it("sends folder, parts, one join+hash command, a replace (mv -f -T), cleanup, in that order", async () => {
    joinRule(false);
    const start = daytona.emulator.requests.length;
    expect((await fs.writeBytes("out/big.bin", data, { chunked: true })).isOk()).toBe(true);
    expect(routesSince(start)).toEqual([
      "POST /toolbox/files/folder",
      "POST /toolbox/files/bulk-upload",
      "POST /toolbox/files/bulk-upload",
      "POST /toolbox/files/bulk-upload",
      "POST /toolbox/files/bulk-upload",
      "POST /toolbox/process/execute",
      "POST /toolbox/process/execute",
      "DELETE /toolbox/files",
    ]);
    const box = daytona.emulator.sandboxes.get(sandboxId)!;
    expect(sha(box.files.get("/workspace/out/big.bin")!)).toBe(sha(data));
    expect([...box.files.keys(), ...box.dirs].filter((p) => p.includes(".kit-"))).toEqual([]);
  });

  it("replaces an existing file (the daemon's move would answer 409)", async () => {
    joinRule(false);
    await fs.writeText("over/big.bin", "old content");
    expect((await fs.writeBytes("over/big.bin", data, { chunked: true })).isOk()).toBe(true);
    const box = daytona.emulator.sandboxes.get(sandboxId)!;
    expect(sha(box.files.get("/workspace/over/big.bin")!)).toBe(sha(data));
  });

  it("refuses a join whose checksum differs, leaving the old file and no leftovers", async () => {
    await fs.writeText("keep/big.bin", "old content");
    joinRule(true);
    const result = await fs.writeBytes("keep/big.bin", data, { chunked: true });
    expect(result._unsafeUnwrapErr().message).toContain("failed verification");
    expect((await fs.readText("keep/big.bin"))._unsafeUnwrap()).toBe("old content");
    const box = daytona.emulator.sandboxes.get(sandboxId)!;
    expect([...box.files.keys(), ...box.dirs].filter((p) => p.includes(".kit-"))).toEqual([]);
  });

  it("lands through the built-in shell alone: byte-exact cat and sha256sum, as on a real image", async () => {
    daytona.emulator.reset();
    const fresh = await freshSandboxFs();
    expect((await fresh.writeBytes("big.bin", data, { chunked: true })).isOk()).toBe(true);
    expect(sha((await fresh.readBytes("big.bin"))._unsafeUnwrap())).toBe(sha(data));
  });

  it("fails and leaves nothing when the image has no sha256sum", async () => {
    daytona.emulator.reset();
    daytona.emulator.onCommand(/sha256sum/, () => ({
      exitCode: 127,
      output: "sh: 1: sha256sum: not found\n",
    }));
    const fresh = await freshSandboxFs();
    const result = await fresh.writeBytes("big.bin", data, { chunked: true });
    expect(result._unsafeUnwrapErr()).toMatchObject({ kind: "CommandFailed", exitCode: 127 });
    expect((await fresh.exists("big.bin"))._unsafeUnwrap()).toBe(false);
    const box = daytona.emulator.sandboxes.get(sandboxId)!;
    expect([...box.files.keys(), ...box.dirs].filter((p) => p.includes(".kit-"))).toEqual([]);
  });
});
